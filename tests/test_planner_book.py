"""`kanelbulle plan --user NAME`: the problem built from the book, solved and checked."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kanelbulle.customers.models import Customer
from kanelbulle.deals.models import Deal, Stage
from kanelbulle.meetings.models import MeetingRequest
from kanelbulle.planner.book import problem_for
from tests.cli import run
from tests.personas import Personas
from tests.plan_checker import check_plan

START = dt.date(2026, 11, 30)  # a Monday
TODAY = dt.date(2026, 11, 27)  # the Friday before: the day the book is valued on
LULEA = [(65.5848, 22.1547), (65.6000, 22.1000), (65.5700, 22.2000), (65.6200, 22.1300)]
LOCAL = [(59.8586, 17.6389), (59.1955, 17.6253), (59.3600, 18.0000)]
OPEN_TUE_THU = {d: [["08:00", "16:30"]] for d in ("tue", "wed", "thu")}


def book(personas: Personas, lulea_deal: str) -> None:
    anna = personas.seller
    for j, (lat, lon) in enumerate(LULEA):
        c = Customer.objects.create(
            ref=f"c-lulea-{j + 1}", name=f"Luleå {j + 1}", country="SE", city="Luleå", lat=lat, lon=lon,
            time_zone="Europe/Stockholm", owner=anna, visit_minutes=90, opening_hours=OPEN_TUE_THU,
        )  # fmt: skip
        Deal.objects.create(
            ref=f"d-lulea-{j + 1}", customer=c, user=anna, title="Line 3", value_amount=Decimal(lulea_deal),
            value_currency="SEK", probability_pct=Decimal("50"), stage=Stage.OPEN, created=START,
        )  # fmt: skip
    for j, (lat, lon) in enumerate(LOCAL):
        c = Customer.objects.create(
            ref=f"c-local-{j + 1}", name=f"Local {j + 1}", country="SE", city="Stockholm", lat=lat, lon=lon,
            time_zone="Europe/Stockholm", owner=anna, visit_minutes=60,
        )  # fmt: skip
        Deal.objects.create(
            ref=f"d-local-{j + 1}", customer=c, user=anna, title="Refill", value_amount=Decimal("100000"),
            value_currency="SEK", stage=Stage.OPEN, created=START,
        )  # fmt: skip
    MeetingRequest.objects.create(
        ref="r-1", customer=Customer.objects.get(ref="c-local-3"),
        requested_at=dt.datetime(2026, 11, 20, 9, tzinfo=dt.UTC),
    )  # fmt: skip


def plan(personas: Personas) -> tuple[dict, dict]:  # type: ignore[type-arg]
    result = run(
        "plan", "--user", "anna", "--start", START.isoformat(), "--days", "5", "--iterations", "2000",
        "--today", TODAY.isoformat(), "--json",
    )  # fmt: skip
    assert result.code == 0, result.err
    assert result.json["solver"]["stopped_by"] == "iterations"
    raw, _values = problem_for(personas.seller, START, 5, TODAY)
    check_plan(raw, result.json)
    return raw, result.json


@pytest.mark.django_db
def test_a_stockholm_sellers_week_flies_to_luleå_when_the_deals_justify_it(personas: Personas) -> None:
    book(personas, lulea_deal="600000")
    _raw, doc = plan(personas)
    stops = [s["ref"] for d in doc["days"] for s in d["stops"]]
    assert {f"c-lulea-{j}" for j in range(1, 5)} <= set(stops)
    assert sum(d["finish"]["overnight"] for d in doc["days"]) >= 1
    assert "c-local-3" in stops  # the waiting meeting request is honoured
    values = {v["ref"]: v for v in doc["values"]}
    assert values["c-lulea-1"]["value"] == {"amount": "60000.00", "currency": "SEK"}  # 600k × 50% × 20%
    assert values["c-local-3"]["requested"] is True and values["c-local-3"]["required"] is False
    assert any("waiting meeting request" in w for w in values["c-local-3"]["why"])
    assert any("the team's win rate" in w or "a prior of 30%" in w for w in values["c-local-1"]["why"])


@pytest.mark.django_db
def test_the_luleå_trip_is_dropped_with_its_reason_when_the_deals_are_small(personas: Personas) -> None:
    book(personas, lulea_deal="5000")  # 500 SEK a visit: less than the flight (the policy's true fares)
    _raw, doc = plan(personas)
    reasons = {d["ref"]: d["reason"] for d in doc["dropped"]}
    assert set(reasons) >= {f"c-lulea-{j}" for j in range(1, 5)}
    assert all(reasons[f"c-lulea-{j}"].startswith("not worth the trip") for j in range(1, 5))


@pytest.mark.django_db
def test_plan_for_a_user_needs_a_known_user_a_date_and_days(personas: Personas) -> None:
    result = run("plan", "--user", "nobody", "--start", "30/11/2026", "--json")
    assert result.code == 2
    assert result.out == ""
    assert result.err_lines == [
        "--start: '30/11/2026' is not a date YYYY-MM-DD",
        "--days: give the number of calendar days to plan",
        "--user: no user named 'nobody'",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("start", ["9999-12-31", "0001-01-01", "2040-01-05"])
def test_plan_for_a_user_keeps_to_the_pages_horizon(personas: Personas, start: str) -> None:
    """`--start 9999-12-31` once overflowed (`failed: OverflowError`, exit 1): the command takes the
    days the plan page and the API take, within ten years of today."""
    result = run("plan", "--user", "anna", "--start", start, "--days", "3", "--today", TODAY.isoformat())
    assert result.code == 2, result.err
    assert result.err_lines == [f"--start: Plan days within ten years of today, not from {start}."]


@pytest.mark.django_db
def test_a_time_limit_spent_before_the_search_is_said_not_hidden(personas: Personas) -> None:
    book(personas, "60000")
    result = run(
        "plan", "--user", "anna", "--start", START.isoformat(), "--days", "5", "--seconds", "0.001",
        "--today", TODAY.isoformat(), "--json",
    )  # fmt: skip
    assert result.code == 0, result.err
    assert result.json["solver"]["stopped_by"] == "seconds" and result.json["solver"]["iterations"] == 0
    (warning,) = result.err_lines
    assert warning.startswith("warning: the time limit was spent before the search began")
