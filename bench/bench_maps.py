"""Benchmark: drawing the offline maps once the outlines are loaded (issue 7's "quick to draw").

    .venv/bin/python bench/bench_maps.py [--repeat 20]

Draws a three-day trip map (10 legs, 6 stops) and a 200-customer overview, after one warm-up that
loads and projects the vendored Natural Earth outlines, and prints the minimum, median and maximum
per drawing. The target is under 0.5 s for the pair. Figures go to docs/benchmarks.md. This used to
be a timed assertion in tests/test_maps.py; a machine's speed is measured here, not asserted there.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

HOME, ARLANDA, LULEA_AIRPORT = (59.3293, 18.0686), (59.6498, 17.9238), (65.5437, 22.1222)
LULEA, PITEA, UPPSALA, GAVLE = (65.5848, 22.1547), (65.3172, 21.4800), (59.8586, 17.6389), (60.6749, 17.1413)


def draw_pair() -> None:
    from kanelbulle.maps import MapLeg, MapPoint, MapStop, overview_map, route_map

    stops = [
        MapStop(*HOME, "Home", "home"),
        MapStop(*UPPSALA, "Uppsala Verktyg AB", "visit", 1),
        MapStop(*GAVLE, "Gävle Hamn", "visit", 1),
        MapStop(*LULEA, "Luleå Stål AB", "visit", 2),
        MapStop(*LULEA, "Hotel Luleå", "hotel", 2),
        MapStop(*PITEA, "Piteå Trä", "visit", 3),
    ]
    route = [HOME, UPPSALA, GAVLE, HOME, ARLANDA, LULEA_AIRPORT, LULEA, PITEA, LULEA_AIRPORT, ARLANDA, HOME]
    modes = ["car", "car", "rail", "car", "air", "car", "car", "car", "air", "car"]
    days = [1, 1, 1, 2, 2, 2, 3, 3, 3, 3]
    legs = [MapLeg(*a, *b, mode, day) for a, b, mode, day in zip(route[:-1], route[1:], modes, days, strict=True)]
    route_map(stops, legs=legs, title="A three-day trip", tile_url="")
    overview_map([MapPoint(55 + i * 0.05, 12 + i * 0.05, f"c{i}") for i in range(200)], tile_url="")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=20, help="drawings of the pair to time (default 20)")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kanelbulle.settings")
    started = time.perf_counter()
    draw_pair()
    warm_up = time.perf_counter() - started
    times = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        draw_pair()
        times.append(time.perf_counter() - started)
    load = os.getloadavg()[0]
    print(f"first drawing (loads the outlines): {warm_up:.3f} s")
    print(
        f"trip map + 200-point overview, {args.repeat} runs: min {min(times):.3f} s, "
        f"median {statistics.median(times):.3f} s, max {max(times):.3f} s (load {load:.1f}; target < 0.5 s)"
    )


if __name__ == "__main__":
    main()
