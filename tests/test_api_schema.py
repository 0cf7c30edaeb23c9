"""The OpenAPI document as a client sees it: clean operation ids, and the real constraints.

A client generated from /api/v1/openapi.json (openapi-python-client) is named after the
operation ids (`list_customers`, not `kanelbulle_customers_api_list_customers`) and generates
without a warning; data generated from a request schema is accepted by the API, except where
only the database can tell (a ref that does not exist, a city the gazetteer does not know).
"""

from __future__ import annotations

import collections
import datetime as dt
import json
import os
import re
import subprocess
import sys
import zoneinfo
from functools import cache
from pathlib import Path
from typing import Any

import pycountry
import pytest
from django.test import Client
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from kanelbulle.accounts.services import token_create, user_create
from kanelbulle.api import api
from kanelbulle.connectors.rest import SANE_YEAR, currency_codes
from tests.server import Installation


@cache
def document() -> dict[str, Any]:
    return api.get_openapi_schema(path_prefix="/api/v1/")  # type: ignore[no-any-return]


def operations() -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, methods in document()["paths"].items()
        for method, operation in methods.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]


def test_every_operation_has_a_clean_unique_id() -> None:
    ids = [operation["operationId"] for _m, _p, operation in operations()]
    assert len(ids) == len(set(ids)), [i for i, n in collections.Counter(ids).items() if n > 1]
    for operation_id in ids:
        assert re.fullmatch(r"[a-z]+(?:[A-Z][a-z0-9]*)*", operation_id), operation_id
        assert "api" not in operation_id.lower() and "kanelbulle" not in operation_id.lower()
    by_route = {(m, p): o["operationId"] for m, p, o in operations()}
    assert by_route["get", "/api/v1/customers"] == "listCustomers"
    assert by_route["get", "/api/v1/customers/{ref}"] == "getCustomer"
    assert by_route["post", "/api/v1/meetings"] == "createMeeting"
    assert by_route["patch", "/api/v1/meeting-requests/{ref}"] == "patchMeetingRequest"


def schema_of(name: str) -> dict[str, Any]:
    return document()["components"]["schemas"][name]  # type: ignore[no-any-return]


def plain(prop: dict[str, Any]) -> dict[str, Any]:
    """The non-null branch of an optional property."""
    for branch in prop.get("anyOf", [prop]):
        if branch.get("type") != "null":
            return branch
    raise AssertionError(prop)


def test_codes_are_enums_of_exactly_what_the_api_takes() -> None:
    customer = schema_of("CustomerCreate")["properties"]
    assert plain(customer["country"])["enum"] == sorted(c.alpha_2 for c in pycountry.countries)
    zones = plain(customer["time_zone"])["enum"]
    assert "Europe/Stockholm" in zones and "UTC" in zones and set(zones) <= zoneinfo.available_timezones()
    currency = plain(schema_of("MoneyIn")["properties"]["currency"])
    assert currency["enum"] == currency_codes() and "SEK" in currency["enum"] and "AAA" not in currency["enum"]
    assert plain(schema_of("MoneyAtLeastZeroIn")["properties"]["amount"])["pattern"] == r"^\d{1,16}(\.\d{1,2})?$"
    assert plain(schema_of("GiftIn")["properties"]["value"])["$ref"].endswith("/MoneyAtLeastZeroIn")


def test_dates_carry_the_years_the_api_takes() -> None:
    day = plain(schema_of("GiftIn")["properties"]["date"])
    assert day["format"] == "date" and day["pattern"].startswith(SANE_YEAR)
    start = plain(schema_of("MeetingCreate")["properties"]["start"])
    assert start["format"] == "date-time" and start["pattern"] == SANE_YEAR


@given(st.from_regex(SANE_YEAR + r"\d\d-\d\d$", fullmatch=True))
def test_every_date_the_pattern_allows_has_a_year_the_api_takes(text: str) -> None:
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return  # not a calendar date at all (format: date says so)
    assert 1900 <= day.year <= 2200


# Fields only the database can judge: a ref that must exist, a city the gazetteer must know
# (without lat/lon), the caller's own state (a seller's home for a plan).
NEEDS_THE_DATABASE = {"customer", "owner", "contact", "contacts", "honours", "city", ""}
BODIES = [
    ("post", "/api/v1/customers"),
    ("post", "/api/v1/contacts"),
    ("post", "/api/v1/meetings"),
    ("post", "/api/v1/meeting-requests"),
    ("post", "/api/v1/deals"),
    ("post", "/api/v1/orders"),
    ("post", "/api/v1/gifts"),
    ("post", "/api/v1/gifts/check"),
]


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path"), BODIES, ids=[p for _m, p in BODIES])
def test_data_generated_from_the_schema_is_taken(method: str, path: str) -> None:
    import schemathesis

    user_create(username="adam", role="admin", password=None, name="Adam", team="north")
    _token, raw = token_create(username="adam", name="schema")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    operation = schemathesis.openapi.from_dict(document())[path][method.upper()]
    refused: collections.Counter[str] = collections.Counter()

    @given(case=operation.as_strategy())
    @settings(
        max_examples=25, deadline=None, database=None, phases=[Phase.generate],
        suppress_health_check=list(HealthCheck), derandomize=True,
    )  # fmt: skip
    def send(case: Any) -> None:
        answer = client.generic(method.upper(), path, json.dumps(case.body), content_type="application/json")
        assert answer.status_code < 500, answer.content
        if answer.status_code == 422:
            for error in answer.json()["errors"]:
                field = re.sub(r"\[\d+\]", "", error["path"]).split(".")[0]
                if field not in NEEDS_THE_DATABASE:
                    refused[f"{error['path']}: {error['message']}"] += 1

    send()
    assert not refused, f"the schema allows what the API refuses: {refused.most_common(5)}"


@pytest.mark.slow
@pytest.mark.server
def test_a_generated_client_is_named_after_the_operations_and_generates_without_warning(
    kb: Installation, tmp_path: Path
) -> None:
    assert kb.cli("init").returncode == 0
    base = kb.start()
    served = tmp_path / "openapi.json"
    import urllib.request

    with urllib.request.urlopen(base + "/api/v1/openapi.json", timeout=30) as answer:  # noqa: S310 - our own server
        served.write_bytes(answer.read())
    bin_dir = Path(sys.executable).parent
    done = subprocess.run(
        [str(bin_dir / "openapi-python-client"), "generate", "--path", str(served), "--meta", "none",
         "--output-path", str(tmp_path / "client")],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
        env={**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"},
    )  # fmt: skip
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "warning" not in output.lower(), output
    modules = {p.stem for p in (tmp_path / "client" / "api").rglob("*.py")}
    for name in ("list_customers", "get_customer", "create_meeting", "patch_meeting_request", "solve_plan"):
        assert name in modules, sorted(modules)
    assert not [m for m in modules if "kanelbulle" in m or "_api_" in m], sorted(modules)
