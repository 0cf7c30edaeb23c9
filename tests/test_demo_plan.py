"""The planner issue's story on the demo book: a Stockholm seller's fortnight takes the trip to
Luleå while the deals there are worth it, and drops it, saying why, when they are not."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from kanelbulle.deals.models import Deal, Order
from kanelbulle.meetings.models import MeetingRequest
from tests.cli import run

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
LULEA = ["c-lulea-1", "c-lulea-2", "c-lulea-3", "c-lulea-4"]
TODAY = "2026-11-24"  # the demo's dates count back from this day, and the plan values the book on it


def plan_anna() -> dict[str, Any]:
    with translation.override("en"):
        result = run(
            "plan", "--user", "anna", "--start", "2026-11-30", "--days", "14", "--iterations", "3000",
            "--today", TODAY, "--json",
        )  # fmt: skip
    assert result.code == 0, result.err
    assert result.json["solver"]["stopped_by"] == "iterations"  # not the machine's speed
    return dict(result.json)


def visited(plan: dict[str, Any]) -> dict[str, str]:
    return {stop["ref"]: day["date"] for day in plan["days"] for stop in day["stops"]}


def test_the_lulea_trip_is_made_while_it_pays_and_dropped_with_a_reason_when_not() -> None:
    assert run("demo", "--no-serve", "--today", TODAY).code == 0

    plan = plan_anna()
    days = visited(plan)
    assert set(LULEA) <= set(days), days
    # Far from home: the trip to Luleå has a night in a hotel up north, not a drive home to Stockholm.
    lulea_days = {days[ref] for ref in LULEA}
    nights_north = [
        d for d in plan["days"] if d["date"] in lulea_days and d["finish"]["overnight"] and d["finish"]["lat"] > 63
    ]
    assert nights_north, [(d["date"], d["finish"]) for d in plan["days"]]

    # Now the deals there are small, the orders tiny and nobody there is waiting to meet.
    Deal.objects.filter(customer__ref__in=LULEA, stage="open").update(value_amount=Decimal("2000.00"))
    Order.objects.filter(customer__ref__in=LULEA).update(value_amount=Decimal("100.00"))
    MeetingRequest.objects.filter(customer__ref__in=LULEA, status="open").update(status="declined")
    plan = plan_anna()
    assert not set(LULEA) & set(visited(plan))
    dropped = {d["ref"]: d for d in plan["dropped"]}
    for ref in LULEA:
        assert dropped[ref]["code"] == "not_worth"
        assert dropped[ref]["reason"].startswith("not worth the trip: value ")
