""" "Today" is a parameter everywhere that counts days: commands take --today, pages and the API a
``today`` parameter, with one rule for what a day may be (core/days.py). The same day gives the
same answer whatever the calendar says; a day that is not a date, or one so far out that the date
arithmetic overflows (9999-12-31), is refused with the field named, never a crash."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from kanelbulle.accounts.models import ApiToken
from kanelbulle.customers.models import Customer
from kanelbulle.deals.models import Deal, Stage
from kanelbulle.meetings.models import MeetingRequest
from tests.cli import run
from tests.personas import Personas

pytestmark = pytest.mark.django_db

COMMANDS = [
    ("plan", "--user", "anna", "--start", "2026-11-30", "--days", "1", "--iterations", "50"),
    ("brief", "--customer", "c-lulea"),
    ("trip-worth", "--customer", "c-lulea"),
    ("evidence",),
    ("attention", "--user", "anna"),
    ("digest", "--user", "anna"),
    ("privacy", "retention"),
    ("demo", "--no-serve"),
]


@pytest.fixture
def lulea(personas: Personas) -> Customer:
    c = Customer.objects.create(
        ref="c-lulea", name="Norrbotten Stål", country="SE", city="Luleå", lat=65.5848, lon=22.1547,
        time_zone="Europe/Stockholm", owner=personas.seller, visit_minutes=90,
    )  # fmt: skip
    Deal.objects.create(
        ref="d-lulea", customer=c, user=personas.seller, title="Line 3", value_amount=Decimal("600000"),
        value_currency="SEK", probability_pct=Decimal("40"), stage=Stage.OPEN, created=dt.date(2026, 9, 1),
    )  # fmt: skip
    MeetingRequest.objects.create(ref="r-lulea", customer=c, requested_at=dt.datetime(2026, 11, 3, 9, tzinfo=dt.UTC))
    return c


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0] + (f" {c[1]}" if c[0] == "privacy" else ""))
@pytest.mark.parametrize(
    ("day", "message"),
    [
        ("tomorrow", "--today: 'tomorrow' is not a date; use YYYY-MM-DD, e.g. 2026-01-31"),
        ("2026-02-30", "--today: '2026-02-30' is not a date; use YYYY-MM-DD, e.g. 2026-01-31"),
        ("9999-12-31", "--today: 9999-12-31 is outside 1900-01-01 to 2199-12-31"),
        ("0001-01-01", "--today: 0001-01-01 is outside 1900-01-01 to 2199-12-31"),
    ],
)
def test_every_command_that_counts_days_refuses_a_bad_today_in_one_line(
    command: tuple[str, ...], day: str, message: str, lulea: Customer
) -> None:
    result = run(*command, "--today", day)
    assert result.code == 2, result.err
    assert result.err_lines == [message]
    assert result.out == ""


def test_the_brief_counts_a_requests_wait_from_the_day_it_is_asked_for(lulea: Customer) -> None:
    early = run("brief", "--customer", "c-lulea", "--today", "2026-11-24", "--json").json
    late = run("brief", "--customer", "c-lulea", "--today", "2027-01-02", "--json").json
    assert early["waiting_requests"][0]["waiting_days"] == 21
    assert late["waiting_requests"][0]["waiting_days"] == 60


def test_trip_worth_values_the_book_as_of_the_day_given(lulea: Customer) -> None:
    first = run("trip-worth", "--customer", "c-lulea", "--today", "2026-11-24", "--json")
    again = run("trip-worth", "--customer", "c-lulea", "--today", "2026-11-24", "--json")
    assert first.code == 0, first.err
    assert first.json == again.json  # the same day, the same answer


def test_a_plan_says_the_day_it_was_valued_on(lulea: Customer) -> None:
    result = run(
        "plan", "--user", "anna", "--start", "2026-11-30", "--days", "2", "--iterations", "200",
        "--today", "2026-11-24", "--json",
    )  # fmt: skip
    assert result.code == 0, result.err
    assert result.json["as_of"] == "2026-11-24"
    assert result.json["solver"]["stopped_by"] == "iterations" and result.json["solver"]["iterations"] == 200


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "2026-13-01"])
def test_the_api_refuses_a_bad_today_with_422_naming_it(personas: Personas, lulea: Customer, day: str) -> None:
    _, token = ApiToken.issue(personas.seller)
    client = Client(headers={"Authorization": f"Bearer {token}"})
    for url in ("/api/v1/attention", "/api/v1/evidence", "/api/v1/brief/c-lulea", "/api/v1/trip-worth/c-lulea"):
        response = client.get(url, {"today": day})
        assert response.status_code == 422, (url, response.content)
        assert [e["path"] for e in response.json()["errors"]] == ["today"], url
    response = client.post("/api/v1/plan", {"days": 1, "today": day}, content_type="application/json")
    assert response.status_code == 422, response.content
    assert [e["path"] for e in response.json()["errors"]] == ["today"]


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "soon"])
def test_pages_refuse_a_bad_today_with_400(personas: Personas, lulea: Customer, day: str) -> None:
    client = Client()
    client.force_login(personas.seller)
    for url in ("/attention/", "/attention/size-bias/", "/evidence/", "/plan/brief/c-lulea/", "/plan/worth/c-lulea/"):
        assert client.get(url, {"today": day}).status_code == 400, url
    client.force_login(personas.admin)
    assert client.get("/privacy/", {"today": day}).status_code == 400


def test_pages_answer_as_of_the_day_given(personas: Personas, lulea: Customer) -> None:
    client = Client()
    client.force_login(personas.seller)
    early = client.get("/plan/brief/c-lulea/", {"today": "2026-11-24"}).content.decode()
    late = client.get("/plan/brief/c-lulea/", {"today": "2027-01-02"}).content.decode()
    assert early != late
    api = client.get("/api/v1/brief/c-lulea", {"today": "2026-11-24"}).json()
    assert api["waiting_requests"][0]["waiting_days"] == 21
