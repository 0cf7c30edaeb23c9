"""VRPTW benchmark: the planner's solver beside PyVRP's own defaults on Solomon and Gehring–Homberger instances.

Run from the repository root (never by the test suite):

    .venv/bin/python bench/bench_vrptw.py --seconds 10 --sets solomon --out solomon10.csv
    .venv/bin/python bench/bench_vrptw.py --seconds 20 --sets gh200 gh400 gh600 --out gh20.csv

For every instance, in one run on the same machine, with the same number of seconds each:

* **ours**: ``kanelbulle.planner.benchmark.solve_instance``, the same code as
  ``kanelbulle plan --problem FILE`` (independent searches on both cores, tuned, keep the best);
* **PyVRP**: ``pyvrp.solve`` with its default parameters (``solve_instance_pyvrp_defaults``), one
  process, as PyVRP's documentation runs it.

The two run one after the other, never at once, and take turns going first (instance 1 ours
first, instance 2 PyVRP first, …), so a change in the machine's load falls on both alike; each
row shows the load average when it started. Gap = (cost − BKS) / BKS, BKS from ``bks.csv``.

The data directory (``--data``, else ``$KANELBULLE_BENCH_DATA``, else ``bench/data/vrptw`` in the
repository, the public instances vendored with their licence) holds ``bks.csv`` and one folder
per set (``solomon/``, ``gh200/`` …) with the ``.vrp`` files; its README explains the files and
the DIMACS rounding.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import platform
import re
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from kanelbulle.planner.benchmark import solve_instance, solve_instance_pyvrp_defaults  # noqa: E402
from kanelbulle.planner.parallel import WORKERS  # noqa: E402

SETS = ["solomon", "gh200", "gh400", "gh600", "gh800", "gh1000"]


def group_of(instance: str) -> str:
    folder, name = instance.split("/")
    if folder.startswith("gh"):
        return folder[2:]
    m = re.match(r"(RC|R|C)(\d)", name)
    assert m, name
    return f"{m.group(1)}{m.group(2)}"


def data_dir(given: Path | None) -> Path:
    if given is not None:
        return given
    env = os.environ.get("KANELBULLE_BENCH_DATA")
    return Path(env) if env else ROOT / "bench" / "data" / "vrptw"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--data", type=Path, help="benchmark data directory (default: $KANELBULLE_BENCH_DATA, else bench/data/vrptw)"
    )
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sets", nargs="+", default=["solomon"], choices=SETS)
    parser.add_argument("--only", default="", help="regular expression on the instance name")
    parser.add_argument("--workers", type=int, default=WORKERS, help="our parallel searches (default: %(default)s)")
    parser.add_argument("--ours-only", action="store_true", help="skip PyVRP's defaults")
    parser.add_argument("--out", type=Path, help="write one CSV row per instance here")
    args = parser.parse_args()

    data = data_dir(args.data)
    if not (data / "bks.csv").is_file():
        parser.exit(
            2,
            f"bench_vrptw: no benchmark data at {data} (bks.csv is missing). Give --data DIR or set "
            "KANELBULLE_BENCH_DATA to a directory with bks.csv and solomon/, gh200/ … folders of .vrp files.\n",
        )
    with (data / "bks.csv").open() as f:
        bks = {row["instance"]: float(row["bks_cost"]) for row in csv.DictReader(f)}
    chosen = [
        i
        for i in sorted(bks)
        if i.split("/")[0] in args.sets and re.search(args.only, i) and (data / f"{i}.vrp").is_file()
    ]
    if not chosen:
        parser.exit(2, f"bench_vrptw: no instance of {' '.join(args.sets)} in {data}\n")
    print(
        f"# {len(chosen)} instances, {args.seconds:g} s each for each solver, seed {args.seed}, "
        f"ours {args.workers} searches, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}, "
        f"Python {platform.python_version()}, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
        flush=True,
    )
    rows: list[dict[str, object]] = []
    fields = ["instance", "group", "bks", "ours", "ours_gap_pct", "pyvrp", "pyvrp_gap_pct", "load", "first"]
    print(",".join(fields), flush=True)
    for n, instance in enumerate(chosen):
        path = data / f"{instance}.vrp"
        load = os.getloadavg()[0]

        def ours(path: Path = path) -> dict[str, object]:
            return solve_instance(path, seconds=args.seconds, seed=args.seed, workers=args.workers)

        def theirs(path: Path = path) -> dict[str, object]:
            return solve_instance_pyvrp_defaults(path, seconds=args.seconds, seed=args.seed)

        first = "ours" if n % 2 == 0 or args.ours_only else "pyvrp"
        if first == "ours":
            mine = ours()
            other = None if args.ours_only else theirs()
        else:
            other = theirs()
            mine = ours()
        best = bks[instance]

        def gap(result: dict[str, object] | None, best: float = best) -> float | None:
            if result is None or not result["feasible"]:
                return None
            return round((float(str(result["cost"])) - best) / best * 100, 3)

        row = {
            "instance": instance,
            "group": group_of(instance),
            "bks": best,
            "ours": mine["cost"] if mine["feasible"] else "infeasible",
            "ours_gap_pct": gap(mine),
            "pyvrp": "" if other is None else (other["cost"] if other["feasible"] else "infeasible"),
            "pyvrp_gap_pct": gap(other),
            "load": round(load, 1),
            "first": first,
        }
        rows.append(row)
        print(",".join("" if row[k] is None else str(row[k]) for k in fields), flush=True)
        if args.out:
            with args.out.open("w", newline="") as f:
                writer = csv.DictWriter(f, fieldnames=fields)
                writer.writeheader()
                writer.writerows(rows)
    print("# group, instances, ours mean gap %, ours worst %, PyVRP mean gap %, PyVRP worst %, ours better/equal/worse")
    groups = sorted({str(r["group"]) for r in rows}, key=lambda g: (g.isdigit(), int(g) if g.isdigit() else 0, g))
    for group in [*groups, "all"]:
        mine_rows = [r for r in rows if group in ("all", r["group"])]
        print(f"{group},{len(mine_rows)},{summary(mine_rows)}")


def summary(rows: list[dict[str, object]]) -> str:
    def stats(key: str) -> str:
        gaps = [float(str(r[key])) for r in rows if r[key] is not None]
        if len(gaps) < len(rows):
            return "n/a (infeasible or not run),"
        return f"{statistics.fmean(gaps):.2f},{max(gaps):.2f}"

    pairs = [
        (float(str(r["ours_gap_pct"])), float(str(r["pyvrp_gap_pct"])))
        for r in rows
        if r["ours_gap_pct"] is not None and r["pyvrp_gap_pct"] is not None
    ]
    better = sum(a < b - 1e-9 for a, b in pairs)
    worse = sum(a > b + 1e-9 for a, b in pairs)
    return f"{stats('ours_gap_pct')},{stats('pyvrp_gap_pct')},{better}/{len(pairs) - better - worse}/{worse}"


if __name__ == "__main__":
    main()
