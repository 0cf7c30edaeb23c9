"""The view of a map: which part of the Web Mercator square lands on which SVG pixel, and clipping."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from kanelbulle.maps.outlines import mercator

EARTH_CIRCUMFERENCE_KM = 40075.017
MARKER_R = 10.0


@dataclass(frozen=True, slots=True)
class View:
    """Maps Web Mercator unit-square coordinates to SVG pixels: ``px = (x - cx) * scale + width / 2``."""

    width: int
    height: int
    cx: float
    cy: float
    scale: float

    def px(self, x: float, y: float) -> tuple[float, float]:
        return (x - self.cx) * self.scale + self.width / 2, (y - self.cy) * self.scale + self.height / 2

    def at(self, lat: float, lon: float) -> tuple[float, float]:
        return self.px(*mercator(lat, lon))

    @property
    def min_x(self) -> float:
        return self.cx - self.width / 2 / self.scale

    @property
    def max_x(self) -> float:
        return self.cx + self.width / 2 / self.scale

    @property
    def min_y(self) -> float:
        return self.cy - self.height / 2 / self.scale

    @property
    def max_y(self) -> float:
        return self.cy + self.height / 2 / self.scale

    def km_per_px(self) -> float:
        lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * self.cy))))
        return EARTH_CIRCUMFERENCE_KM * math.cos(math.radians(lat)) / self.scale


def fit(points: Sequence[tuple[float, float]], width: int, height: int, padding: float, min_extent_km: float) -> View:
    """The smallest view holding every point (Mercator units) with padding and a minimum extent."""
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * cy))))
    min_span = min_extent_km / (EARTH_CIRCUMFERENCE_KM * max(math.cos(math.radians(lat)), 0.05))
    span_x = max(max(xs) - min(xs), min_span) * (1 + 2 * padding)
    span_y = max(max(ys) - min(ys), min_span) * (1 + 2 * padding)
    margin = 2.5 * MARKER_R  # room for the markers at the edge, whatever the padding
    scale = min((width - 2 * margin) / span_x, (height - 2 * margin) / span_y)
    return View(width, height, cx, cy, scale)


# --- outlines ---------------------------------------------------------------------------------


def clip_ring(
    points: list[tuple[float, float]], lo_x: float, lo_y: float, hi_x: float, hi_y: float
) -> list[tuple[float, float]]:
    """Sutherland–Hodgman clipping of a ring to a rectangle (exact for a convex window)."""
    for edge in range(4):
        if not points:
            break
        out: list[tuple[float, float]] = []
        prev = points[-1]
        prev_in = _inside(prev, edge, lo_x, lo_y, hi_x, hi_y)
        for cur in points:
            cur_in = _inside(cur, edge, lo_x, lo_y, hi_x, hi_y)
            if cur_in:
                if not prev_in:
                    out.append(_cross(prev, cur, edge, lo_x, lo_y, hi_x, hi_y))
                out.append(cur)
            elif prev_in:
                out.append(_cross(prev, cur, edge, lo_x, lo_y, hi_x, hi_y))
            prev, prev_in = cur, cur_in
        points = out
    return points


def _inside(p: tuple[float, float], edge: int, lo_x: float, lo_y: float, hi_x: float, hi_y: float) -> bool:
    if edge == 0:
        return p[0] >= lo_x
    if edge == 1:
        return p[0] <= hi_x
    if edge == 2:
        return p[1] >= lo_y
    return p[1] <= hi_y


def _cross(
    a: tuple[float, float], b: tuple[float, float], edge: int, lo_x: float, lo_y: float, hi_x: float, hi_y: float
) -> tuple[float, float]:
    (ax, ay), (bx, by) = a, b
    if edge in (0, 1):
        x = lo_x if edge == 0 else hi_x
        t = (x - ax) / (bx - ax)
        return x, ay + t * (by - ay)
    y = lo_y if edge == 2 else hi_y
    t = (y - ay) / (by - ay)
    return ax + t * (bx - ax), y
