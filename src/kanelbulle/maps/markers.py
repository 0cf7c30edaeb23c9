"""Stop markers and labels, placed so that they do not cover each other."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

from kanelbulle.maps.markup import HALO, INK, n


class Placer:
    """Greedy placement that keeps markers and labels from covering each other."""

    def __init__(self, width: int, height: int) -> None:
        self.width = width
        self.height = height
        self.boxes: list[tuple[float, float, float, float]] = []

    def free(self, box: tuple[float, float, float, float]) -> bool:
        x0, y0, x1, y1 = box
        if x0 < 2 or y0 < 2 or x1 > self.width - 2 or y1 > self.height - 2:
            return False
        return all(x1 <= b[0] or x0 >= b[2] or y1 <= b[1] or y0 >= b[3] for b in self.boxes)

    def marker(self, x: float, y: float, r: float) -> tuple[float, float]:
        """Where to draw a marker for (x, y): there, or nudged around it if another marker is there."""
        candidates = [(x, y)]
        for ring in (1, 2, 3):
            count = 6 * ring
            for k in range(count):
                angle = 2 * math.pi * k / count - math.pi / 2
                candidates.append((x + 2.1 * r * ring * math.cos(angle), y + 2.1 * r * ring * math.sin(angle)))
        for cx, cy in candidates:
            box = (cx - r, cy - r, cx + r, cy + r)
            if self.free(box):
                self.boxes.append(box)
                return cx, cy
        self.boxes.append((x - r, y - r, x + r, y + r))
        return x, y

    def label(
        self, x: float, y: float, r: float, text: str, size: float, *, force: bool = True
    ) -> tuple[float, float, str] | None:
        """Anchor point and ``text-anchor`` for a label beside a marker: right, left, below or above.

        When no side is free the label goes right (or left near the edge) anyway, unless ``force``
        is false, which gives ``None``: a crowded overview drops labels rather than piling them up.
        """
        w = 0.58 * size * len(text) + 4
        h = size + 2
        options = (
            (x + r + 3, y, "start", (x + r + 2, y - h / 2, x + r + 4 + w, y + h / 2)),
            (x - r - 3, y, "end", (x - r - 4 - w, y - h / 2, x - r - 2, y + h / 2)),
            (x, y + r + h / 2 + 2, "middle", (x - w / 2, y + r + 1, x + w / 2, y + r + 3 + h)),
            (x, y - r - h / 2 - 2, "middle", (x - w / 2, y - r - 3 - h, x + w / 2, y - r - 1)),
        )
        for ax, ay, anchor, box in options:
            if self.free(box):
                self.boxes.append(box)
                return ax, ay, anchor
        if not force:
            return None
        ax, ay, anchor, box = options[0] if x < self.width * 0.7 else options[1]
        self.boxes.append(box)
        return ax, ay, anchor


def draw_label(parent: ET.Element, x: float, y: float, anchor: str, text: str, size: float = 12) -> None:
    element = ET.SubElement(
        parent,
        "text",
        {
            "x": n(x),
            "y": n(y),
            "text-anchor": anchor,
            "dominant-baseline": "central",
            "font-size": f"{size:g}",
            "fill": INK,
            "stroke": HALO,
            "stroke-width": "3",
            "stroke-linejoin": "round",
            "paint-order": "stroke",
        },
    )
    element.text = text


def home_marker(parent: ET.Element, x: float, y: float, r: float) -> None:
    """A house: a square body under a roof, dark with a white edge."""
    d = (
        f"M{n(x)},{n(y - r)}L{n(x + r)},{n(y - 0.1 * r)}H{n(x + 0.72 * r)}V{n(y + 0.85 * r)}"
        f"H{n(x - 0.72 * r)}V{n(y - 0.1 * r)}H{n(x - r)}Z"
    )
    ET.SubElement(parent, "path", {"d": d, "fill": INK, "stroke": HALO, "stroke-width": "1.5"})
    door = f"M{n(x - 0.2 * r)},{n(y + 0.85 * r)}V{n(y + 0.3 * r)}H{n(x + 0.2 * r)}V{n(y + 0.85 * r)}Z"
    ET.SubElement(parent, "path", {"d": door, "fill": HALO})


def hotel_marker(parent: ET.Element, x: float, y: float, r: float, colour: str) -> None:
    """A night: a rounded square in the day's colour with a white crescent moon."""
    ET.SubElement(
        parent,
        "rect",
        {
            "x": n(x - r),
            "y": n(y - r),
            "width": n(2 * r),
            "height": n(2 * r),
            "rx": n(0.3 * r),
            "fill": colour,
            "stroke": HALO,
            "stroke-width": "1.5",
        },
    )
    m = 0.62 * r
    moon = (
        f"M{n(x + 0.25 * m)},{n(y - m)}A{n(m)},{n(m)} 0 1 0 {n(x + 0.25 * m)},{n(y + m)}"
        f"A{n(0.8 * m)},{n(0.8 * m)} 0 1 1 {n(x + 0.25 * m)},{n(y - m)}Z"
    )
    ET.SubElement(parent, "path", {"d": moon, "fill": HALO})


def visit_marker(parent: ET.Element, x: float, y: float, r: float, colour: str, number: int) -> None:
    ET.SubElement(
        parent,
        "circle",
        {"cx": n(x), "cy": n(y), "r": n(r), "fill": colour, "stroke": HALO, "stroke-width": "1.5"},
    )
    text = ET.SubElement(
        parent,
        "text",
        {
            "x": n(x),
            "y": n(y),
            "text-anchor": "middle",
            "dominant-baseline": "central",
            "font-size": "11" if number < 100 else "8",
            "font-weight": "700",
            "fill": HALO,
        },
    )
    text.text = str(number)
