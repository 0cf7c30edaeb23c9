"""Which land mass a place is on, so a car or a train is never offered across an ocean.

The land masses come from the Natural Earth country outlines vendored for the maps
(``maps/data/countries-50m.geojson``): polygon parts that share a border, or that lie less than
25 km apart across water (a bridge, a tunnel or a short ferry such as the Öresund or the Great
Belt), form one land mass. ``scripts/landmasses.py`` derives them once and writes
``planner/data/landmasses.npz`` (each part's land mass and outline); here a place is
looked up in the outlines (ray casting inside the parts whose bounding box holds it). A place just
off a simplified coast (a harbour town at 1:50m) takes the land mass of the nearest outline point
within ``COAST_KM``; a place further out at sea is on no known land mass and nothing is barred.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
from numpy.typing import NDArray

COAST_KM = 30.0
#: A leg shorter than this is never barred: over water it is a bridge or a ferry a car can take (the
#: Öresund, Gotland), and the outlines need not be read at all for a plan of nearby places.
FERRY_KM = 200.0
GROUND_MODES = frozenset({"car", "rail"})


@dataclass(frozen=True, slots=True)
class _Part:
    land: int
    box: tuple[float, float, float, float]  # min lon, min lat, max lon, max lat
    lon: NDArray[np.float64]
    lat: NDArray[np.float64]


def about() -> dict[str, Any]:
    """Where the land masses come from (source file, its SHA-256, the water gap bridged, parts)."""
    with resources.files("kanelbulle.planner").joinpath("data/landmasses.npz").open("rb") as fh:
        found: dict[str, Any] = json.loads(str(np.load(fh)["about"]))
    return found


@cache
def _parts() -> tuple[_Part, ...]:
    with resources.files("kanelbulle.planner").joinpath("data/landmasses.npz").open("rb") as fh:
        data = np.load(fh)
        xy = np.cumsum(data["delta"], axis=0, dtype=np.int64) / 1000.0
        offsets, lands = data["offsets"], data["land"]
    starts = offsets[:-1]
    low = np.minimum.reduceat(xy, starts, axis=0).tolist()
    high = np.maximum.reduceat(xy, starts, axis=0).tolist()
    lon, lat = xy[:, 0], xy[:, 1]
    return tuple(
        _Part(int(land), (low[k][0], low[k][1], high[k][0], high[k][1]), lon[a:b], lat[a:b])
        for k, (land, a, b) in enumerate(zip(lands.tolist(), starts.tolist(), offsets[1:].tolist(), strict=True))
    )


def _inside(part: _Part, lon: float, lat: float) -> bool:
    x, y = part.lon, part.lat
    x2, y2 = np.roll(x, -1), np.roll(y, -1)
    crosses = (y > lat) != (y2 > lat)
    with np.errstate(divide="ignore", invalid="ignore"):
        at = x + (lat - y) * (x2 - x) / (y2 - y)
    return bool(np.count_nonzero(crosses & (lon < at)) % 2)


@cache
def land_mass(lat: float, lon: float) -> int | None:
    """The land mass a place is on (an opaque number), or None out at sea."""
    parts = _parts()
    for part in parts:
        b = part.box
        if b[0] <= lon <= b[2] and b[1] <= lat <= b[3] and _inside(part, lon, lat):
            return part.land
    best, best_km = None, COAST_KM
    cos = math.cos(math.radians(lat))
    for part in parts:
        b = part.box
        margin = COAST_KM / 111.0
        if not (b[1] - margin <= lat <= b[3] + margin):
            continue
        km = np.hypot((part.lon - lon) * 111.32 * cos, (part.lat - lat) * 110.57).min()
        if km < best_km:
            best, best_km = part.land, float(km)
    return best


def same_land(a: tuple[float, float], b: tuple[float, float]) -> bool:
    """Whether a car or a train can go from a to b: not when they are on two different land masses."""
    from kanelbulle.planner.travel import haversine_km

    if haversine_km(*a, *b) < FERRY_KM:
        return True
    la, lb = land_mass(*a), land_mass(*b)
    return la is None or lb is None or la == lb


def ground_allowed(lat: list[float], lon: list[float], great_circle_km: NDArray[np.float64]) -> NDArray[np.bool_]:
    """Per pair of points, whether a ground mode (car, train) can make the journey.

    Only the points of a pair at least ``FERRY_KM`` apart are looked up.
    """
    far = great_circle_km >= FERRY_KM
    allowed = np.ones(great_circle_km.shape, dtype=bool)
    if not far.any():
        return allowed
    wanted = np.flatnonzero(far.any(axis=0) | far.any(axis=1))
    ids = np.full(len(lat), -1)
    for k in wanted:
        found = land_mass(lat[k], lon[k])
        ids[k] = -1 if found is None else found
    known = ids >= 0
    same = (ids[:, None] == ids[None, :]) | ~known[:, None] | ~known[None, :]
    result: NDArray[np.bool_] = allowed & (same | ~far)
    return result
