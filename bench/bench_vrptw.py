"""VRPTW benchmark: the planner's solver on Solomon and Gehring–Homberger instances vs best-known costs.

Run from the repository root (never by the test suite):

    nice -n 10 .venv/bin/python bench/bench_vrptw.py --seconds 30 --sets solomon --out bench-vrptw.csv
    nice -n 10 .venv/bin/python bench/bench_vrptw.py --seconds 10 --sets gh200 gh400 --out bench-gh.csv

``--data`` defaults to ``bench/data/vrptw`` in the repository (the public instances, vendored
with their licence; its README explains the files and the DIMACS rounding). Each instance goes through the same code as
``kanelbulle plan --problem FILE`` (``kanelbulle.planner.benchmark.solve_instance``); the gap is
(cost − BKS) / BKS. Prints one line per instance as it goes, then the mean gap per group
(C1, C2, R1, R2, RC1, RC2 for Solomon; 200 and 400 for the GH sets).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import platform
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from kanelbulle.planner.benchmark import solve_instance  # noqa: E402


def group_of(instance: str) -> str:
    folder, name = instance.split("/")
    if folder == "gh200":
        return "200"
    if folder == "gh400":
        return "400"
    m = re.match(r"(RC|R|C)(\d)", name)
    assert m, name
    return f"{m.group(1)}{m.group(2)}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT / "bench" / "data" / "vrptw")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sets", nargs="+", default=["solomon"], choices=["solomon", "gh200", "gh400"])
    parser.add_argument("--only", default="", help="regular expression on the instance name")
    parser.add_argument("--out", type=Path, help="write one CSV row per instance here")
    args = parser.parse_args()

    if not (args.data / "bks.csv").is_file():
        sys.exit(f"bench_vrptw: no bks.csv in {args.data}: give --data DIR holding the instances (bench/data/vrptw)")
    with (args.data / "bks.csv").open() as f:
        bks = {row["instance"]: float(row["bks_cost"]) for row in csv.DictReader(f)}
    chosen = [i for i in sorted(bks) if i.split("/")[0] in args.sets and re.search(args.only, i)]
    absent = [i for i in chosen if not (args.data / f"{i}.vrp").is_file()]
    if absent:
        sys.exit(f"bench_vrptw: {len(absent)} instances are missing from {args.data}, e.g. {absent[0]}.vrp")
    print(
        f"# {len(chosen)} instances, {args.seconds:g} s each, seed {args.seed}, "
        f"{os.cpu_count()} cores, {platform.python_version()}, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
        flush=True,
    )
    rows = []
    for instance in chosen:
        result = solve_instance(args.data / f"{instance}.vrp", seconds=args.seconds, seed=args.seed)
        gap = (result["cost"] - bks[instance]) / bks[instance] * 100
        row = {
            "instance": instance,
            "group": group_of(instance),
            "cost": result["cost"],
            "bks": bks[instance],
            "gap_pct": round(gap, 3),
            "feasible": result["feasible"],
            "routes": len(result["routes"]),
            "seconds": result["seconds"],
        }
        rows.append(row)
        print(",".join(str(v) for v in row.values()), flush=True)
        if args.out:
            with args.out.open("w", newline="") as f:
                writer = csv.DictWriter(f, fieldnames=list(row))
                writer.writeheader()
                writer.writerows(rows)
    print("# group, instances, mean gap %, all feasible")
    for group in sorted({r["group"] for r in rows}, key=lambda g: (g.isdigit(), g)):
        mine = [r for r in rows if r["group"] == group]
        mean = sum(float(r["gap_pct"]) for r in mine) / len(mine)
        print(f"{group},{len(mine)},{mean:.2f},{all(r['feasible'] for r in mine)}")


if __name__ == "__main__":
    main()
