"""The JSON API through Django's test client: auth, who sees what, errors, versions, sync."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from urllib.parse import quote

import pytest
from django.test import Client
from django.utils import timezone

from kanelbulle.accounts.models import ApiToken, User
from kanelbulle.customers import actions as customer_actions
from kanelbulle.customers.models import Contact, Customer
from kanelbulle.meetings import actions as meeting_actions
from kanelbulle.meetings.models import Meeting
from tests.cli import run
from tests.personas import Personas

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    # The personas' passwords are never used here; hashing them with Argon2 only costs time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class Api:
    """A client that speaks as one user through a Bearer token."""

    def __init__(self, user: User | None) -> None:
        self.client = Client()
        self.headers: dict[str, str] = {}
        if user is not None:
            _, raw = ApiToken.issue(user)
            self.headers["Authorization"] = f"Bearer {raw}"

    def call(self, method: str, path: str, body: Any = None, **headers: str) -> Any:
        data = body if isinstance(body, (str, bytes)) or body is None else json.dumps(body)
        extra = {k.removeprefix("HTTP_").replace("_", "-").title(): v for k, v in headers.items()}
        response = self.client.generic(
            method.upper(), "/api/v1" + path, data=data or "", content_type="application/json",
            headers={**self.headers, **extra},
        )  # fmt: skip
        response.payload = (
            json.loads(response.content) if response.content and "json" in response["Content-Type"] else None
        )
        return response


def make_customer(owner: User, name: str = "Norrbotten Stål AB", ref: str | None = None) -> Customer:
    return customer_actions.customer_create(
        None, ref=ref, name=name, country="SE", city="Luleå", lat=65.58, lon=22.15, time_zone="Europe/Stockholm",
        owner=owner,
    )  # fmt: skip


@pytest.fixture
def book(personas: Personas) -> dict[str, Any]:
    anna_c = make_customer(personas.seller, "Norrbotten Stål AB", "c-lulea-1")
    bertil_c = make_customer(personas.other_seller, "Umeå Trä AB", "c-umea-1")
    olle_c = make_customer(personas.outsider, "Skåne Mejeri AB", "c-malmo-1")
    li = customer_actions.contact_create(
        None, anna_c, ref="p-1", name="Li Wei", email="li@example.com", lawful_basis="legitimate_interest"
    )
    meeting = meeting_actions.log_meeting(
        personas.seller, anna_c, start=timezone.now() - dt.timedelta(days=3), contacts=[li],
        notes="Talked delivery", unsaid="He seemed worried about his job",
    )  # fmt: skip
    return {"anna_c": anna_c, "bertil_c": bertil_c, "olle_c": olle_c, "li": li, "meeting": meeting}


def paths(response: Any) -> list[str]:
    return [e["path"] for e in response.payload["errors"]]


def test_it_answers_401_in_the_error_shape_without_a_token(book: dict[str, Any]) -> None:
    calls = [("get", "/customers"), ("get", "/customers/c-lulea-1"), ("post", "/deals"),
             ("patch", "/meetings/" + book["meeting"].ref), ("delete", "/contacts/p-1"), ("get", "/me")]  # fmt: skip
    for method, path in calls:
        response = Api(None).call(method, path, {})
        assert response.status_code == 401, (method, path)
        assert response.payload["errors"][0]["path"] == "Authorization"
    assert Customer.objects.count() == 3 and Contact.objects.count() == 1


def test_a_revoked_or_wrong_token_is_refused(personas: Personas) -> None:
    api = Api(personas.seller)
    assert api.call("get", "/me").status_code == 200
    assert ApiToken.objects.get(user=personas.seller).last_used_at is not None
    result = run("token", "revoke", ApiToken.objects.get(user=personas.seller).prefix)
    assert result.code == 0, result.err
    assert api.call("get", "/me").status_code == 401
    assert Api(None).call("get", "/me", HTTP_AUTHORIZATION="Bearer nope").status_code == 401


def test_sellers_see_their_team_and_not_others(personas: Personas, book: dict[str, Any]) -> None:
    anna = Api(personas.seller)
    refs = {c["ref"] for c in anna.call("get", "/customers").payload["items"]}
    assert refs == {"c-lulea-1", "c-umea-1"}
    assert anna.call("get", "/customers/c-malmo-1").status_code == 404
    olle = Api(personas.outsider)
    assert olle.call("get", "/contacts/p-1").status_code == 404
    assert olle.call("get", "/meetings/" + book["meeting"].ref).status_code == 404
    assert {c["ref"] for c in Api(personas.admin).call("get", "/customers").payload["items"]} == {
        "c-lulea-1", "c-umea-1", "c-malmo-1"
    }  # fmt: skip


def test_changing_a_teammates_customer_is_403_and_changes_nothing(personas: Personas, book: dict[str, Any]) -> None:
    anna = Api(personas.seller)
    before = Customer.objects.get(ref="c-umea-1")
    response = anna.call("patch", "/customers/c-umea-1", {"name": "Mine now", "version": before.version})
    assert response.status_code == 403
    assert response.payload["errors"][0]["message"]
    assert anna.call("delete", "/customers/c-umea-1").status_code == 403
    after = Customer.objects.get(ref="c-umea-1")
    assert (after.name, after.version) == ("Umeå Trä AB", before.version)
    # Another team's record is not there at all, for writes too.
    assert Api(personas.outsider).call("patch", "/customers/c-lulea-1", {"name": "x", "version": 1}).status_code == 404


def test_create_customer_and_read_it_back_with_money_and_etag(personas: Personas, db: None) -> None:
    anna = Api(personas.seller)
    response = anna.call("post", "/customers", {
        "name": "Göta Kanal AB", "country": "SE", "city": "Trollhättan", "potential": "high",
        "lat": 58.28, "lon": 12.29, "time_zone": "Europe/Stockholm",
        "gift_policy": {"accepts_gifts": True, "max_value": {"amount": "500.00", "currency": "SEK"}},
    })  # fmt: skip
    assert response.status_code == 201, response.payload
    body = response.payload
    assert body["ref"].startswith("c-") and body["owner"] == "anna"
    assert body["gift_policy"] == {"accepts_gifts": True, "max_value": {"amount": "500.00", "currency": "SEK"}}
    assert body["time_zone"] == "Europe/Stockholm" and body["lat"] == 58.28
    assert response["ETag"] == f'"{body["version"]}"'
    got = anna.call("get", "/customers/" + body["ref"])
    assert got.payload == body
    assert dt.datetime.fromisoformat(body["updated_at"]).utcoffset() is not None


def test_malformed_bodies_are_422_naming_each_field(personas: Personas, book: dict[str, Any]) -> None:
    anna = Api(personas.seller)
    response = anna.call("post", "/customers", {"name": "", "country": "XX", "city": "Luleå", "colour": "red"})
    assert response.status_code == 422
    assert {"name", "country", "colour"} <= set(paths(response))
    response = anna.call("post", "/deals", {
        "customer": "c-lulea-1", "title": "Pumps", "value": {"amount": "12,5", "currency": "SEKK"},
    })  # fmt: skip
    assert response.status_code == 422
    assert {"value.amount", "value.currency"} <= set(paths(response))
    response = anna.call("post", "/contacts", {"customer": "c-malmo-1", "name": "X", "lawful_basis": "consent"})
    assert response.status_code == 422 and paths(response) == ["customer"]
    response = anna.call("post", "/meetings", {"customer": "c-lulea-1", "start": "2025-12-18T10:00:00"})
    assert response.status_code == 422 and paths(response) == ["start"]
    assert anna.call("post", "/customers", "{not json").status_code == 400
    assert Customer.objects.count() == 3
    assert Meeting.objects.count() == 1


def test_a_rule_broken_in_an_action_is_422_with_its_field(personas: Personas, book: dict[str, Any]) -> None:
    anna = Api(personas.seller)
    response = anna.call("post", "/deals", {
        "customer": "c-lulea-1", "title": "Pumps", "value": {"amount": "1000", "currency": "SEK"},
        "stage": "won", "created": "2026-02-01", "closed": "2026-01-01",
    })  # fmt: skip
    assert response.status_code == 422 and paths(response) == ["closed"]


def test_updates_need_the_version_and_a_stale_one_is_409(personas: Personas, book: dict[str, Any]) -> None:
    anna = Api(personas.seller)
    current = anna.call("get", "/contacts/p-1")
    etag, version = current["ETag"], current.payload["version"]
    assert anna.call("patch", "/contacts/p-1", {"title": "CEO"}).status_code == 428
    ok = anna.call("patch", "/contacts/p-1", {"title": "CEO"}, HTTP_IF_MATCH=etag)
    assert ok.status_code == 200 and ok.payload["version"] == version + 1
    stale = anna.call("patch", "/contacts/p-1", {"title": "CFO", "version": version})
    assert stale.status_code == 409 and paths(stale) == ["version"]
    stale_put = anna.call("put", "/contacts/p-1", {"name": "Li", "lawful_basis": "consent"}, HTTP_IF_MATCH=etag)
    assert stale_put.status_code == 409
    assert anna.call("delete", "/contacts/p-1", HTTP_IF_MATCH=etag).status_code == 409
    contact = Contact.objects.get(ref="p-1")
    assert (contact.title, contact.name, contact.version) == ("CEO", "Li Wei", version + 1)


def test_the_unsaid_is_shown_to_its_author_only(personas: Personas, book: dict[str, Any]) -> None:
    ref = book["meeting"].ref
    mine = Api(personas.seller).call("get", f"/meetings/{ref}").payload
    assert mine["unsaid"] == "He seemed worried about his job"
    for other in (personas.manager, personas.admin, personas.other_seller):
        theirs = Api(other).call("get", f"/meetings/{ref}").payload
        assert "unsaid" not in theirs and theirs["notes"] == "Talked delivery"
        listed = Api(other).call("get", "/meetings").payload["items"]
        assert all("unsaid" not in m for m in listed)
    maria = Api(personas.manager)
    refused = maria.call("patch", f"/meetings/{ref}", {"unsaid": "peek", "version": book["meeting"].version})
    assert refused.status_code == 403
    assert Meeting.objects.get(ref=ref).unsaid == "He seemed worried about his job"


def test_meetings_deals_orders_and_requests_round_trip(personas: Personas, book: dict[str, Any]) -> None:
    anna = Api(personas.seller)
    request = anna.call("post", "/meeting-requests", {"customer": "c-lulea-1", "contact": "p-1"})
    assert request.status_code == 201 and request.payload["status"] == "open"
    # A meeting a fortnight from now is planned, whatever the calendar says today.
    coming = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0) + dt.timedelta(days=15)
    meeting = anna.call("post", "/meetings", {
        "customer": "c-lulea-1", "contacts": ["p-1"], "start": coming.isoformat(),
        "duration_minutes": 90, "honours": request.payload["ref"], "unsaid": "mine",
        "new_facts": [{"contact": "p-1", "kind": "pet", "text": "Two schnauzers"}],
    })  # fmt: skip
    assert meeting.status_code == 201, meeting.payload
    assert dt.datetime.fromisoformat(meeting.payload["start"]) == coming and meeting.payload["status"] == "planned"
    assert meeting.payload["requested_by_customer"] is True
    assert anna.call("get", "/meeting-requests/" + request.payload["ref"]).payload["status"] == "honoured"
    assert anna.call("get", "/contacts/p-1").payload["facts"][0]["text"] == "Two schnauzers"
    deal = anna.call("post", "/deals", {
        "customer": "c-lulea-1", "title": "Pumps", "value": {"amount": "120000", "currency": "SEK"},
        "margin_pct": "32.5",
    })  # fmt: skip
    assert deal.status_code == 201, deal.payload
    assert deal.payload["value"] == {"amount": "120000.00", "currency": "SEK"} and deal.payload["margin_pct"] == "32.5"
    won = anna.call("patch", "/deals/" + deal.payload["ref"], {"stage": "won", "version": deal.payload["version"]})
    assert won.payload["stage"] == "won" and won.payload["closed"] == timezone.localdate().isoformat()
    order = anna.call("post", "/orders", {
        "customer": "c-lulea-1", "date": "2026-01-05", "value": {"amount": "8000.00", "currency": "EUR"},
    })  # fmt: skip
    assert order.status_code == 201 and order.payload["value"] == {"amount": "8000.00", "currency": "EUR"}
    assert anna.call("delete", "/orders/" + order.payload["ref"]).status_code == 204
    assert anna.call("get", "/orders/" + order.payload["ref"]).status_code == 404
    declined = anna.call("post", "/meeting-requests", {"customer": "c-lulea-1"}).payload
    done = anna.call(
        "patch", "/meeting-requests/" + declined["ref"], {"status": "declined", "version": declined["version"]}
    )
    assert done.status_code == 200 and done.payload["status"] == "declined"


def test_lists_page_and_sync_with_updated_since(personas: Personas, book: dict[str, Any]) -> None:
    admin = Api(personas.admin)
    first = admin.call("get", "/customers?page_size=2").payload
    assert (first["count"], first["pages"], first["next_page"], len(first["items"])) == (3, 2, 2, 2)
    second = admin.call("get", "/customers?page_size=2&page=2").payload
    assert len(second["items"]) == 1 and second["next_page"] is None
    mark = timezone.now()
    customer_actions.customer_update(None, book["bertil_c"], potential="high")
    changed = admin.call("get", f"/customers?updated_since={quote(mark.isoformat())}").payload
    assert [c["ref"] for c in changed["items"]] == ["c-umea-1"]
    naive = admin.call("get", "/customers?updated_since=2025-01-01T10:00:00")
    assert naive.status_code == 422 and paths(naive) == ["updated_since"]


def test_users_are_read_within_the_team(personas: Personas, db: None) -> None:
    names = {u["username"] for u in Api(personas.seller).call("get", "/users").payload["items"]}
    assert names == {"anna", "bertil", "maria"}
    assert Api(personas.seller).call("get", "/users/olle").status_code == 404
    assert Api(personas.admin).call("get", "/users/olle").payload["team"] == "south"


def test_docs_are_served_without_a_cdn(db: None) -> None:
    client = Client()
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.content.decode()
    assert "http" not in html.replace("http-equiv", "")
    assert "<script>" not in html and "style=" not in html
    assert client.get("/api/v1/docs/swagger-ui-bundle.js").status_code == 200
    assert client.get("/api/v1/docs/docs.js").status_code == 200
    assert "script-src 'self'" in page["Content-Security-Policy"]
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/customers/{ref}" in schema["paths"]


def test_token_list_shows_use_and_revocation_and_calendar_makes_a_feed(personas: Personas) -> None:
    created = run("token", "create", "anna", "--label", "phone", "--json")
    assert created.code == 0, created.err
    token = created.json["token"]
    Api(None).call("get", "/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    listed = run("token", "list", "anna", "--json").json
    assert listed[0]["label"] == "phone" and listed[0]["last_used_at"] and listed[0]["revoked_at"] is None
    assert run("token", "revoke", "kb_nothing").code == 2
    feed = run("token", "calendar", "anna").out.strip()
    assert feed.startswith("/api/v1/calendar/anna.ics?token=")
    assert Client().get(feed).status_code == 200


def messages(response: Any) -> dict[str, str]:
    return {e["path"]: e["message"] for e in response.payload["errors"]}


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", ["this field is required", "unknown field", "no such record", "reload and try again", "choose a ref"]),
        ("sv", ["fältet måste anges", "okänt fält", "posten finns inte", "läs in på nytt", "välj en ref"]),
    ],
)
def test_errors_are_written_in_the_callers_language(
    personas: Personas, book: dict[str, Any], language: str, words: list[str]
) -> None:
    anna = Api(personas.seller)
    lang = {"HTTP_ACCEPT_LANGUAGE": language}
    invalid = anna.call("post", "/customers", {"country": "SE", "city": "Luleå", "colour": "red"}, **lang)
    assert invalid.status_code == 422
    assert words[0] in messages(invalid)["name"] and words[1] in messages(invalid)["colour"]
    missing = anna.call("get", "/customers/c-malmo-1", **lang)  # another team's: not there for anna
    assert missing.status_code == 404 and messages(missing) == {"": words[2]}
    version = anna.call("get", "/contacts/p-1").payload["version"]
    stale = anna.call("patch", "/contacts/p-1", {"title": "CFO", "version": version - 1}, **lang)
    assert stale.status_code == 409 and words[3] in messages(stale)["version"]
    taken = anna.call("post", "/customers", {"ref": "c-x", "name": "X", "country": "SE", "city": "Luleå"}, **lang)
    assert taken.status_code == 422 and words[4] in messages(taken)["ref"]
    other = {"en": "sv", "sv": "en"}[language]
    assert not any(w in str(r.payload) for w in words_of(other) for r in (invalid, missing, stale, taken))
    assert Customer.objects.count() == 3 and Contact.objects.get(ref="p-1").title == ""  # nothing stored


def words_of(language: str) -> list[str]:
    return {"en": ["this field is required", "no such record"], "sv": ["fältet måste anges", "posten finns inte"]}[
        language
    ]


def test_a_token_without_accept_language_gets_the_users_language(personas: Personas, book: dict[str, Any]) -> None:
    User.objects.filter(pk=personas.seller.pk).update(language="sv")
    anna = Api(personas.seller)
    assert messages(anna.call("get", "/customers/c-malmo-1")) == {"": "posten finns inte"}
    assert messages(anna.call("get", "/customers/c-malmo-1", HTTP_ACCEPT_LANGUAGE="en")) == {"": "no such record"}
