"""A seller's fortnight: 800 candidate customers, 10 working days, home in Stockholm (synthetic, fixed seed).

Run from the repository root (never by the test suite):

    nice -n 10 .venv/bin/python bench/bench_fortnight.py --seconds 20 --iterations 3000

Measures (1) the wall time to a feasible plan under ``--seconds`` (problem building included) and
its quality, and (2) reproducibility: the same problem and seed solved twice with an iteration
budget (``--iterations``) must give the same plan. Every plan is checked with the independent
checker in tests/plan_checker.py. ``--write FILE`` saves the problem for
``kanelbulle plan --problem FILE``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from tests.plan_checker import violations  # noqa: E402

from kanelbulle.planner.problem import parse_problem  # noqa: E402
from kanelbulle.planner.solver import solve_problem  # noqa: E402

# Swedish towns (lat, lon, weight): most customers near home, some a flight away.
TOWNS = [
    ("Stockholm", 59.3293, 18.0686, 30),
    ("Uppsala", 59.8586, 17.6389, 8),
    ("Västerås", 59.6099, 16.5448, 6),
    ("Södertälje", 59.1955, 17.6253, 5),
    ("Norrköping", 58.5877, 16.1924, 5),
    ("Örebro", 59.2753, 15.2134, 5),
    ("Linköping", 58.4108, 15.6214, 5),
    ("Göteborg", 57.7089, 11.9746, 8),
    ("Malmö", 55.6050, 13.0038, 7),
    ("Sundsvall", 62.3908, 17.3069, 4),
    ("Umeå", 63.8258, 20.2630, 4),
    ("Luleå", 65.5848, 22.1547, 5),
    ("Jönköping", 57.7826, 14.1618, 4),
    ("Karlstad", 59.4022, 13.5115, 4),
]


FIRST = dt.date(2026, 11, 30)  # a Monday; 14 calendar days = 10 working days


def money(amount: float) -> dict[str, str]:
    return {"amount": f"{amount:.2f}", "currency": "SEK"}


def fortnight(seed: int = 2026, candidates: int = 800) -> dict[str, Any]:
    rng = random.Random(seed)
    start = FIRST.isoformat()
    weights = [t[3] for t in TOWNS]
    visits = []
    for n in range(candidates):
        _name, lat, lon, _w = rng.choices(TOWNS, weights)[0]
        lat += rng.gauss(0, 0.12)
        lon += rng.gauss(0, 0.22)
        open_days = [d for d in range(14) if d % 7 < 5 and rng.random() < 0.8]
        begin_h = rng.choice([8, 8, 9, 10])
        end_h = rng.choice([15, 16, 17, 17])
        dates = [(FIRST + dt.timedelta(days=d)).isoformat() for d in open_days]
        windows = [[f"{day}T{begin_h:02d}:00:00+01:00", f"{day}T{end_h:02d}:00:00+01:00"] for day in dates] or [
            ["2026-12-01T08:00:00+01:00", "2026-12-01T17:00:00+01:00"]
        ]
        value = round(min(80000.0, rng.lognormvariate(8.3, 1.0)), -1)
        visits.append(
            {
                "ref": f"c-{n:04d}",
                "lat": round(lat, 5),
                "lon": round(lon, 5),
                "minutes": rng.choice([45, 60, 60, 90]),
                "value": money(value),
                "required": n % 200 == 7,  # a few meeting requests to honour
                "windows": windows,
            }
        )
    return {
        "format": "kanelbulle-plan/1",
        "start": start,
        "days": 14,
        "time_zone": "Europe/Stockholm",
        "seller": {
            "home": {"lat": 59.3293, "lon": 18.0686},
            "workday": ["08:00", "17:00"],
            "weekdays": ["mon", "tue", "wed", "thu", "fri"],
            "overnight": {"allowed": True, "cost": money(1400)},
        },
        "travel": {
            "cost_per_hour": money(450),
            "modes": {
                "car": {
                    "factor": 1.3,
                    "speed_kmh": 75,
                    "overhead_minutes": 0,
                    "min_km": 0,
                    "cost_per_km": money(2.5),
                    "fixed_cost": money(0),
                    "co2_g_per_km": 120,
                },
                "rail": {
                    "factor": 1.2,
                    "speed_kmh": 140,
                    "overhead_minutes": 40,
                    "min_km": 150,
                    "cost_per_km": money(1.2),
                    "fixed_cost": money(0),
                    "co2_g_per_km": 4,
                },
                "air": {
                    "factor": 1.05,
                    "speed_kmh": 600,
                    "overhead_minutes": 150,
                    "min_km": 400,
                    "cost_per_km": money(3.0),
                    "fixed_cost": money(900),
                    "co2_g_per_km": 150,
                },
            },
        },
        "visits": visits,
    }


def summary(plan: dict[str, Any]) -> str:
    stops = sum(len(d["stops"]) for d in plan["days"])
    nights = sum(d["finish"]["overnight"] for d in plan["days"])
    t = plan["totals"]
    return (
        f"{stops} visits, {nights} hotel nights, {t['km']} km, value {t['value_covered']['amount']}, "
        f"travel {t['travel_cost']['amount']}, feasible {plan['feasible']}, "
        f"{plan['solver']['iterations']} iterations, stopped by {plan['solver']['stopped_by']}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--iterations", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--candidates", type=int, default=800)
    parser.add_argument("--write", type=Path)
    args = parser.parse_args()

    raw = fortnight(candidates=args.candidates)
    if args.write:
        args.write.write_text(json.dumps(raw, indent=1))
    problem = parse_problem(raw)

    t0 = time.perf_counter()
    plan = solve_problem(problem, seconds=args.seconds, iterations=None, seed=args.seed)
    wall = time.perf_counter() - t0
    bad = violations(raw, plan)
    print(f"timed: {wall:.1f} s wall with --seconds {args.seconds:g}: {summary(plan)}; checker: {bad or 'ok'}")

    runs = []
    for _ in range(2):
        t0 = time.perf_counter()
        runs.append(solve_problem(problem, seconds=None, iterations=args.iterations, seed=args.seed))
        print(f"iterations {args.iterations}: {time.perf_counter() - t0:.1f} s wall: {summary(runs[-1])}")
    for r in runs:
        r.pop("solver")
    print(f"same plan from the same seed: {runs[0] == runs[1]}; checker: {violations(raw, runs[0]) or 'ok'}")


if __name__ == "__main__":
    main()
