"""The planner as a plain module and through `kanelbulle plan --problem FILE`.

Every plan that comes back is checked by tests/plan_checker.py, which recomputes times, windows,
working hours and totals from the contract's travel model without the planner's code.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from kanelbulle.planner.problem import InvalidProblem, parse_problem
from kanelbulle.planner.solver import solve_problem
from tests.cli import run
from tests.plan_checker import check_plan, violations

ITERATIONS = 2000
BENCH = Path(__file__).parent / "fixtures" / "vrptw"  # two Solomon instances and their best-known costs

STOCKHOLM = {"lat": 59.3293, "lon": 18.0686}
WEEK = ["2026-11-30", "2026-12-01", "2026-12-02", "2026-12-03", "2026-12-04"]  # Monday to Friday
LOCAL = [
    ("c-uppsala", 59.8586, 17.6389, "4000.00"),
    ("c-sodertalje", 59.1955, 17.6253, "3000.00"),
    ("c-solna", 59.3600, 18.0000, "2500.00"),
    ("c-nacka", 59.3100, 18.1600, "2000.00"),
    ("c-taby", 59.4439, 18.0687, "1500.00"),
]
LULEA = [(65.5848, 22.1547), (65.6000, 22.1000), (65.5700, 22.2000), (65.6200, 22.1300)]


def money(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "SEK"}


def window(day: str, begin: str = "08:00", end: str = "17:00") -> list[str]:
    return [f"{day}T{begin}:00+01:00", f"{day}T{end}:00+01:00"]


def week_problem(lulea_value: str = "60000.00") -> dict[str, Any]:
    """A Stockholm seller's week: five local customers and four in Luleå open Tuesday to Thursday."""
    visits: list[dict[str, Any]] = [
        {"ref": ref, "lat": lat, "lon": lon, "minutes": 60, "value": money(value), "windows": [window(d) for d in WEEK]}
        for ref, lat, lon, value in LOCAL
    ]
    for j, (lat, lon) in enumerate(LULEA):
        visits.append(
            {
                "ref": f"c-lulea-{j + 1}",
                "lat": lat,
                "lon": lon,
                "minutes": 90,
                "value": money(lulea_value),
                "windows": [window(d) for d in WEEK[1:4]],
            }
        )
    return {
        "format": "kanelbulle-plan/1",
        "start": "2026-11-30",
        "days": 5,
        "time_zone": "Europe/Stockholm",
        "seller": {
            "home": dict(STOCKHOLM),
            "workday": ["08:00", "17:00"],
            "weekdays": ["mon", "tue", "wed", "thu", "fri"],
            "overnight": {"allowed": True, "cost": money("1400.00")},
        },
        "travel": {
            "cost_per_hour": money("450.00"),
            "modes": {
                "car": {
                    "factor": 1.3,
                    "speed_kmh": 75,
                    "overhead_minutes": 0,
                    "min_km": 0,
                    "cost_per_km": money("2.50"),
                    "fixed_cost": money("0.00"),
                    "co2_g_per_km": 120,
                },
                "air": {
                    "factor": 1.05,
                    "speed_kmh": 600,
                    "overhead_minutes": 150,
                    "min_km": 400,
                    "cost_per_km": money("3.00"),
                    "fixed_cost": money("900.00"),
                    "co2_g_per_km": 150,
                },
            },
        },
        "visits": visits,
    }


def solve(raw: dict[str, Any], iterations: int = ITERATIONS, seed: int = 1) -> dict[str, Any]:
    plan = solve_problem(parse_problem(raw), seconds=None, iterations=iterations, seed=seed)
    assert plan["solver"]["stopped_by"] == "iterations"  # the plan is the budget's, not the machine's speed
    check_plan(raw, plan)
    return plan


def planned(plan: dict[str, Any]) -> list[str]:
    return [stop["ref"] for day in plan["days"] for stop in day["stops"]]


def test_a_valuable_luleå_trip_is_flown_with_a_hotel_night() -> None:
    plan = solve(week_problem("60000.00"))
    assert plan["feasible"] is True
    lulea = {f"c-lulea-{j}" for j in range(1, 5)}
    assert lulea <= set(planned(plan))
    nights = [day for day in plan["days"] if day["finish"]["overnight"]]
    assert len(nights) == 1
    night = plan["days"].index(nights[0])
    assert "air" in [s["mode"] for s in plan["days"][night]["stops"]]  # flies up
    after = plan["days"][night + 1]
    legs_home = [s["mode"] for s in after["stops"]] + [after["finish"]["mode"]]
    assert "air" in legs_home  # and flies home the next day
    assert plan["totals"]["overnight_cost"] == money("1400.00")
    assert plan["dropped"] == []


def test_a_luleå_trip_worth_less_than_its_flights_is_dropped_with_the_reason() -> None:
    plan = solve(week_problem("1500.00"))
    assert not any(ref.startswith("c-lulea") for ref in planned(plan))
    reasons = {d["ref"]: d["reason"] for d in plan["dropped"]}
    assert set(reasons) == {f"c-lulea-{j}" for j in range(1, 5)}
    for reason in reasons.values():
        assert reason.startswith("not worth the trip: value SEK\xa01,500 < marginal travel cost ")
    assert all(not day["finish"]["overnight"] for day in plan["days"])
    assert {"c-uppsala", "c-solna", "c-nacka"} <= set(planned(plan))


def test_the_same_problem_and_seed_give_the_same_plan() -> None:
    first = solve(week_problem(), iterations=1000, seed=7)
    second = solve(week_problem(), iterations=1000, seed=7)
    first.pop("solver")
    second.pop("solver")
    assert first == second


def test_the_contract_example_flight_to_luleå() -> None:
    raw = week_problem()
    raw["days"] = 2
    raw["visits"] = [
        {
            "ref": "c-lulea-1",
            "lat": 65.5848,
            "lon": 22.1547,
            "minutes": 90,
            "value": money("18000.00"),
            "required": False,
            "windows": [["2026-11-30T08:00:00+01:00", "2026-11-30T16:30:00+01:00"]],
        }
    ]
    plan = solve(raw, iterations=500)
    first = plan["days"][0]
    assert first["stops"] == [
        {
            "ref": "c-lulea-1",
            "mode": "air",
            "arrive": "2026-11-30T11:47:00+01:00",
            "begin": "2026-11-30T11:47:00+01:00",
            "end": "2026-11-30T13:17:00+01:00",
        }
    ]
    assert first["finish"] == {
        "lat": 65.5848,
        "lon": 22.1547,
        "mode": None,
        "time": "2026-11-30T13:17:00+01:00",
        "overnight": True,
    }
    assert (first["km"], first["travel_minutes"]) == ("762.6", 226)
    assert plan["days"][1]["start"]["lat"] == 65.5848
    assert plan["days"][1]["finish"]["mode"] == "air"


def test_weekends_are_not_worked_and_times_follow_daylight_saving() -> None:
    raw = week_problem()
    raw["start"] = "2026-10-23"  # Friday; summer time ends on Sunday 25 October
    raw["days"] = 4
    raw["visits"] = [
        {"ref": "c-fri", "lat": 59.36, "lon": 18.0, "minutes": 60, "value": money("5000.00"),
         "windows": [["2026-10-23T09:00:00+02:00", "2026-10-23T12:00:00+02:00"]]},
        {"ref": "c-mon", "lat": 59.31, "lon": 18.16, "minutes": 60, "value": money("5000.00"),
         "windows": [["2026-10-26T09:00:00+01:00", "2026-10-26T12:00:00+01:00"]]},
        {"ref": "c-sat", "lat": 59.44, "lon": 18.07, "minutes": 60, "value": money("5000.00"),
         "windows": [["2026-10-24T09:00:00+02:00", "2026-10-24T12:00:00+02:00"]]},
    ]  # fmt: skip
    plan = solve(raw, iterations=500)
    assert [d["date"] for d in plan["days"]] == ["2026-10-23", "2026-10-26"]
    assert plan["days"][0]["stops"][0]["begin"].endswith("+02:00")
    assert plan["days"][1]["stops"][0]["begin"] == "2026-10-26T09:00:00+01:00"
    assert plan["dropped"][0]["ref"] == "c-sat"
    assert "none of its windows falls within working hours" in plan["dropped"][0]["reason"]


def test_a_stop_abroad_is_shown_in_its_own_time_zone() -> None:
    raw = week_problem()
    raw["days"] = 1
    raw["visits"] = [
        {"ref": "c-oulu", "lat": 65.0121, "lon": 25.4651, "minutes": 60, "value": money("90000.00"),
         "time_zone": "Europe/Helsinki", "windows": [["2026-11-30T10:00:00+02:00", "2026-11-30T16:00:00+02:00"]]},
        {"ref": "c-turku", "lat": 60.4518, "lon": 22.2666, "minutes": 60, "value": money("90000.00"),
         "time_zone": "Europe/Helsinki", "windows": [["2026-11-30T10:00:00+02:00", "2026-11-30T16:00:00+02:00"]]},
    ]  # fmt: skip
    plan = solve(raw, iterations=300)
    stop = plan["days"][0]["stops"][0]
    assert stop == {
        "ref": "c-oulu",
        "mode": "air",
        "arrive": "2026-11-30T12:48:00+02:00",
        "begin": "2026-11-30T12:48:00+02:00",
        "end": "2026-11-30T13:48:00+02:00",
    }
    assert plan["days"][0]["start"]["time"] == "2026-11-30T08:00:00+01:00"
    # Turku is too close to fly (under 400 km) and too far to drive there and back in a day.
    assert plan["dropped"][0]["ref"] == "c-turku"
    assert plan["dropped"][0]["reason"].startswith("out of reach: 276 minutes by car from home")


def test_a_required_visit_that_cannot_be_placed_is_named_with_the_reason() -> None:
    raw = week_problem()
    raw["days"] = 1
    raw["visits"] = [
        {"ref": "c-a", "lat": 59.36, "lon": 18.0, "minutes": 120, "required": True,
         "windows": [["2026-11-30T10:00:00+01:00", "2026-11-30T12:00:00+01:00"]]},
        {"ref": "c-b", "lat": 59.8586, "lon": 17.6389, "minutes": 120, "required": True,
         "windows": [["2026-11-30T10:00:00+01:00", "2026-11-30T12:00:00+01:00"]]},
        {"ref": "c-sunday", "lat": 59.44, "lon": 18.07, "minutes": 60, "required": True,
         "windows": [["2026-12-06T10:00:00+01:00", "2026-12-06T12:00:00+01:00"]]},
        {"ref": "c-kiruna", "lat": 67.8558, "lon": 20.2253, "minutes": 60, "required": True,
         "windows": [["2026-11-30T08:00:00+01:00", "2026-11-30T17:00:00+01:00"]]},
    ]  # fmt: skip
    plan = solve(raw, iterations=500)
    assert plan["feasible"] is False
    reasons = {item["ref"]: item["reason"] for item in plan["infeasible"]}
    assert set(reasons) == {"c-sunday", "c-kiruna", "c-a"} or set(reasons) == {"c-sunday", "c-kiruna", "c-b"}
    assert "none of its windows falls within working hours" in reasons["c-sunday"]
    assert "out of reach" in reasons["c-kiruna"]
    clash = reasons.get("c-a") or reasons["c-b"]
    assert "no schedule was found that fits it together with the other visits" in clash


def test_the_checker_catches_a_plan_that_breaks_the_rules() -> None:
    raw = week_problem()
    plan = solve(raw, iterations=300)
    day = next(d for d in plan["days"] if d["stops"])
    bad = copy.deepcopy(plan)
    bad_day = bad["days"][plan["days"].index(day)]
    bad_day["stops"][0]["arrive"] = bad_day["start"]["time"]  # teleporting
    bad["totals"]["km"] = "1.0"
    found = violations(raw, bad)
    assert any("the travel model says" in v for v in found)
    assert any(v.startswith("totals.km") for v in found)


BAD_INPUTS: list[tuple[str, Any, str, str]] = [
    ("window ends before it starts", ("visits", 0, "windows", 0),
     ["2026-11-30T12:00:00+01:00", "2026-11-30T09:00:00+01:00"], "$.visits[0].windows[0]: ends"),
    ("unknown time zone", ("time_zone",), "Europe/Atlantis", "$.time_zone: unknown time zone"),
    ("unknown visit time zone", ("visits", 1, "time_zone"), "Mars/Olympus", "$.visits[1].time_zone: unknown time zone"),
    ("negative duration", ("visits", 2, "minutes"), -30, "$.visits[2].minutes: a visit's duration must be positive"),
    ("mixed currencies", ("visits", 3, "value"), {"amount": "10.00", "currency": "EUR"},
     "$.visits[3].value.currency: mixed currencies: EUR here, SEK at"),
    ("latitude out of range", ("visits", 0, "lat"), 91.5, "$.visits[0].lat: must be at most 90"),
    ("longitude out of range", ("seller", "home", "lon"), -200, "$.seller.home.lon: must be at least -180"),
    ("window without offset", ("visits", 0, "windows", 0, 0), "2026-11-30T08:00:00",
     "$.visits[0].windows[0][0]: \"2026-11-30T08:00:00\" has no UTC offset"),
    ("workday ends before it starts", ("seller", "workday"), ["17:00", "08:00"], "$.seller.workday: ends"),
    ("unknown weekday", ("seller", "weekdays", 0), "monday", "$.seller.weekdays[0]: must be one of"),
    ("amount as a float", ("travel", "cost_per_hour", "amount"), 450.0,
     "$.travel.cost_per_hour.amount: must be a decimal string"),
    ("negative price", ("travel", "modes", "car", "cost_per_km", "amount"), "-1.00",
     "$.travel.modes.car.cost_per_km.amount: must not be negative"),
    ("unknown mode", ("travel", "modes", "teleport"), {}, "$.travel.modes.teleport: unknown mode"),
    ("zero speed", ("travel", "modes", "air", "speed_kmh"), 0, "$.travel.modes.air.speed_kmh: must be greater than 0"),
    ("no days", ("days",), 0, "$.days: must be between 1 and"),
    ("bad start date", ("start",), "2026-02-30", "$.start: must be a date"),
    ("wrong format", ("format",), "kanelbulle-plan/2", '$.format: must be "kanelbulle-plan/1"'),
    ("duplicate ref", ("visits", 1, "ref"), "c-uppsala", '$.visits[1].ref: "c-uppsala" is already used by $.visits[0]'),
    ("misspelt field", ("visits", 0, "requried"), True, "$.visits[0].requried: unknown field"),
    ("not a boolean", ("visits", 0, "required"), "yes", "$.visits[0].required: must be true or false"),
]  # fmt: skip


def _set(doc: Any, path: tuple[Any, ...], value: Any) -> None:
    for key in path[:-1]:
        doc = doc[key]
    doc[path[-1]] = value


@pytest.mark.parametrize(("path", "value", "expected"), [b[1:] for b in BAD_INPUTS], ids=[b[0] for b in BAD_INPUTS])
def test_each_bad_input_is_named_by_its_json_path(path: tuple[Any, ...], value: Any, expected: str) -> None:
    raw = week_problem()
    _set(raw, path, value)
    with pytest.raises(InvalidProblem) as caught:
        parse_problem(raw)
    lines = [str(p) for p in caught.value.problems]
    assert any(line.startswith(expected) for line in lines), lines


def test_a_missing_field_and_a_non_object_are_problems_too() -> None:
    raw = week_problem()
    del raw["seller"]["workday"]
    raw["visits"][0] = "c-uppsala"
    with pytest.raises(InvalidProblem) as caught:
        parse_problem(raw)
    assert [str(p) for p in caught.value.problems] == [
        "$.seller.workday: is missing",
        "$.visits[0]: must be an object",
    ]


def test_the_cli_reports_every_problem_on_its_own_line_and_exits_2(tmp_path: Path) -> None:
    raw = week_problem()
    raw["time_zone"] = "Nowhere/Place"
    raw["visits"][2]["minutes"] = -5
    raw["visits"][3]["lat"] = 123
    file = tmp_path / "bad.json"
    file.write_text(json.dumps(raw))
    result = run("plan", "--problem", str(file), "--json")
    assert result.code == 2
    assert result.out == ""
    assert result.err_lines == [
        '$.time_zone: unknown time zone "Nowhere/Place" (use an IANA name such as Europe/Stockholm)',
        "$.visits[2].minutes: a visit's duration must be positive, not -5",
        "$.visits[3].lat: must be at most 90, not 123",
    ]


def test_the_cli_refuses_a_file_that_is_not_json(tmp_path: Path) -> None:
    file = tmp_path / "plan.json"
    file.write_text("{not json")
    result = run("plan", "--problem", str(file))
    assert result.code == 2
    assert result.err_lines[0].startswith("plan.json: not JSON (line 1")
    missing = run("plan", "--problem", str(tmp_path / "nope.json"))
    assert missing.code == 2 and "no such file" in missing.err


def test_the_cli_prints_one_plan_document(tmp_path: Path) -> None:
    raw = week_problem()
    file = tmp_path / "week.json"
    file.write_text(json.dumps(raw))
    result = run("plan", "--problem", str(file), "--iterations", str(ITERATIONS), "--seed", "3", "--json")
    assert result.code == 0, result.err
    plan = result.json
    check_plan(raw, plan)
    assert plan["solver"]["stopped_by"] == "iterations"
    assert plan["solver"]["iterations"] == ITERATIONS
    assert plan["solver"]["seed"] == 3
    assert result.err == ""  # no progress line when stderr is not a terminal
    text = run("plan", "--problem", str(file), "--iterations", "200")
    assert text.code == 0 and "value covered" in text.out


def test_an_infeasible_plan_still_exits_0_with_its_reasons(tmp_path: Path) -> None:
    raw = week_problem()
    raw["visits"][0]["required"] = True
    raw["visits"][0]["windows"] = [["2026-12-05T10:00:00+01:00", "2026-12-05T12:00:00+01:00"]]  # Saturday
    file = tmp_path / "sat.json"
    file.write_text(json.dumps(raw))
    result = run("plan", "--problem", str(file), "--iterations", "300", "--json")
    assert result.code == 0
    assert result.json["solver"]["stopped_by"] == "iterations"
    assert result.json["feasible"] is False
    assert result.json["infeasible"][0]["ref"] == "c-uppsala"


def _bks(instance: str) -> float:
    for line in (BENCH / "bks.csv").read_text().splitlines()[1:]:
        name, _n, cost, _src = line.split(",", 3)
        if name == instance:
            return float(cost)
    raise KeyError(instance)


@pytest.mark.parametrize("name", ["C101.txt", "R101.vrp"])
def test_a_solomon_instance_is_solved_to_feasibility(name: str) -> None:
    result = run("plan", "--problem", str(BENCH / name), "--iterations", "300", "--json")
    assert result.code == 0, result.err
    doc = result.json
    assert set(doc) == {"cost", "routes", "feasible", "seconds", "iterations", "stopped_by"}
    assert doc["stopped_by"] == "iterations" and doc["iterations"] == 300
    assert doc["feasible"] is True
    clients = sorted(c for route in doc["routes"] for c in route)
    assert clients == list(range(1, 101))  # every client exactly once, numbered as in .sol files
    assert len(doc["routes"]) <= 25  # the instance's number of vehicles
    assert doc["cost"] >= _bks(f"solomon/{name.split('.')[0]}")
    assert doc["cost"] <= _bks(f"solomon/{name.split('.')[0]}") * 1.15


def test_a_benchmark_file_that_cannot_be_read_is_bad_input(tmp_path: Path) -> None:
    file = tmp_path / "broken.vrp"
    file.write_text("NAME : nothing\n")
    result = run("plan", "--problem", str(file), "--json")
    assert result.code == 2
    assert result.out == ""
    assert result.err_lines[0].startswith("broken.vrp: ")


def test_the_clock_stops_the_search_when_no_iteration_limit_is_given(tmp_path: Path) -> None:
    file = tmp_path / "week.json"
    file.write_text(json.dumps(week_problem()))
    result = run("plan", "--problem", str(file), "--seconds", "0.5", "--json")
    assert result.code == 0
    assert result.json["solver"]["stopped_by"] == "seconds"


def test_a_progress_line_is_shown_on_a_terminal(tmp_path: Path) -> None:
    import os
    import pty
    import subprocess
    import sys

    file = tmp_path / "week.json"
    file.write_text(json.dumps(week_problem()))
    leader, follower = pty.openpty()
    env = {**os.environ, "KANELBULLE_DATA_DIR": str(tmp_path)}
    code = "from kanelbulle.cli import main; main()"
    done = subprocess.run(
        [sys.executable, "-c", code, "plan", "--problem", str(file), "--iterations", "300", "--json"],
        stdout=subprocess.PIPE,
        stderr=follower,
        env=env,
        timeout=60,
        check=False,
    )
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    assert done.returncode == 0
    assert json.loads(done.stdout)["feasible"] is True  # stdout holds only the plan
    assert b"solving:" in shown and b"iterations" in shown


def test_without_hotel_nights_luleå_is_out_of_reach_in_a_day() -> None:
    raw = week_problem()
    raw["seller"]["overnight"] = {"allowed": False}
    plan = solve(raw, iterations=500)
    assert all(not day["finish"]["overnight"] for day in plan["days"])
    reasons = {d["ref"]: d["reason"] for d in plan["dropped"]}
    assert reasons["c-lulea-1"].startswith("out of reach: 227 minutes by air from home, a 90-minute visit")


GOTHENBURG = {"ref": "c-goteborg", "lat": 57.7089, "lon": 11.9746, "minutes": 60, "required": True}


def test_a_required_visit_that_needs_a_hotel_night_gets_one() -> None:
    from kanelbulle.planner.repair import place_required
    from kanelbulle.planner.solver import _at_home, build, read_back

    raw = week_problem()
    raw["travel"]["modes"]["air"]["min_km"] = 500  # no flight: 4 hours by car each way
    raw["visits"].append({**GOTHENBURG, "windows": [window(WEEK[2], "13:00", "17:00")]})
    raw["visits"] = [v for v in raw["visits"] if not v["ref"].startswith("c-lulea")]
    built = build(parse_problem(raw))
    # From a plan with no visits at all, the repair step alone places it: Wednesday, then a hotel.
    home = [a.idx for a in _at_home(built).routes()[0].schedule() if a.is_client()]
    plan = read_back(built, place_required(built, home))
    check_plan(raw, plan)
    assert plan["feasible"] is True
    wednesday = plan["days"][2]
    assert [s["ref"] for s in wednesday["stops"]] == ["c-goteborg"]
    assert wednesday["finish"]["overnight"] is True
    # And the whole solver gets there too.
    solved = solve(raw, iterations=1000)
    assert solved["feasible"] is True
    assert "c-goteborg" in planned(solved)
