"""The company's travel policy, the way to travel that makes the best plan, and no car across the sea.

Issue 17's tests: four customers in Luleå worth 60,000 SEK each, open two days, a Stockholm seller:
all four visited by plane with a hotel night (and the plan passes the independent checker); with the
plane forbidden by the policy, the best train plan (a visit on each day) and reasons naming both
days; trip-worth Boston from Stockholm: a return fare within the cited source's range and no car or
train; a policy change is versioned and an old plan still shows the policy it used; bad policy input
is refused with the field named. Every plan is solved with an iteration budget.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from kanelbulle.customers.models import Customer
from kanelbulle.deals.models import Deal, Stage
from kanelbulle.planner.book import MODES
from kanelbulle.planner.policy import check_policy, default_policy, travel_section
from kanelbulle.planner.problem import parse_problem
from kanelbulle.planner.solver import solve_problem
from tests.cli import run
from tests.personas import Personas
from tests.plan_checker import check_plan

ITERATIONS = 1500
STOCKHOLM = (59.3293, 18.0686)
LULEA = [(65.5848, 22.1547), (65.6000, 22.1200), (65.5700, 22.2000), (65.6200, 22.1700)]
DAYS = ("2026-12-08", "2026-12-09")  # a Tuesday and a Wednesday


def sek(amount: Any) -> dict[str, str]:
    return {"amount": f"{Decimal(amount):.2f}", "currency": "SEK"}


def lulea_problem(policy: dict[str, Any]) -> dict[str, Any]:
    travel, hotel = travel_section(policy, MODES, sek)
    return {
        "format": "kanelbulle-plan/1",
        "start": DAYS[0],
        "days": 2,
        "time_zone": "Europe/Stockholm",
        "seller": {
            "home": {"lat": STOCKHOLM[0], "lon": STOCKHOLM[1]},
            "workday": ["08:00", "17:00"],
            "weekdays": ["mon", "tue", "wed", "thu", "fri"],
            "overnight": {"allowed": True, "cost": hotel},
        },
        "travel": travel,
        "visits": [
            {
                "ref": f"c-lulea-{k + 1}",
                "lat": lat,
                "lon": lon,
                "minutes": 90,
                "value": sek(60000),
                "windows": [[f"{d}T08:00:00+01:00", f"{d}T16:30:00+01:00"] for d in DAYS],
            }
            for k, (lat, lon) in enumerate(LULEA)
        ],
    }


def test_four_customers_in_luleå_are_all_visited_by_plane_with_a_hotel_night() -> None:
    problem = lulea_problem(default_policy())
    plan = solve_problem(parse_problem(problem), iterations=ITERATIONS)
    check_plan(problem, plan)
    stops = [s for day in plan["days"] for s in day["stops"]]
    assert sorted(s["ref"] for s in stops) == ["c-lulea-1", "c-lulea-2", "c-lulea-3", "c-lulea-4"]
    assert plan["dropped"] == []
    assert stops[0]["mode"] == "air" and plan["days"][-1]["finish"]["mode"] == "air"
    assert plan["days"][0]["finish"]["overnight"] is True
    assert plan["totals"]["overnight_cost"] == sek(1400)
    assert plan["solver"]["stopped_by"] == "iterations"
    kept = {p["policy"]: p for p in plan["solver"]["mode_policies"]}
    assert plan["solver"]["mode_policy"] in kept and kept[plan["solver"]["mode_policy"]]["visits"] == 4


def test_with_the_plane_forbidden_the_best_train_plan_visits_on_both_days_and_names_both() -> None:
    policy = default_policy()
    policy["modes"] = ["car", "rail"]
    problem = lulea_problem(policy)
    assert "air" not in problem["travel"]["modes"]
    plan = solve_problem(parse_problem(problem), iterations=ITERATIONS)
    check_plan(problem, plan)
    per_day = [[s for s in day["stops"]] for day in plan["days"]]
    # By train (7 h 10 min each way) only one 90-minute visit fits each day: one out, one back.
    assert [len(stops) for stops in per_day] == [1, 1]
    assert per_day[0][0]["mode"] == "rail" and plan["days"][1]["finish"]["mode"] == "rail"
    assert plan["days"][0]["finish"]["overnight"] is True
    assert len(plan["dropped"]) == 2
    for dropped in plan["dropped"]:
        assert dropped["code"] == "no_time_left"
        assert "2026-12-08" in dropped["reason"] and "2026-12-09" in dropped["reason"], dropped["reason"]


@pytest.mark.django_db
def test_trip_worth_boston_from_stockholm_prices_the_flight_at_the_cited_fare_and_offers_no_car(
    personas: Personas,
) -> None:
    boston = Customer.objects.create(
        ref="c-boston", name="Harbor Tools Inc", country="US", city="Boston", lat=42.3601, lon=-71.0589,
        time_zone="America/New_York", owner=personas.seller, visit_minutes=90,
    )  # fmt: skip
    Deal.objects.create(
        ref="d-boston", customer=boston, user=personas.seller, title="Line 4", value_amount=Decimal("900000"),
        value_currency="SEK", probability_pct=Decimal("50"), stage=Stage.OPEN, created="2026-11-01",
    )  # fmt: skip
    result = run("trip-worth", "--today", "2026-11-24", "--customer", "c-boston", "--json")
    assert result.code == 0, result.err
    doc = result.json
    options = {o["mode"]: o for o in doc["options"]}
    cited = next(
        s["range"] for s in default_policy()["sources"] if s.get("range", {}).get("route") == "Stockholm-Boston"
    )
    fare = Decimal(options["air"]["fare_return"]["amount"])
    assert Decimal(cited["low"]) <= fare <= Decimal(cited["high"]), fare
    assert options["car"]["available"] is False and options["rail"]["available"] is False
    assert options["car"]["text"] == "Boston by car: not offered, there is no land route (across the sea)"
    assert options["air"]["hotel_night"] is True
    assert doc["travel_policy"]["version"] == 1
    assert any("UK Government GHG Conversion Factors" in s for s in doc["sources"])
    assert doc["best"] == "air" and doc["worth_it"] is True


def test_the_default_policy_is_good_and_cites_its_sources_with_years() -> None:
    policy = default_policy()
    assert check_policy(policy) == []
    for source in policy["sources"]:
        assert source["source"] and 2000 <= source["year"] <= 2030


def test_bad_policy_input_is_refused_with_the_field_named() -> None:
    policy = default_policy()
    policy["air"]["bands"][1]["fixed"] = "-100.00"
    policy["hotel_per_night"]["XX"] = "1200.00"
    policy["rail"]["bands"][2]["from_km"] = 700  # the band before ends at 800 km
    problems = {p.field: p.message for p in check_policy(policy)}
    assert problems["air.bands[1].fixed"] == "must not be negative, not -100.00"
    assert problems["hotel_per_night.XX"].startswith("unknown country")
    assert problems["rail.bands[2].from_km"] == "overlaps the band before it (which ends at 800 km)"
    gap = default_policy()
    gap["air"]["bands"][1]["from_km"] = 900
    assert [str(p) for p in check_policy(gap)] == [
        "air.bands[1].from_km: leaves a gap after the band ending at 800 km, not 900"
    ]
    no_car = default_policy()
    no_car["modes"] = ["air"]
    assert [p.field for p in check_policy(no_car)] == ["modes"]


@pytest.mark.django_db
def test_a_policy_change_is_a_new_version_and_an_old_plan_keeps_the_one_it_used(personas: Personas) -> None:
    from kanelbulle.planner.models import TravelPolicy, VisitPlan, make_plan
    from kanelbulle.planner.policy import InvalidPolicy
    from kanelbulle.planner.travel_policy import in_force, save_policy

    Customer.objects.create(
        ref="c-lulea", name="Norrbotten Stål", country="SE", city="Luleå", lat=65.5848, lon=22.1547,
        time_zone="Europe/Stockholm", owner=personas.seller, visit_minutes=90,
    )  # fmt: skip
    today = dt.date(2026, 11, 24)
    saved = make_plan(personas.seller, personas.seller, dt.date(2027, 1, 12), 2, today=today)
    assert saved.plan["travel_policy"]["version"] == 1
    cheaper = default_policy()
    cheaper["hotel_per_night"]["SE"] = "1100.00"
    with pytest.raises(InvalidPolicy):
        save_policy(personas.admin, {**cheaper, "value_of_hour": "-1"}, dt.date(2027, 1, 1))
    assert TravelPolicy.objects.count() == 1  # the refused one stored nothing
    v2 = save_policy(personas.admin, cheaper, dt.date(2027, 1, 1), note="new hotel agreement")
    assert v2.version == 2 and in_force(dt.date(2026, 12, 31)).version == 1 and in_force(dt.date(2027, 1, 1)) == v2
    december = run("plan", "--today", "2026-11-24", "--user", "anna", "--start", "2026-12-08", "--days", "2",
                   "--iterations", "200", "--json")  # fmt: skip
    january = run("plan", "--today", "2026-11-24", "--user", "anna", "--start", "2027-01-12", "--days", "2",
                  "--iterations", "200", "--json")  # fmt: skip
    assert december.code == january.code == 0, december.err
    assert december.json["travel_policy"]["version"] == 1  # the policy in force on the day planned
    assert january.json["travel_policy"] == {"version": 2, "valid_from": "2027-01-01", "currency": "SEK"}
    # The plan saved before the change still shows the policy it was made with.
    assert VisitPlan.objects.get(pk=saved.pk).plan["travel_policy"]["version"] == 1
