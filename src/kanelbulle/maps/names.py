"""Country names on the map, in the reader's language, where there is room for them.

Names come from the CLDR territory names shipped with Babel (``Sverige`` in Swedish, ``Sweden`` in
English), keyed by the ISO code of each Natural Earth country; a country without one keeps its
Natural Earth name. A name is placed on the widest horizontal run of the country's visible part
whose middle is also inside the country a little above and below (so it does not sit on a fjord),
and only where no marker or label is: the route always wins.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from functools import cache

import pycountry
from babel import Locale, UnknownLocaleError

from kanelbulle.maps.markers import Placer
from kanelbulle.maps.markup import n, xml_safe

NAME_COLOUR = "#8f8576"
NAME_SIZE = 13.0
ROWS = 18

Ring = list[tuple[float, float]]


@cache
def country_name(iso_numeric: str, fallback: str, locale: str) -> str:
    """The country's name in ``locale`` (e.g. ``sv``, ``en-GB``), or ``fallback`` when unknown."""
    try:
        code = pycountry.countries.get(numeric=iso_numeric.zfill(3)) if iso_numeric else None
        names = Locale.parse(locale.replace("-", "_")).territories
    except (UnknownLocaleError, ValueError, TypeError, LookupError):
        return fallback
    return str(names.get(code.alpha_2, fallback)) if code else fallback


def _runs(rings: Sequence[Ring], y: float) -> list[tuple[float, float]]:
    """The stretches of the horizontal line at ``y`` inside the rings (even–odd rule)."""
    xs: list[float] = []
    for ring in rings:
        px, py = ring[-1]
        for x, yy in ring:
            if (py <= y < yy) or (yy <= y < py):
                xs.append(px + (y - py) * (x - px) / (yy - py))
            px, py = x, yy
    xs.sort()
    return [(xs[i], xs[i + 1]) for i in range(0, len(xs) - 1, 2)]


def place_names(
    drawn: Sequence[tuple[str, str, Sequence[Ring]]],
    width: int,
    height: int,
    placer: Placer,
    locale: str,
    parent: ET.Element,
) -> None:
    """Write a ``<text>`` per country that has room, into ``parent`` (drawn under the route)."""
    step = height / ROWS
    rows = [step * (k + 0.5) for k in range(ROWS)]
    for iso, fallback, rings in drawn:
        name = xml_safe(country_name(iso, fallback, locale)).upper()
        if not name:
            continue
        text_width = len(name) * (0.68 * NAME_SIZE + 1.5)
        per_row = [_runs(rings, y) for y in rows]
        candidates: list[tuple[float, float, float]] = []
        for k in range(1, ROWS - 1):
            for a, b in per_row[k]:
                mid = (a + b) / 2
                if b - a < text_width + 16:
                    continue
                above = any(a2 <= mid <= b2 for a2, b2 in per_row[k - 1])
                below = any(a2 <= mid <= b2 for a2, b2 in per_row[k + 1])
                if above and below:
                    candidates.append((b - a, mid, rows[k]))
        # the widest run first; ties by position, so the choice never depends on anything else
        for _, x, y in sorted(candidates, key=lambda c: (-round(c[0], 1), c[2], c[1])):
            box = (x - text_width / 2, y - NAME_SIZE / 2 - 1, x + text_width / 2, y + NAME_SIZE / 2 + 1)
            if box[0] < 4 or box[2] > width - 4 or not placer.free(box):
                continue
            placer.boxes.append(box)
            text = ET.SubElement(
                parent,
                "text",
                {
                    "x": n(x),
                    "y": n(y),
                    "text-anchor": "middle",
                    "dominant-baseline": "central",
                    "font-size": f"{NAME_SIZE:g}",
                    "letter-spacing": "1.5",
                    "fill": NAME_COLOUR,
                },
            )
            text.text = name
            break
