"""The company's travel policy, the way to travel that makes the best plan, and no car across the sea.

Issue 17's tests: four customers in Luleå worth 60,000 SEK each, open two days, a Stockholm seller:
all four visited by plane with a hotel night (and the plan passes the independent checker); with the
plane forbidden by the policy, the best train plan (a visit on each day) and reasons naming both
days; trip-worth Boston from Stockholm: a return fare within the cited source's range and no car or
train; a policy change is versioned and an old plan still shows the policy it used; bad policy input
is refused with the field named. Every plan is solved with an iteration budget.
"""

from __future__ import annotations

import copy
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


def test_a_day_can_fly_out_and_take_the_train_home() -> None:
    """Malmö from Stockholm: only the plane (3 h 24 min) arrives before the customer's window closes,
    and the train home (5 h 4 min) still fits the evening and costs less than the flight with the
    seller's hours priced: the day mixes the two, which neither mode policy alone gives."""
    problem = lulea_problem(default_policy())
    problem["days"] = 1
    problem["seller"]["workday"] = ["07:00", "19:00"]
    problem["visits"] = [
        {"ref": "c-malmo", "lat": 55.6050, "lon": 13.0038, "minutes": 90, "value": sek(20000),
         "windows": [[f"{DAYS[0]}T09:00:00+01:00", f"{DAYS[0]}T12:30:00+01:00"]]},
    ]  # fmt: skip
    plan = solve_problem(parse_problem(problem), iterations=200)
    assert plan["solver"]["stopped_by"] == "iterations"
    check_plan(problem, plan)
    (day,) = plan["days"]
    assert [(s["ref"], s["mode"]) for s in day["stops"]] == [("c-malmo", "air")]
    assert day["finish"]["mode"] == "rail" and day["finish"]["time"] == f"{DAYS[0]}T16:58:00+01:00"
    # The fastest policy's plan, its way home changed to the train: cheaper than flying both ways.
    assert plan["solver"]["mode_policy"] == "fastest"
    assert plan["totals"]["travel_cost"] == sek("5921.78")  # 2,982.54 by air + 2,939.24 by rail


@pytest.fixture
def boston(personas: Personas) -> Customer:
    """Anna's customer in Boston (a Stockholm seller's intercontinental trip)."""
    return Customer.objects.create(
        ref="c-boston", name="Harbor Tools Inc", country="US", city="Boston", lat=42.3601, lon=-71.0589,
        time_zone="America/New_York", owner=personas.seller, visit_minutes=90,
    )  # fmt: skip


@pytest.mark.django_db
def test_trip_worth_boston_from_stockholm_prices_the_flight_at_the_cited_fare_and_offers_no_car(
    personas: Personas, boston: Customer
) -> None:
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
    from kanelbulle.planner.actions import make_plan
    from kanelbulle.planner.models import TravelPolicy, VisitPlan
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


@pytest.mark.django_db
def test_the_admin_saves_a_new_version_on_the_page_and_bad_input_is_refused_naming_the_field(
    personas: Personas,
) -> None:
    import json

    from django.test import Client

    from kanelbulle.planner.models import TravelPolicy

    client = Client()
    client.force_login(personas.admin)
    page = client.get("/plan/policy/", {"today": "2026-11-24"})
    assert page.status_code == 200 and "Our travel policy" in page.content.decode()
    assert "SEK\xa0700</td>" in page.content.decode()  # the first air band's fixed part, as money
    swedish = client.get("/plan/policy/", {"today": "2026-11-24"}, headers={"Accept-Language": "sv"}).content.decode()
    assert "700\xa0kr</td>" in swedish and "1,40\xa0kr</td>" in swedish
    bad = default_policy()
    bad["air"]["bands"][0]["per_km"] = "-1.40"
    bad["hotel_per_night"]["ZZ"] = "900"
    refused = client.post("/plan/policy/", {"valid_from": "2027-01-01", "policy": json.dumps(bad)})
    html = refused.content.decode()
    assert refused.status_code == 400
    assert (
        "air.bands[0].per_km: must not be negative, not -1.40" in html and "hotel_per_night.ZZ: unknown country" in html
    )
    assert TravelPolicy.objects.count() == 1  # the defaults, made when the page was first shown
    for day in ("2027-13-01", "9999-01-01"):  # not a date; a date outside the days every page accepts
        late = client.post("/plan/policy/", {"valid_from": day, "policy": json.dumps(default_policy())})
        assert late.status_code == 400
        assert "valid_from: must be a date YYYY-MM-DD from 1900-01-01 to 2199-12-31" in late.content.decode()
    assert TravelPolicy.objects.count() == 1
    good = default_policy()
    good["modes"] = ["car", "rail"]
    saved = client.post("/plan/policy/", {"valid_from": "2027-01-01", "policy": json.dumps(good), "note": "no flying"})
    assert saved.status_code == 302
    assert TravelPolicy.objects.get(version=2).data["modes"] == ["car", "rail"]
    client.force_login(personas.seller)
    assert client.post("/plan/policy/", {"valid_from": "2027-02-01", "policy": json.dumps(good)}).status_code == 403
    assert TravelPolicy.objects.count() == 2


@pytest.mark.django_db
def test_the_exchange_format_carries_the_policy_versions_and_refuses_a_bad_one_by_path() -> None:
    from kanelbulle.exchange.exporter import export_document
    from kanelbulle.exchange.importer import ImportProblems, import_document
    from kanelbulle.planner.models import TravelPolicy

    bad = default_policy()
    bad["air"]["bands"][1]["from_km"] = 500  # the first band ends at 800 km
    doc = {"format": "kanelbulle/1", "travel_policies": [{"version": 1, "valid_from": "2026-01-01", "policy": bad}]}
    with pytest.raises(ImportProblems) as refused:
        import_document(doc)
    assert [(p.path, p.message) for p in refused.value.problems] == [
        ("travel_policies[0].policy.air.bands[1].from_km", "overlaps the band before it (which ends at 800 km)")
    ]
    assert TravelPolicy.objects.count() == 0
    trains = default_policy()
    trains["modes"] = ["car", "rail"]
    doc["travel_policies"] = [
        {"version": 1, "valid_from": "2026-01-01", "policy": default_policy()},
        {"version": 2, "valid_from": "2027-01-01", "note": "trains only", "policy": trains},
    ]
    report = import_document(doc)
    assert report.counts["travel_policies"].created == 2
    exported = export_document()
    assert exported["travel_policies"] == doc["travel_policies"]
    assert import_document(exported).counts["travel_policies"].unchanged == 2
    changed = copy.deepcopy(doc)
    changed["travel_policies"][1]["policy"]["value_of_hour"] = "500.00"
    with pytest.raises(ImportProblems) as clash:
        import_document(changed)
    assert clash.value.problems[0].path == "travel_policies[1].version"


@pytest.mark.django_db
def test_a_far_away_meeting_request_weighs_in_the_value_and_is_offered_as_a_trip_or_a_video_meeting(
    personas: Personas, boston: Customer
) -> None:
    from kanelbulle.meetings.models import MeetingRequest

    Deal.objects.create(
        ref="d-boston", customer=boston, user=personas.seller, title="Line 4", value_amount=Decimal("100000"),
        value_currency="SEK", probability_pct=Decimal("40"), stage=Stage.OPEN, created="2026-11-01",
    )  # fmt: skip
    MeetingRequest.objects.create(
        ref="r-boston", customer=boston, requested_at=dt.datetime(2026, 11, 20, 9, tzinfo=dt.UTC), status="open"
    )
    result = run("plan", "--today", "2026-11-24", "--user", "anna", "--start", "2026-12-07", "--days", "5",
                 "--iterations", "300", "--json")  # fmt: skip
    assert result.code == 0, result.err
    assert result.json["solver"]["stopped_by"] == "iterations"
    values = {v["ref"]: v for v in result.json["values"]}
    # 100,000 × 40 % = 40,000 at stake: the in-person uplift (20 %, 8,000) plus the request (the 40,000 at stake)
    assert values["c-boston"]["value"]["amount"] == "48000.00" and values["c-boston"]["requested"] is True
    (asked,) = result.json["meeting_requests"]
    assert asked["ref"] == "c-boston" and asked["trip"]["mode"] == "air" and asked["trip"]["hotel_night"] is True
    assert Decimal(asked["trip"]["cost"]["amount"]) > 0
    assert asked["video"] == {"cost": sek(0), "value_kept": sek(40000)}
    worth = run("trip-worth", "--today", "2026-11-24", "--customer", "c-boston", "--json").json
    assert worth["value"]["request"] == sek(40000)
    assert "The customer has asked to meet: the request adds SEK\xa040,000" in worth["summary"]
    assert {o["mode"] for o in worth["options"] if o["available"]} == {"air", "video"}


@pytest.mark.django_db
def test_the_plan_page_shows_a_waiting_request_as_a_trip_or_a_video_meeting(personas: Personas) -> None:
    from django.test import Client

    from kanelbulle.meetings.models import MeetingRequest
    from kanelbulle.planner.models import VisitPlan

    near = Customer.objects.create(
        ref="c-solna", name="Solna Verktyg AB", country="SE", city="Solna", lat=59.36, lon=18.00,
        time_zone="Europe/Stockholm", owner=personas.seller, visit_minutes=60,
    )  # fmt: skip
    MeetingRequest.objects.create(
        ref="r-solna", customer=near, requested_at=dt.datetime(2026, 11, 20, 9, tzinfo=dt.UTC), status="open"
    )
    client = Client()
    client.force_login(personas.seller)
    made = client.post("/plan/solve/", {"start": "2026-12-07", "days": "2", "today": "2026-11-24"})
    assert made.status_code == 302
    assert VisitPlan.objects.get().plan["solver"]["stopped_by"] == "iterations"
    html = client.get(made["Location"]).content.decode()
    assert "Asked to meet: a trip or a video meeting" in html and "Solna Verktyg AB" in html
    assert "a video meeting costs SEK\xa00 and keeps" in html and "in the plan" in html


@pytest.mark.django_db
def test_the_plan_form_refuses_a_first_day_outside_the_days_every_page_accepts(personas: Personas) -> None:
    from django.test import Client

    from kanelbulle.planner.models import VisitPlan

    client = Client()
    client.force_login(personas.seller)
    refused = client.post("/plan/solve/", {"start": "2300-01-05", "days": "2", "today": "2026-11-24"})
    assert refused.status_code == 400
    assert "Use a day from 1900-01-01 to 2199-12-31." in refused.content.decode()
    assert VisitPlan.objects.count() == 0
