"""Maps drawn offline as standalone SVG: a seller's route over country outlines, or a field of dots.

Why SVG made on the server: the pages work without JavaScript, the map is printable, and no tile
server is called by default (the outlines are Natural Earth data shipped with the application).
The SVG carries no ``style`` attribute, no ``<style>`` element and no script, so it passes our
Content Security Policy whether it is inlined in a page or served as a file; every colour and
dash is an SVG presentation attribute. Text (customer names) goes through ElementTree, which
escapes it, after characters that XML cannot hold have been dropped.

Projection: Web Mercator (EPSG:3857), the projection of slippy-map tiles, so that the optional
tile background (``KANELBULLE_TILE_URL``) lines up with the outlines and the route. It is
conformal: at the scale of a sales trip shapes and directions look right, and the scale bar is
computed for the latitude at the centre of the map.

The same input gives the same string, byte for byte: nothing depends on time, randomness or dict
order, and numbers are written with a fixed number of decimals.
"""

from __future__ import annotations

import itertools
import math
import os
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from kanelbulle.maps.geometry import MARKER_R, View, clip_ring, fit
from kanelbulle.maps.markers import Placer, draw_label, home_marker, hotel_marker, visit_marker
from kanelbulle.maps.markup import (
    BORDER,
    DAY_COLOURS,
    FONT,
    HALO,
    INK,
    LAND,
    NO_DAY_COLOUR,
    SEA,
    n,
    safe_href,
    xml_safe,
)
from kanelbulle.maps.names import Ring, place_names
from kanelbulle.maps.outlines import countries, mercator
from kanelbulle.maps.tiles import TILE_ATTRIBUTION_ENV, draw_tiles, tile_url_template

Kind = Literal["home", "visit", "hotel"]
Mode = Literal["car", "rail", "air"]
KINDS: tuple[str, ...] = ("home", "visit", "hotel")
MODES: tuple[str, ...] = ("car", "rail", "air")

#: Dash patterns per mode (in px). Air legs are also drawn as arcs, so they read as flights.
DASHES: dict[str, str] = {"car": "", "rail": "9 5", "air": "0.5 7"}
LABEL_MAX_CHARS = 40


def _check_coordinates(owner: str, lat: float, lon: float, prefix: str = "") -> None:
    for name, value, limit in ((f"{prefix}lat", lat, 90.0), (f"{prefix}lon", lon, 180.0)):
        if not isinstance(value, int | float) or not math.isfinite(value) or abs(value) > limit:
            raise ValueError(f"{owner}.{name} must be a number between -{limit:g} and {limit:g}, got {value!r}")


@dataclass(frozen=True, slots=True)
class MapStop:
    """A place on a route: the seller's home, a customer visit, or the hotel of a night."""

    lat: float
    lon: float
    label: str
    kind: Kind = "visit"
    day: int | None = None

    def __post_init__(self) -> None:
        _check_coordinates("MapStop", self.lat, self.lon)
        if self.kind not in KINDS:
            raise ValueError(f"MapStop.kind must be one of {', '.join(KINDS)}, got {self.kind!r}")


@dataclass(frozen=True, slots=True)
class MapLeg:
    """One leg of travel on a day; ``mode`` decides how the line is drawn."""

    from_lat: float
    from_lon: float
    to_lat: float
    to_lon: float
    mode: Mode = "car"
    day: int = 0

    def __post_init__(self) -> None:
        _check_coordinates("MapLeg", self.from_lat, self.from_lon, "from_")
        _check_coordinates("MapLeg", self.to_lat, self.to_lon, "to_")
        if self.mode not in MODES:
            raise ValueError(f"MapLeg.mode must be one of {', '.join(MODES)}, got {self.mode!r}")


@dataclass(frozen=True, slots=True)
class MapPoint:
    """A dot on an overview map, e.g. a customer; ``href`` makes it a link when inlined in a page."""

    lat: float
    lon: float
    label: str = ""
    href: str = ""

    def __post_init__(self) -> None:
        _check_coordinates("MapPoint", self.lat, self.lon)


def day_colours(days: Iterable[int]) -> dict[int, str]:
    """The colour of each day as the maps draw it: the n-th distinct day (sorted) gets the n-th colour.

    Pages that list the days beside a map call this with the same days to colour their legend.
    """
    return {day: DAY_COLOURS[i % len(DAY_COLOURS)] for i, day in enumerate(sorted(set(days)))}


def _outlines(view: View, parent: ET.Element) -> list[tuple[str, str, list[Ring]]]:
    """Countries near the view as one ``<path>`` each, simplified to ~0.7 px and clipped to the view.

    Polygons whose box misses the view are skipped without looking at their points; points closer
    than the tolerance to the last kept one are dropped; what is left is clipped to the view plus a
    small margin, so a large country (Russia, Norway) costs only the part that shows. Gives back
    each drawn country's ISO number, name and pixel rings, for placing its name.
    """
    margin = 8.0
    lo_x, lo_y, hi_x, hi_y = -margin, -margin, view.width + margin, view.height + margin
    m_lo_x, m_hi_x = view.min_x - margin / view.scale, view.max_x + margin / view.scale
    m_lo_y, m_hi_y = view.min_y - margin / view.scale, view.max_y + margin / view.scale
    tol2 = 0.7**2
    scale, off_x, off_y = view.scale, view.width / 2 - view.cx * view.scale, view.height / 2 - view.cy * view.scale
    group = ET.SubElement(
        parent,
        "g",
        {"fill": LAND, "stroke": BORDER, "stroke-width": "0.8", "stroke-linejoin": "round", "fill-rule": "evenodd"},
    )
    drawn: list[tuple[str, str, list[Ring]]] = []
    for country in countries():
        parts: list[str] = []
        rings: list[Ring] = []
        for poly in country.polygons:
            if poly.max_x < m_lo_x or poly.min_x > m_hi_x or poly.max_y < m_lo_y or poly.min_y > m_hi_y:
                continue
            if (poly.max_x - poly.min_x) * scale < 1.0 and (poly.max_y - poly.min_y) * scale < 1.0:
                continue  # an islet smaller than a pixel
            for ring in poly.rings:
                pts: list[tuple[float, float]] = []
                last_x = last_y = math.inf
                for i in range(0, len(ring), 2):
                    x = ring[i] * scale + off_x
                    y = ring[i + 1] * scale + off_y
                    if (x - last_x) ** 2 + (y - last_y) ** 2 >= tol2:
                        pts.append((x, y))
                        last_x, last_y = x, y
                if len(pts) < 3:
                    continue
                pts = clip_ring(pts, lo_x, lo_y, hi_x, hi_y)
                if len(pts) < 3:
                    continue
                parts.append("M" + " ".join(f"{n(x)},{n(y)}" for x, y in pts) + "Z")
                rings.append(pts)
        if parts:
            ET.SubElement(group, "path", {"data-name": country.name, "d": "".join(parts)})
            drawn.append((country.iso_numeric, country.name, rings))
    return drawn


# --- furniture --------------------------------------------------------------------------------


def _root(width: int, height: int, title: str, description: str) -> ET.Element:
    title = xml_safe(title) or "Map"
    root = ET.Element(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "viewBox": f"0 0 {width} {height}",
            "width": str(width),
            "height": str(height),
            "role": "img",
            "aria-label": title,
            "font-family": FONT,
        },
    )
    ET.SubElement(root, "title").text = title
    if description:
        ET.SubElement(root, "desc").text = xml_safe(description)
    ET.SubElement(root, "rect", {"width": str(width), "height": str(height), "fill": SEA})
    return root


def _scale_bar(view: View, parent: ET.Element) -> None:
    """A bar of a round length (1, 2 or 5 × 10ⁿ km) about 100 px long, bottom right."""
    km_per_px = view.km_per_px()
    target = 100 * km_per_px
    step = 10 ** math.floor(math.log10(target))
    km = max((m * step for m in (1, 2, 5) if m * step <= target), default=step)
    length = km / km_per_px
    x1, y = view.width - 14, view.height - 14
    x0 = x1 - length
    group = ET.SubElement(parent, "g", {"data-layer": "scale", "fill": INK, "stroke": INK})
    ET.SubElement(
        group,
        "path",
        {"d": f"M{n(x0)},{n(y - 5)}V{n(y)}H{n(x1)}V{n(y - 5)}", "fill": "none", "stroke-width": "1.5"},
    )
    text = ET.SubElement(
        group,
        "text",
        {
            "x": n((x0 + x1) / 2),
            "y": n(y - 8),
            "text-anchor": "middle",
            "font-size": "11",
            "stroke": HALO,
            "stroke-width": "3",
            "paint-order": "stroke",
            "stroke-linejoin": "round",
        },
    )
    text.text = f"{km:g} km"


def _attribution(view: View, text: str, parent: ET.Element) -> None:
    if not text:
        return
    label = ET.SubElement(
        parent,
        "text",
        {
            "x": str(view.width - 4),
            "y": str(view.height - 3),
            "text-anchor": "end",
            "font-size": "9",
            "fill": INK,
            "stroke": HALO,
            "stroke-width": "2.5",
            "paint-order": "stroke",
        },
    )
    label.text = xml_safe(text, 120)


def _empty(root: ET.Element, width: int, height: int, text: str) -> str:
    message = ET.SubElement(
        root,
        "text",
        {
            "x": n(width / 2),
            "y": n(height / 2),
            "text-anchor": "middle",
            "dominant-baseline": "central",
            "font-size": "16",
            "fill": INK,
        },
    )
    message.text = xml_safe(text) or "Nothing to show on the map"
    return ET.tostring(root, encoding="unicode")


def _base(
    root: ET.Element, view: View, tile_url: str | None, tile_attribution: str | None, attribution: str
) -> Callable[[Placer, str], None]:
    """Outlines, then tiles over them (where tiles fail to load, the outlines still show).

    Gives back a function that writes the country names once the markers and labels are placed
    (tiles carry their own names, so there it does nothing).
    """
    drawn = _outlines(view, root)
    template = tile_url_template(tile_url)
    if template:
        draw_tiles(view, template, root)
        credit = os.environ.get(TILE_ATTRIBUTION_ENV, "") if tile_attribution is None else tile_attribution
        attribution = credit or attribution
    names = ET.SubElement(root, "g", {"data-layer": "countries"})
    _scale_bar(view, root)
    _attribution(view, attribution, root)

    def write_names(placer: Placer, locale: str) -> None:
        if not template:
            place_names(drawn, view.width, view.height, placer, locale, names)

    return write_names


# --- routes -----------------------------------------------------------------------------------


def _air_control(fx: float, fy: float, tx: float, ty: float) -> tuple[float, float]:
    """The control point of a flight's arc: bowed to the left of travel by a fifth of its length."""
    mx, my = (fx + tx) / 2, (fy + ty) / 2
    dx, dy = tx - fx, ty - fy
    return mx + 0.2 * dy, my - 0.2 * dx


def _legs_from_stops(stops: Sequence[MapStop]) -> list[MapLeg]:
    """Legs by car when none are given: each day from home (or last night's hotel) through its
    visits, in the order given, to that night's hotel (or home)."""
    home = next((s for s in stops if s.kind == "home"), None)
    days = sorted({s.day for s in stops if s.day is not None})
    hotels = {s.day: s for s in stops if s.kind == "hotel" and s.day is not None}
    legs: list[MapLeg] = []
    for day in days:
        start = hotels.get(day - 1) or home
        end = hotels.get(day) or home
        path = [s for s in stops if s.day == day and s.kind == "visit"]
        chain = ([start] if start else []) + path + ([end] if end else [])
        for a, b in itertools.pairwise(chain):
            if (a.lat, a.lon) != (b.lat, b.lon):
                legs.append(MapLeg(a.lat, a.lon, b.lat, b.lon, "car", day))
    return legs


def _routes(
    view: View, legs: Sequence[MapLeg], colours: Mapping[int, str], parent: ET.Element
) -> list[tuple[float, float]]:
    """One ``<g data-day>`` per day in its colour; within it one path per run of same-mode legs.

    Gives back points along the lines (every ~10 px), so that the legend can keep off them.
    """
    samples: list[tuple[float, float]] = []
    layer = ET.SubElement(
        parent,
        "g",
        {"data-layer": "routes", "fill": "none", "stroke-linecap": "round", "stroke-linejoin": "round"},
    )
    for day in sorted({leg.day for leg in legs}):
        group = ET.SubElement(layer, "g", {"data-day": str(day), "stroke": colours[day], "stroke-width": "3.5"})
        runs: list[tuple[str, list[MapLeg]]] = []
        for leg in (leg for leg in legs if leg.day == day):
            if (
                runs
                and leg.mode != "air"
                and runs[-1][0] == leg.mode
                and (runs[-1][1][-1].to_lat, runs[-1][1][-1].to_lon) == (leg.from_lat, leg.from_lon)
            ):
                runs[-1][1].append(leg)
            else:
                runs.append((leg.mode, [leg]))
        for mode, run in runs:
            fx, fy = mercator(run[0].from_lat, run[0].from_lon)
            start = view.px(fx, fy)
            if mode == "air":
                tx, ty = mercator(run[0].to_lat, run[0].to_lon)
                end = view.px(tx, ty)
                control = view.px(*_air_control(fx, fy, tx, ty))
                d = f"M{n(start[0])},{n(start[1])}Q{n(control[0])},{n(control[1])} {n(end[0])},{n(end[1])}"
                steps = max(2, int(math.dist(start, end) / 10))
                for k in range(steps + 1):
                    t = k / steps
                    samples.append(
                        (
                            (1 - t) ** 2 * start[0] + 2 * t * (1 - t) * control[0] + t**2 * end[0],
                            (1 - t) ** 2 * start[1] + 2 * t * (1 - t) * control[1] + t**2 * end[1],
                        )
                    )
            else:
                points = [start] + [view.at(leg.to_lat, leg.to_lon) for leg in run]
                d = "M" + " ".join(f"{n(x)},{n(y)}" for x, y in points)
                for a, b in itertools.pairwise(points):
                    steps = max(1, int(math.dist(a, b) / 10))
                    samples += [
                        (a[0] + (b[0] - a[0]) * k / steps, a[1] + (b[1] - a[1]) * k / steps) for k in range(steps + 1)
                    ]
            attrs = {"data-mode": mode, "d": d}
            if DASHES[mode]:
                attrs["stroke-dasharray"] = DASHES[mode]
            if mode == "air":
                attrs["stroke-width"] = "4"
            ET.SubElement(group, "path", attrs)
    return samples


def _legend(
    view: View,
    colours: Mapping[int, str],
    names: Mapping[int, str],
    placer: Placer,
    route: Sequence[tuple[float, float]],
    parent: ET.Element,
) -> None:
    """The days' colours and names in the first corner free of markers and of the route."""
    rows = [(day, xml_safe(names[day], 30)) for day in sorted(colours) if names.get(day)]
    if not rows:
        return
    width = 34 + 0.6 * 12 * max(len(text) for _, text in rows)
    height = 8 + 18 * len(rows)
    corners = [
        (10.0, view.height - 10 - height),
        (10.0, 10.0),
        (view.width - 10 - width, 10.0),
        (view.width - 10 - width, view.height - 42 - height),
    ]
    x0, y0 = corners[0]
    for cx, cy in corners:
        box = (cx, cy, cx + width, cy + height)
        if placer.free(box) and not any(box[0] <= x <= box[2] and box[1] <= y <= box[3] for x, y in route):
            x0, y0 = cx, cy
            break
    placer.boxes.append((x0, y0, x0 + width, y0 + height))
    group = ET.SubElement(parent, "g", {"data-layer": "legend"})
    ET.SubElement(
        group,
        "rect",
        {
            "x": n(x0),
            "y": n(y0),
            "width": n(width),
            "height": n(height),
            "rx": "4",
            "fill": HALO,
            "fill-opacity": "0.85",
            "stroke": BORDER,
        },
    )
    for i, (day, text) in enumerate(rows):
        y = y0 + 13 + 18 * i
        ET.SubElement(
            group,
            "path",
            {"d": f"M{n(x0 + 8)},{n(y)}H{n(x0 + 26)}", "stroke": colours[day], "stroke-width": "4"},
        )
        label = ET.SubElement(
            group,
            "text",
            {"x": n(x0 + 32), "y": n(y), "dominant-baseline": "central", "font-size": "12", "fill": INK},
        )
        label.text = text


# --- public -----------------------------------------------------------------------------------


def route_map(
    stops: Sequence[MapStop],
    *,
    legs: Sequence[MapLeg] = (),
    width: int = 800,
    height: int = 600,
    padding: float = 0.08,
    title: str = "",
    labels: bool = True,
    description: str = "",
    day_names: Mapping[int, str] | None = None,
    min_extent_km: float = 150.0,
    empty_text: str = "Nothing to show on the map",
    tile_url: str | None = None,
    tile_attribution: str | None = None,
    attribution: str = "",
    locale: str = "en",
    country_names: bool = True,
) -> str:
    """A seller's route as a standalone SVG string (see ``docs/maps.md``).

    Visit stops are numbered 1, 2, 3… in the order given; each day's legs are drawn in that day's
    colour (``day_colours``): solid for car, dashed for rail, a dotted arc for air. Without
    ``legs``, each day is joined by car from home or the previous night's hotel through its visits.
    ``title`` becomes ``<title>`` and ``aria-label``; ``description`` a ``<desc>``; ``day_names``
    (e.g. ``{1: "Mon 3 Mar"}``) a legend. Callers pass these already translated.
    ``tile_url`` ``None`` reads ``KANELBULLE_TILE_URL``; ``""`` turns tiles off.
    """
    if width <= 0 or height <= 0:
        raise ValueError(f"width and height must be positive, got {width}×{height}")
    root = _root(width, height, title or "Route map", description)
    legs = list(legs) if legs else _legs_from_stops(stops)
    points = [mercator(s.lat, s.lon) for s in stops]
    for leg in legs:
        fx, fy = mercator(leg.from_lat, leg.from_lon)
        tx, ty = mercator(leg.to_lat, leg.to_lon)
        points += [(fx, fy), (tx, ty)]
        if leg.mode == "air":  # the arc bows out by half its control offset
            cx, cy = _air_control(fx, fy, tx, ty)
            points.append(((fx + tx) / 4 + cx / 2, (fy + ty) / 4 + cy / 2))
    if not points:
        return _empty(root, width, height, empty_text)
    view = fit(points, width, height, padding, min_extent_km)
    write_names = _base(root, view, tile_url, tile_attribution, attribution)

    colours = day_colours([leg.day for leg in legs] + [s.day for s in stops if s.day is not None])
    route = _routes(view, legs, colours, root)

    placer = Placer(width, height)
    placer.boxes.append((width - 140.0, height - 36.0, float(width), float(height)))  # scale bar
    markers = ET.SubElement(root, "g", {"data-layer": "stops"})
    placed: list[tuple[MapStop, float, float, int]] = []
    number = 0
    # Homes first, then hotels, then visits: the landmarks keep their true place when crowded.
    rank = {"home": 0, "hotel": 1, "visit": 2}
    order = sorted(range(len(stops)), key=lambda i: (rank[stops[i].kind], i))
    numbers: dict[int, int] = {}
    for i, stop in enumerate(stops):
        if stop.kind == "visit":
            number += 1
            numbers[i] = number
    for i in order:
        stop = stops[i]
        x, y = placer.marker(*view.at(stop.lat, stop.lon), MARKER_R + 1)
        placed.append((stop, x, y, numbers.get(i, 0)))
    for stop, x, y, num in sorted(placed, key=lambda p: (p[1], p[2], p[3])):
        colour = colours.get(stop.day, NO_DAY_COLOUR) if stop.day is not None else NO_DAY_COLOUR
        name = xml_safe(stop.label, LABEL_MAX_CHARS)
        item = ET.SubElement(markers, "g", {"data-kind": stop.kind})
        if name:
            ET.SubElement(item, "title").text = f"{num}. {name}" if num else name
        if stop.kind == "home":
            home_marker(item, x, y, MARKER_R)
        elif stop.kind == "hotel":
            hotel_marker(item, x, y, MARKER_R * 0.9, colour)
        else:
            visit_marker(item, x, y, MARKER_R, colour, num)
    if day_names:
        _legend(view, colours, day_names, placer, route, root)
    if labels:
        text_layer = ET.SubElement(root, "g", {"data-layer": "labels"})
        for stop, x, y, _num in placed:
            name = xml_safe(stop.label, LABEL_MAX_CHARS)
            if name:
                spot = placer.label(x, y, MARKER_R, name, 12)
                if spot:
                    draw_label(text_layer, *spot, name)
    if country_names:
        write_names(placer, locale)
    return ET.tostring(root, encoding="unicode")


def overview_map(
    points: Sequence[MapPoint],
    *,
    width: int = 800,
    height: int = 600,
    padding: float = 0.06,
    title: str = "",
    labels: bool = False,
    description: str = "",
    colour: str = DAY_COLOURS[0],
    min_extent_km: float = 150.0,
    empty_text: str = "Nothing to show on the map",
    tile_url: str | None = None,
    tile_attribution: str | None = None,
    attribution: str = "",
    locale: str = "en",
    country_names: bool = True,
) -> str:
    """Dots for many places (e.g. a seller's customers) over the outlines, as a standalone SVG.

    Each dot carries its label as a ``<title>`` (a tooltip) and, with ``href``, is a link when the
    SVG is inlined in a page. ``labels=True`` also writes the labels beside the dots where they fit.
    """
    if width <= 0 or height <= 0:
        raise ValueError(f"width and height must be positive, got {width}×{height}")
    root = _root(width, height, title or "Map", description)
    if not points:
        return _empty(root, width, height, empty_text)
    view = fit([mercator(p.lat, p.lon) for p in points], width, height, padding, min_extent_km)
    write_names = _base(root, view, tile_url, tile_attribution, attribution)
    if not colour.startswith("#") or not all(c in "0123456789abcdefABCDEF" for c in colour[1:]):
        raise ValueError(f"colour must be a hex colour such as #1f6fb4, got {colour!r}")
    dots = ET.SubElement(root, "g", {"data-layer": "points", "fill": colour, "stroke": HALO, "stroke-width": "1.2"})
    placer = Placer(width, height)
    placer.boxes.append((width - 140.0, height - 36.0, float(width), float(height)))  # scale bar
    radius = 5.0
    for point in sorted(points, key=lambda p: (-p.lat, p.lon, p.label, p.href)):
        x, y = view.at(point.lat, point.lon)
        name = xml_safe(point.label, LABEL_MAX_CHARS)
        href = safe_href(point.href)
        holder = ET.SubElement(dots, "a", {"href": href}) if href else dots
        dot = ET.SubElement(holder, "circle", {"cx": n(x), "cy": n(y), "r": n(radius)})
        if name:
            ET.SubElement(dot, "title").text = name
        placer.boxes.append((x - radius, y - radius, x + radius, y + radius))
    if labels:
        text_layer = ET.SubElement(root, "g", {"data-layer": "labels"})
        for point in sorted(points, key=lambda p: (-p.lat, p.lon, p.label, p.href)):
            name = xml_safe(point.label, LABEL_MAX_CHARS)
            if not name:
                continue
            x, y = view.at(point.lat, point.lon)
            spot = placer.label(x, y, radius, name, 11, force=False)
            if spot:
                draw_label(text_layer, *spot, name, 11)
    if country_names:
        write_names(placer, locale)
    return ET.tostring(root, encoding="unicode")
