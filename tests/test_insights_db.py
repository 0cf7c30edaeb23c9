"""The attention list on a real database: scenario documents loaded with the importer, the
`attention` and `digest` commands, with ``--today`` fixed. Each planted customer must be found for
its one reason, and nothing else for anyone.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import socketserver
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kanelbulle.accounts.models import User
from kanelbulle.exchange.importer import import_document
from tests.cli import run
from tests.personas import Personas

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 2)
EXPECTED_ANNA = {
    "c-req": ["request_waiting"],
    "c-video": ["drifting"],
    "c-small": ["underrated"],
    "c-one": ["single_threaded"],
    "c-deal": ["deal_stalled"],
}


def stamp(days_ago: int) -> str:
    day = TODAY - dt.timedelta(days=days_ago)
    return f"{day.isoformat()}T10:00:00+01:00"


def date(days_ago: int) -> str:
    return (TODAY - dt.timedelta(days=days_ago)).isoformat()


class Doc:
    """A small exchange-format document, built one customer (one situation) at a time."""

    def __init__(self) -> None:
        self.doc: dict[str, Any] = {
            "format": "kanelbulle/1",
            "customers": [],
            "contacts": [],
            "meetings": [],
            "meeting_requests": [],
            "deals": [],
            "orders": [],
        }

    def customer(
        self,
        ref: str,
        owner: str = "anna",
        *,
        potential: str = "high",
        every: int = 30,
        last: int = 10,
        span: int = 720,
        people: tuple[str, ...] = ("a", "b"),
        video_since: int | None = None,
        asks_at: tuple[int, ...] = (),
        margin: str = "25",
        order_days: range = range(15, 730, 60),
    ) -> Doc:
        d = self.doc
        d["customers"].append(
            {
                "ref": ref,
                "name": f"Kund {ref}",
                "country": "SE",
                "city": "Luleå",
                "lat": 65.5848,
                "lon": 22.1547,
                "time_zone": "Europe/Stockholm",
                "owner": owner,
                "potential": potential,
                "public_sector": False,
                "visit_minutes": 60,
            }
        )
        for p in ("a", "b", "c"):
            d["contacts"].append(
                {"ref": f"{ref}-{p}", "customer": ref, "name": f"Person {p.upper()}", "lawful_basis": "contract"}
            )
        for n, ago in enumerate(range(last, span, every)):
            d["meetings"].append(
                {
                    "ref": f"m-{ref}-{n}",
                    "customer": ref,
                    "contacts": [f"{ref}-{p}" for p in people],
                    "user": owner,
                    "start": stamp(ago),
                    "duration_minutes": 60,
                    "modality": "video" if video_since is not None and ago < video_since else "in_person",
                    "requested_by_customer": ago in asks_at,
                }
            )
        for n, ago in enumerate(order_days):
            d["orders"].append(
                {
                    "ref": f"o-{ref}-{n}",
                    "customer": ref,
                    "date": date(ago),
                    "value": {"amount": "10000.00", "currency": "SEK"},
                    "margin_pct": margin,
                }
            )
        return self

    def request(self, ref: str, days_ago: int) -> Doc:
        self.doc["meeting_requests"].append(
            {
                "ref": f"r-{ref}",
                "customer": ref,
                "contact": f"{ref}-a",
                "requested_at": stamp(days_ago),
                "status": "open",
            }
        )
        return self

    def deal(self, ref: str, customer: str, stage: str, created: int, closed: int | None = None) -> Doc:
        deal: dict[str, Any] = {
            "ref": ref,
            "customer": customer,
            "user": "anna",
            "title": f"Affär {ref}",
            "value": {"amount": "50000.00", "currency": "SEK"},
            "stage": stage,
            "created": date(created),
        }
        if closed is not None:
            deal["closed"] = date(closed)
        self.doc["deals"].append(deal)
        return self


def scenario_book() -> Doc:
    """Anna: one healthy customer and one for each situation; Bertil (north) and Olle (south):
    a waiting request each, to show whose list sees whose."""
    doc = Doc()
    doc.customer("c-ok")
    doc.customer("c-req").request("c-req", 30)
    doc.customer("c-video", video_since=180)
    # Low potential; the last 12 months ordered twice as often at 38%; asked to meet twice.
    doc.customer(
        "c-small",
        potential="low",
        margin="38",
        asks_at=(40, 160),
        order_days=range(15, 365, 30),
    )
    doc.customer("c-small-prev", margin="38", order_days=range(380, 730, 60))  # a customer for last year's orders
    doc.doc["orders"] = [
        {**o, "customer": "c-small"} if o["customer"] == "c-small-prev" else o for o in doc.doc["orders"]
    ]
    doc.customer("c-one", people=("a",))
    doc.customer("c-deal", every=180, last=100).deal("d-open", "c-deal", "open", 150)
    for i in range(5):  # the team's usual cycle: 60 days
        doc.deal(f"d-won-{i}", "c-ok", "won", 400 + i, 340 + i)
    doc.customer("c-bertil", "bertil").request("c-bertil", 20)
    doc.customer("c-olle", "olle").request("c-olle", 20)
    return doc


@pytest.fixture(autouse=True)
def fast_passwords(settings: Any) -> None:
    """The personas' Argon2 hashing costs seconds per test here; these tests never check passwords."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def book(personas: Personas) -> Personas:
    import_document(scenario_book().doc)
    return personas


def codes(document: dict[str, Any]) -> dict[str, list[str]]:
    return {i["customer"]: [r["code"] for r in i["reasons"]] for i in document["items"]}


def test_the_scenario_book_finds_each_planted_situation_and_nothing_else(book: Personas) -> None:
    result = run("attention", "--user", "anna", "--today", TODAY.isoformat(), "--json")
    assert result.code == 0, result.err
    document = result.json
    assert document["today"] == "2026-03-02"
    assert document["user"] == "anna"
    assert codes(document) == EXPECTED_ANNA
    first = document["items"][0]
    assert set(first) == {"customer", "name", "priority", "health", "reasons"}
    assert first["customer"] == "c-req"  # 30 days waiting is the most urgent
    assert first["reasons"][0] == {
        "code": "request_waiting",
        "message": "Asked to meet 30 days ago; not yet honoured.",
        "facts": {"request": "r-c-req", "days_waiting": 30, "open_requests": 1},
    }
    assert all(0 <= i["priority"] <= 100 and 0 <= i["health"] <= 100 for i in document["items"])


def test_a_managers_list_covers_the_team_and_no_one_else(book: Personas) -> None:
    document = run("attention", "--user", "maria", "--today", TODAY.isoformat(), "--json").json
    assert codes(document) == {**EXPECTED_ANNA, "c-bertil": ["request_waiting"]}


def test_an_admins_list_covers_everyone(book: Personas) -> None:
    document = run("attention", "--user", "adam", "--today", TODAY.isoformat(), "--json").json
    assert {"c-bertil", "c-olle", "c-req"} <= set(codes(document))


def test_the_text_list_is_readable_and_swedish_on_request(book: Personas) -> None:
    result = run("attention", "--user", "bertil", "--today", TODAY.isoformat())
    assert result.code == 0
    assert "Kund c-bertil (c-bertil)" in result.out
    assert "[request_waiting] Asked to meet 20 days ago; not yet honoured." in result.out
    sv = run("attention", "--user", "bertil", "--today", TODAY.isoformat(), "--language", "sv")
    assert "Bad om ett möte för 20 dagar sedan; ännu inte tillgodosett." in sv.out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--user", "nobody"), "--user: no user named 'nobody'"),
        (
            ("--user", "anna", "--today", "2026-02-30"),
            "--today: '2026-02-30' is not a date; use YYYY-MM-DD, e.g. 2026-01-31",
        ),
    ],
)
def test_bad_input_is_refused_with_one_line_and_exit_2(book: Personas, args: tuple[str, ...], message: str) -> None:
    result = run("attention", *args, "--json")
    assert result.code == 2
    assert result.out == ""
    assert result.err_lines == [message]


def test_the_digest_goes_to_the_outbox_when_no_smtp_is_configured(
    book: Personas, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KANELBULLE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("KANELBULLE_SMTP_HOST", raising=False)
    result = run("digest", "--user", "anna", "--today", TODAY.isoformat())
    assert result.code == 0, result.err
    path = tmp_path / "outbox" / "digest-anna-2026-03-02.eml"
    assert result.out.strip() == f"written to {path} (no SMTP host configured)"
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert message["Subject"] == "Kanelbulle: 5 customers need your attention (2026-03-02)"
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "Asked to meet 30 days ago; not yet honoured." in text
    assert "Asked to meet 30 days ago; not yet honoured." in html
    assert "<table>" in html


def test_the_digest_speaks_swedish(book: Personas, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KANELBULLE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("KANELBULLE_SMTP_HOST", raising=False)
    result = run("digest", "--user", "bertil", "--today", TODAY.isoformat(), "--language", "sv")
    assert result.code == 0, result.err
    assert "skrivet till" in result.out
    path = tmp_path / "outbox" / "digest-bertil-2026-03-02.eml"
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert message["Subject"].strip() == "Kanelbulle: 1 kund behöver din uppmärksamhet (2026-03-02)"
    assert "Bad om ett möte för 20 dagar sedan" in message.get_body(("plain",)).get_content()  # type: ignore[union-attr]


def test_the_attention_list_speaks_the_users_language_unless_told(book: Personas) -> None:
    User.objects.filter(username="bertil").update(language="sv")
    own = run("attention", "--user", "bertil", "--today", TODAY.isoformat())
    assert "Bad om ett möte för 20 dagar sedan; ännu inte tillgodosett." in own.out
    told = run("attention", "--user", "bertil", "--today", TODAY.isoformat(), "--language", "en")
    assert "Asked to meet 20 days ago; not yet honoured." in told.out


def test_the_digest_uses_the_language_the_user_chose(
    book: Personas, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KANELBULLE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("KANELBULLE_SMTP_HOST", raising=False)
    User.objects.filter(username="bertil").update(language="sv")
    result = run("digest", "--user", "bertil", "--today", TODAY.isoformat())
    assert result.code == 0, result.err
    path = tmp_path / "outbox" / "digest-bertil-2026-03-02.eml"
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert message["Subject"].strip() == "Kanelbulle: 1 kund behöver din uppmärksamhet (2026-03-02)"


class _Smtp(socketserver.StreamRequestHandler):
    """Just enough SMTP to accept one message and keep it."""

    received: list[bytes] = []

    def handle(self) -> None:
        self.wfile.write(b"220 test ESMTP\r\n")
        while line := self.rfile.readline():
            verb = line[:4].upper()
            if verb == b"DATA":
                self.wfile.write(b"354 go on\r\n")
                body = b""
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    body += chunk
                _Smtp.received.append(body)
                self.wfile.write(b"250 queued\r\n")
            elif verb == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


@pytest.fixture
def smtp_server() -> Iterator[int]:
    _Smtp.received = []
    server = socketserver.TCPServer(("127.0.0.1", 0), _Smtp)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_the_digest_is_sent_by_smtp_when_configured(
    book: Personas, smtp_server: int, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    book.seller.email = "anna@example.com"
    book.seller.save()
    monkeypatch.setenv("KANELBULLE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("KANELBULLE_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("KANELBULLE_SMTP_PORT", str(smtp_server))
    result = run("digest", "--user", "anna", "--today", TODAY.isoformat())
    assert result.code == 0, result.err
    assert result.out.strip() == "sent to anna@example.com by SMTP"
    assert len(_Smtp.received) == 1
    assert b"anna@example.com" in _Smtp.received[0]
    assert not (tmp_path / "outbox").exists()


def test_a_digest_by_smtp_to_a_user_without_an_address_fails_plainly(
    book: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KANELBULLE_SMTP_HOST", "127.0.0.1")
    result = run("digest", "--user", "bertil", "--today", TODAY.isoformat())
    assert result.code == 1
    assert result.err_lines == ["bertil has no e-mail address to send the digest to"]
