"""Contract tests over real HTTP against `kanelbulle serve`: every endpoint refuses the anonymous
(401), another team's seller (404) and a teammate who may only read (403), malformed bodies
(422 naming the field), stale versions (409), and stored data is the same after each refusal.
Then schemathesis fuzzes the whole OpenAPI document: no 500, no answer outside the schema."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
from email.message import Message
from pathlib import Path
from typing import Any

import pytest

from tests.server import Installation

pytestmark = [pytest.mark.server]
MINE = ("/api/v1/customers", "/api/v1/contacts", "/api/v1/meetings", "/api/v1/meeting-requests", "/api/v1/deals",
        "/api/v1/orders", "/api/v1/users", "/api/v1/me")  # fmt: skip
VALID = {
    ("put", "customers"): {"name": "X", "country": "SE", "city": "Luleå", "lat": 65.5, "lon": 22.1, "version": 1},
    ("put", "contacts"): {"name": "X", "lawful_basis": "consent", "version": 1},
    ("put", "meetings"): {"start": "2026-12-18T10:00:00+01:00", "version": 1},
    ("put", "deals"): {"title": "X", "value": {"amount": "1.00", "currency": "SEK"}, "version": 1},
    ("put", "orders"): {"date": "2026-01-01", "value": {"amount": "1.00", "currency": "SEK"}, "version": 1},
    ("patch", "meeting-requests"): {"status": "declined", "version": 1},
    ("post", "facts"): {"kind": "pet", "text": "A cat"},
}
PUBLIC = {"/api/v1/health", "/api/v1/calendar/{username}.ics"}


class Http:
    def __init__(self, base: str) -> None:
        self.base = base

    def __call__(
        self, method: str, path: str, token: str | None = None, body: Any = None, **headers: str
    ) -> tuple[int, Any, Message]:
        data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
        request = urllib.request.Request(self.base + path, data=data, method=method.upper())  # noqa: S310
        request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        for name, value in headers.items():
            request.add_header(name.replace("_", "-"), value)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                raw, status, head = response.read(), response.status, response.headers
        except urllib.error.HTTPError as exc:
            raw, status, head = exc.read(), exc.code, exc.headers
        payload = json.loads(raw) if raw and "json" in (head.get("Content-Type") or "") else raw
        return status, payload, head


def _setup(kb: Installation) -> tuple[Http, dict[str, str], dict[str, str]]:
    assert kb.cli("init").returncode == 0
    tokens = {}
    for name, team in [("anna", "north"), ("bertil", "north"), ("olle", "south")]:
        made = kb.cli("user", "create", name, "--role", "seller", "--team", team, "--name", name.title())
        assert made.returncode == 0, made.stderr
        tokens[name] = kb.cli("token", "create", name).stdout.strip()
    http = Http(kb.start())
    anna = tokens["anna"]
    refs: dict[str, str] = {}

    def made(path: str, body: dict[str, Any]) -> str:
        status, payload, head = http("post", path, anna, body)
        assert status == 201, (path, payload)
        assert head["Location"].endswith(payload["ref"])
        return str(payload["ref"])

    refs["customers"] = made("/api/v1/customers", {
        "name": "Norrbotten Stål AB", "country": "SE", "city": "Luleå", "lat": 65.58, "lon": 22.15,
        "time_zone": "Europe/Stockholm",
    })  # fmt: skip
    refs["contacts"] = made("/api/v1/contacts", {
        "customer": refs["customers"], "name": "Li Wei", "email": "li@example.com", "lawful_basis": "consent",
        "facts": [{"kind": "pet", "text": "Two schnauzers"}],
    })  # fmt: skip
    refs["meetings"] = made("/api/v1/meetings", {
        "customer": refs["customers"], "contacts": [refs["contacts"]], "start": "2026-12-18T10:00:00+01:00",
        "unsaid": "private",
    })  # fmt: skip
    refs["meeting-requests"] = made("/api/v1/meeting-requests", {"customer": refs["customers"]})
    refs["deals"] = made("/api/v1/deals", {
        "customer": refs["customers"], "title": "Pumps", "value": {"amount": "120000.00", "currency": "SEK"},
    })  # fmt: skip
    refs["orders"] = made("/api/v1/orders", {
        "customer": refs["customers"], "date": "2026-01-05", "value": {"amount": "8000.00", "currency": "EUR"},
    })  # fmt: skip
    return http, tokens, refs


def _snapshot(http: Http, token: str) -> dict[str, Any]:
    out = {}
    for kind in ("customers", "contacts", "meetings", "meeting-requests", "deals", "orders"):
        status, payload, _ = http("get", f"/api/v1/{kind}?page_size=500", token)
        assert status == 200
        out[kind] = payload["items"]
    return out


def _concrete(path: str, refs: dict[str, str], fact_id: int) -> str:
    kind = path.split("/")[3]
    return (
        path.replace("{ref}", refs.get(kind, refs["customers"]))
        .replace("{fact_id}", str(fact_id))
        .replace("{username}", "anna")
    )


@pytest.mark.slow
def test_every_endpoint_refuses_what_it_must_and_changes_nothing(kb: Installation) -> None:
    http, tokens, refs = _setup(kb)
    status, schema, _ = http("get", "/api/v1/openapi.json")
    assert status == 200
    _, contact, _ = http("get", f"/api/v1/contacts/{refs['contacts']}", tokens["anna"])
    fact_id = contact["facts"][0]["id"]
    before = _snapshot(http, tokens["anna"])
    tried = 0
    for path, operations in schema["paths"].items():
        for method in operations:
            url = _concrete(path, refs, fact_id)
            body = {} if method in {"post", "put", "patch"} else None
            if path not in PUBLIC:
                status, payload, head = http(method, url, None, body)
                assert status == 401, (method, path, status)
                assert payload["errors"][0]["path"] == "Authorization" and "Bearer" in head["WWW-Authenticate"]
                status, _, _ = http(method, url, "kb_not-a-real-token", body)
                assert status == 401, (method, path)
            if not path.startswith(MINE) or path in {"/api/v1/me", "/api/v1/me/calendar-token"}:
                continue
            tried += 1
            has_ref = "{ref}" in path
            valid = None
            if body is not None:
                valid = VALID.get((method, path.rstrip("/").split("/")[-1]), VALID.get((method, path.split("/")[3])))
                valid = valid or {"version": 1}
            if has_ref:
                # Another team's seller: the record does not exist for him, whatever he sends.
                status, payload, _ = http(method, url, tokens["olle"], valid)
                assert status == 404, (method, path, status, payload)
                if method != "get" and not path.startswith("/api/v1/users"):
                    # A teammate reads but may not change anna's records.
                    status, payload, _ = http(method, url, tokens["bertil"], valid, If_Match='"1"')
                    assert status == 403, (method, path, status, payload)
                    assert payload["errors"][0]["message"]
            if body is not None and not path.endswith(".vcf"):
                status, payload, _ = http(method, url, tokens["anna"], {"no_such_field": 1})
                assert status == 422, (method, path, status, payload)
                assert "no_such_field" in [e["path"] for e in payload["errors"]], payload
                status, payload, _ = http(method, url, tokens["anna"], b"{broken json")
                assert status == 400, (method, path, status)
    assert tried >= 20
    # Stale updates: 409 and nothing written.
    for kind in ("customers", "contacts", "meetings", "deals", "orders"):
        url = f"/api/v1/{kind}/{refs[kind]}"
        status, _, head = http("get", url, tokens["anna"])
        assert status == 200 and head["ETag"]
        stale = f'"{int(head["ETag"].strip(chr(34))) - 1}"'
        status, payload, _ = http("patch", url, tokens["anna"], {}, If_Match=stale)
        assert status == 409 and payload["errors"][0]["path"] == "version", (kind, payload)
        status, payload, _ = http("delete", url, tokens["anna"], None, If_Match=stale)
        assert status == 409, kind
    assert _snapshot(http, tokens["anna"]) == before
    # The teammate reads the meeting without its unsaid; its author reads it.
    _, theirs, _ = http("get", f"/api/v1/meetings/{refs['meetings']}", tokens["bertil"])
    _, mine, _ = http("get", f"/api/v1/meetings/{refs['meetings']}", tokens["anna"])
    assert "unsaid" not in theirs and mine["unsaid"] == "private"


def test_the_docs_page_and_its_assets_come_from_this_server(kb: Installation) -> None:
    assert kb.cli("init").returncode == 0
    http = Http(kb.start())
    status, page, head = http("get", "/api/v1/docs")
    assert status == 200 and "script-src 'self'" in head["Content-Security-Policy"]
    html = page.decode()
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "docs.js"):
        assert f"/api/v1/docs/{asset}" in html
        assert http("get", f"/api/v1/docs/{asset}")[0] == 200
    assert "//" not in html.replace("http-equiv", "").split("<body>", 1)[1].replace("://", "")


@pytest.mark.slow
def test_schemathesis_finds_no_server_error_and_no_schema_violation(kb: Installation, tmp_path: Path) -> None:
    http, tokens, _refs = _setup(kb)
    del http
    command = [
        str(Path(sys.executable).with_name("schemathesis")), "run", kb.base_url + "/api/v1/openapi.json",
        "--header", f"Authorization: Bearer {tokens['anna']}",
        "--checks", "not_a_server_error,response_schema_conformance,content_type_conformance,status_code_conformance",
        "--phases", "examples,fuzzing", "--max-examples", "8", "--seed", "20261124",
        "--generation-deterministic", "--request-timeout", "90",
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=540, env=kb.env, cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert " passed" in result.stdout
