"""Country outlines, read once per process and kept in Web Mercator units.

The vendored Natural Earth file (see ``data/README.md``) is parsed the first time a map is drawn
and projected to Web Mercator right away, so that each later map only scales, simplifies and
clips the few polygons near its view. Nothing is fetched over the network.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources

#: Web Mercator is undefined at the poles; tile servers cut the world at this latitude.
MAX_LATITUDE = 85.05112878

DATA_FILE = "countries-50m.geojson"


def mercator(lat: float, lon: float) -> tuple[float, float]:
    """Web Mercator (EPSG:3857) scaled to the unit square: x grows east, y grows south.

    (0, 0) is the north-west corner at 180° W and 85.05° N, as in slippy-map tile numbering, so a
    tile at zoom z covers ``1 / 2**z`` of the square in each direction.
    """
    clamped = max(-MAX_LATITUDE, min(MAX_LATITUDE, lat))
    x = (lon + 180.0) / 360.0
    phi = math.radians(clamped)
    y = (1.0 - math.log(math.tan(phi) + 1.0 / math.cos(phi)) / math.pi) / 2.0
    return x, y


@dataclass(frozen=True, slots=True)
class Polygon:
    """One polygon: its bounding box and rings as flat ``(x0, y0, x1, y1, …)`` Mercator tuples."""

    min_x: float
    min_y: float
    max_x: float
    max_y: float
    rings: tuple[tuple[float, ...], ...]


@dataclass(frozen=True, slots=True)
class Country:
    iso_numeric: str
    name: str
    polygons: tuple[Polygon, ...]


def _unwrap(ring: list[list[float]]) -> list[list[float]]:
    """Make a ring that crosses the antimeridian continuous (179° then 181°, not −179°).

    The data are spherical, so an edge from 179° E to 179° W is short; drawn flat it would cross
    the whole world as a band. A ring that circles a pole (Antarctica) crosses once and would not
    close after unwrapping; it is left as it is.
    """
    offset = 0.0
    out: list[list[float]] = []
    prev = ring[0][0]
    for lon, lat in ring:
        if lon - prev > 180.0:
            offset -= 360.0
        elif prev - lon > 180.0:
            offset += 360.0
        prev = lon
        out.append([lon + offset, lat])
    return out if offset == 0.0 else ring


def _polygon(rings: list[list[list[float]]]) -> Polygon:
    flat_rings: list[tuple[float, ...]] = []
    xs: list[float] = []
    ys: list[float] = []
    for ring in rings:
        flat: list[float] = []
        for lon, lat in _unwrap(ring):
            x, y = mercator(lat, lon)
            flat.append(x)
            flat.append(y)
            xs.append(x)
            ys.append(y)
        flat_rings.append(tuple(flat))
    return Polygon(min(xs), min(ys), max(xs), max(ys), tuple(flat_rings))


@cache
def countries() -> tuple[Country, ...]:
    """All countries of the vendored file, projected; cached for the life of the process."""
    raw = resources.files("kanelbulle.maps").joinpath("data", DATA_FILE).read_text(encoding="utf-8")
    collection = json.loads(raw)
    result: list[Country] = []
    for feature in collection["features"]:
        geometry = feature.get("geometry")
        if not geometry:
            continue
        parts = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        polygons = tuple(_polygon(part) for part in parts if part and part[0])
        result.append(
            Country(
                iso_numeric=str(feature.get("id") or ""),
                name=str(feature.get("properties", {}).get("name", "")),
                polygons=polygons,
            )
        )
    result.sort(key=lambda c: (c.name, c.iso_numeric))
    return tuple(result)
