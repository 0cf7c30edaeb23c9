"""Maps drawn offline: a seller's route (and a field of customers) as SVG over Natural Earth outlines."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from kanelbulle.maps import (
    TILE_URL_ENV,
    MapLeg,
    MapPoint,
    MapStop,
    day_colours,
    overview_map,
    route_map,
    tile_url_template,
)

NS = "{http://www.w3.org/2000/svg}"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"

HOME = (59.3293, 18.0686)  # Stockholm
ARLANDA = (59.6498, 17.9238)
LULEA_AIRPORT = (65.5437, 22.1222)
LULEA = (65.5848, 22.1547)
PITEA = (65.3172, 21.4800)
UPPSALA = (59.8586, 17.6389)
GAVLE = (60.6749, 17.1413)

STOPS = [
    MapStop(*HOME, "Home", "home"),
    MapStop(*UPPSALA, "Uppsala Verktyg AB", "visit", 1),
    MapStop(*GAVLE, "Gävle Hamn", "visit", 1),
    MapStop(*LULEA, "Luleå Stål AB", "visit", 2),
    MapStop(*LULEA, "Hotel Luleå", "hotel", 2),
    MapStop(*PITEA, "Piteå Trä", "visit", 3),
]
LEGS = [
    MapLeg(*HOME, *UPPSALA, "car", 1),
    MapLeg(*UPPSALA, *GAVLE, "car", 1),
    MapLeg(*GAVLE, *HOME, "rail", 1),
    MapLeg(*HOME, *ARLANDA, "car", 2),
    MapLeg(*ARLANDA, *LULEA_AIRPORT, "air", 2),
    MapLeg(*LULEA_AIRPORT, *LULEA, "car", 2),
    MapLeg(*LULEA, *PITEA, "car", 3),
    MapLeg(*PITEA, *LULEA_AIRPORT, "car", 3),
    MapLeg(*LULEA_AIRPORT, *ARLANDA, "air", 3),
    MapLeg(*ARLANDA, *HOME, "car", 3),
]


def trip(**options: object) -> str:
    return route_map(STOPS, legs=LEGS, title="Anna's plan, 3–5 March", tile_url="", **options)  # type: ignore[arg-type]


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output, parsed to check it


def view_box(root: ET.Element) -> tuple[float, float, float, float]:
    x, y, w, h = (float(v) for v in root.attrib["viewBox"].split())
    return x, y, w, h


def test_it_is_an_accessible_standalone_svg() -> None:
    root = parse(trip())
    assert root.tag == f"{NS}svg"
    assert root.attrib["role"] == "img"
    assert root.attrib["aria-label"] == "Anna's plan, 3–5 March"
    assert root[0].tag == f"{NS}title" and root[0].text == "Anna's plan, 3–5 March"
    assert view_box(root) == (0, 0, 800, 600)


def test_each_day_is_drawn_in_its_own_colour() -> None:
    root = parse(trip())
    days = root.findall(f".//{NS}g[@data-day]")
    assert [g.attrib["data-day"] for g in days] == ["1", "2", "3"]
    colours = [g.attrib["stroke"] for g in days]
    assert len(set(colours)) == 3
    assert colours == [day_colours([1, 2, 3])[d] for d in (1, 2, 3)]
    for group in days:
        assert group.findall(f"{NS}path"), f"day {group.attrib['data-day']} has no line"


def test_the_flight_to_lulea_is_drawn_as_an_air_leg_and_the_train_dashed() -> None:
    root = parse(trip())
    day2 = root.find(f".//{NS}g[@data-day='2']")
    assert day2 is not None
    modes = [p.attrib["data-mode"] for p in day2.findall(f"{NS}path")]
    assert modes == ["car", "air", "car"]
    air = day2.findall(f"{NS}path")[1]
    assert "Q" in air.attrib["d"], "a flight is an arc, not a straight road"
    assert air.attrib["stroke-dasharray"]
    car = day2.findall(f"{NS}path")[0]
    assert "stroke-dasharray" not in car.attrib
    day1 = root.find(f".//{NS}g[@data-day='1']")
    assert day1 is not None
    rail = [p for p in day1.findall(f"{NS}path") if p.attrib["data-mode"] == "rail"]
    assert len(rail) == 1 and rail[0].attrib["stroke-dasharray"] != air.attrib["stroke-dasharray"]
    # the two car legs of day 1 are one polyline
    assert [p.attrib["data-mode"] for p in day1.findall(f"{NS}path")] == ["car", "rail"]


def test_stops_are_numbered_in_order_and_home_and_hotel_are_marked() -> None:
    root = parse(trip())
    stops = root.find(f".//{NS}g[@data-layer='stops']")
    assert stops is not None
    kinds = sorted(g.attrib["data-kind"] for g in stops)
    assert kinds == ["home", "hotel", "visit", "visit", "visit", "visit"]
    titles = sorted(g.findtext(f"{NS}title") or "" for g in stops if g.attrib["data-kind"] == "visit")
    assert titles == ["1. Uppsala Verktyg AB", "2. Gävle Hamn", "3. Luleå Stål AB", "4. Piteå Trä"]
    numbers = sorted(t.text or "" for g in stops for t in g.findall(f"{NS}text"))
    assert numbers == ["1", "2", "3", "4"]
    labels = {t.text for t in root.findall(f".//{NS}g[@data-layer='labels']/{NS}text")}
    assert {"Home", "Hotel Luleå", "Piteå Trä"} <= labels


def test_markers_lie_inside_the_view() -> None:
    for svg in (trip(), trip(width=400, height=900), route_map(STOPS[:1], tile_url="")):
        root = parse(svg)
        _, _, w, h = view_box(root)
        stops = root.find(f".//{NS}g[@data-layer='stops']")
        assert stops is not None
        for circle in stops.iter(f"{NS}circle"):
            cx, cy, r = (float(circle.attrib[k]) for k in ("cx", "cy", "r"))
            assert r <= cx <= w - r and r <= cy <= h - r
        for rect in stops.iter(f"{NS}rect"):
            x, y = float(rect.attrib["x"]), float(rect.attrib["y"])
            assert 0 <= x <= w - float(rect.attrib["width"]) and 0 <= y <= h - float(rect.attrib["height"])
        for path in stops.iter(f"{NS}path"):
            numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", path.attrib["d"])]
            assert all(-1 <= n <= max(w, h) + 1 for n in numbers)


def test_country_outlines_show_sweden_and_finlands_coast() -> None:
    root = parse(trip())
    names = {p.attrib["data-name"] for p in root.iter(f"{NS}path") if "data-name" in p.attrib}
    assert {"Sweden", "Finland", "Norway"} <= names
    assert "Brazil" not in names and "Australia" not in names, "countries far away are skipped"
    sweden = next(p for p in root.iter(f"{NS}path") if p.attrib.get("data-name") == "Sweden")
    assert sweden.attrib["d"].count(",") > 200, "Sweden has a real coastline, not a box"


def test_country_names_are_in_the_readers_language() -> None:
    english = {t.text for t in parse(trip()).findall(f".//{NS}g[@data-layer='countries']/{NS}text")}
    swedish = {t.text for t in parse(trip(locale="sv")).findall(f".//{NS}g[@data-layer='countries']/{NS}text")}
    assert {"SWEDEN", "FINLAND"} <= english
    assert {"SVERIGE", "FINLAND"} <= swedish
    assert not parse(trip(country_names=False)).findall(f".//{NS}g[@data-layer='countries']/{NS}text")


def test_the_legend_names_the_days_without_hiding_a_stop() -> None:
    root = parse(trip(day_names={1: "Mon 3 Mar", 2: "Tue 4 Mar", 3: "Wed 5 Mar"}))
    legend = root.find(f".//{NS}g[@data-layer='legend']")
    assert legend is not None
    assert [t.text for t in legend.iter(f"{NS}text")] == ["Mon 3 Mar", "Tue 4 Mar", "Wed 5 Mar"]
    box = legend.find(f"{NS}rect")
    assert box is not None
    x0, y0 = float(box.attrib["x"]), float(box.attrib["y"])
    x1, y1 = x0 + float(box.attrib["width"]), y0 + float(box.attrib["height"])
    for circle in root.iter(f"{NS}circle"):
        cx, cy, r = (float(circle.attrib[k]) for k in ("cx", "cy", "r"))
        assert cx + r < x0 or cx - r > x1 or cy + r < y0 or cy - r > y1


def test_hostile_labels_are_escaped() -> None:
    evil = '<script>alert("x")</script> & "Söner" \x00\x1b'
    svg = route_map(
        [MapStop(*HOME, "Home", "home"), MapStop(*UPPSALA, evil, "visit", 1)],
        title="<script>t</script>",
        tile_url="",
    )
    assert "<script" not in svg.lower()
    root = parse(svg)  # NUL and ESC were dropped, else this would not parse
    texts = [t.text for t in root.iter(f"{NS}text")]
    assert '<script>alert("x")</script> & "Söner"' in texts
    assert root.attrib["aria-label"] == "<script>t</script>"


def test_no_inline_style_and_no_script_anywhere() -> None:
    for svg in (trip(day_names={1: "Mon", 2: "Tue", 3: "Wed"}), overview_map([MapPoint(*HOME, "x", "/c/1/")])):
        for element in parse(svg).iter():
            assert "style" not in element.attrib
            assert element.tag not in (f"{NS}style", f"{NS}script", f"{NS}foreignObject")
            assert not any(attr.startswith("on") for attr in element.attrib)


def test_the_same_input_gives_the_same_svg() -> None:
    assert trip() == trip()
    assert overview_map([MapPoint(*HOME, "a"), MapPoint(*PITEA, "b")]) == overview_map(
        [MapPoint(*PITEA, "b"), MapPoint(*HOME, "a")]
    )


def test_the_same_input_gives_the_same_svg_in_another_process() -> None:
    code = (
        f"import hashlib, sys; sys.path.insert(0, {str(ARTIFACTS.parent)!r}); from tests import test_maps;"
        "print(hashlib.sha256(test_maps.trip(locale='sv').encode()).hexdigest())"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == hashlib.sha256(trip(locale="sv").encode()).hexdigest()


def test_nothing_to_show_gives_a_plain_message() -> None:
    root = parse(route_map([], title="Plan", empty_text="Inget att visa", tile_url=""))
    assert root.attrib["aria-label"] == "Plan"
    assert [t.text for t in root.iter(f"{NS}text")] == ["Inget att visa"]
    assert not root.findall(f".//{NS}path")
    assert [t.text for t in parse(overview_map([])).iter(f"{NS}text")] == ["Nothing to show on the map"]


def test_without_legs_each_day_runs_from_home_through_its_visits() -> None:
    root = parse(route_map(STOPS, tile_url=""))
    days = root.findall(f".//{NS}g[@data-day]")
    assert [g.attrib["data-day"] for g in days] == ["1", "2", "3"]
    assert all(p.attrib["data-mode"] == "car" for g in days for p in g.findall(f"{NS}path"))


def test_a_tile_url_adds_tiles_and_none_is_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(TILE_URL_ENV, raising=False)
    assert not parse(route_map(STOPS, legs=LEGS)).findall(f".//{NS}image")

    monkeypatch.setenv(TILE_URL_ENV, "https://tile.example/{z}/{x}/{y}.png")
    images = parse(route_map(STOPS, legs=LEGS, attribution="x")).findall(f".//{NS}image")
    assert 1 <= len(images) <= 64
    for image in images:
        assert re.fullmatch(r"https://tile\.example/\d+/\d+/\d+\.png", image.attrib["href"])
    boxes = [tuple(float(image.attrib[k]) for k in ("x", "y", "width", "height")) for image in images]
    assert min(b[0] for b in boxes) <= 0 and max(b[0] + b[2] for b in boxes) >= 800, "tiles cover the width"
    assert min(b[1] for b in boxes) <= 0 and max(b[1] + b[3] for b in boxes) >= 600, "tiles cover the height"
    assert sum(b[2] * b[3] for b in boxes) >= 800 * 600
    zooms = {image.attrib["href"].split("/")[3] for image in images}
    assert len(zooms) == 1 and 4 <= int(zooms.pop()) <= 8
    assert not parse(route_map(STOPS, legs=LEGS, tile_url="")).findall(f".//{NS}image"), "'' turns tiles off"


def test_a_bad_tile_url_names_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TILE_URL_ENV, "ftp://tiles/{z}/{x}.png")
    with pytest.raises(ValueError, match=TILE_URL_ENV):
        tile_url_template()


@pytest.mark.parametrize(
    ("make", "field"),
    [
        (lambda: MapStop(95.0, 18.0, "x"), "MapStop.lat"),
        (lambda: MapStop(59.0, float("nan"), "x"), "MapStop.lon"),
        (lambda: MapStop(59.0, 18.0, "x", "office"), "MapStop.kind"),  # type: ignore[arg-type]
        (lambda: MapLeg(59.0, 18.0, 65.0, 200.0), "MapLeg.to_lon"),
        (lambda: MapLeg(59.0, 18.0, 65.0, 22.0, "boat"), "MapLeg.mode"),  # type: ignore[arg-type]
    ],
)
def test_bad_coordinates_and_kinds_are_refused_by_name(make: object, field: str) -> None:
    with pytest.raises(ValueError, match=re.escape(field)):
        make()  # type: ignore[operator]


def test_overview_shows_every_customer_and_only_safe_links() -> None:
    points = [
        MapPoint(*HOME, "Kund <A>", "/customers/c-1/"),
        MapPoint(*LULEA, "Kund B", "javascript:alert(1)"),
        MapPoint(*GAVLE, "Kund C"),
    ]
    root = parse(overview_map(points, title="Customers", labels=True, tile_url=""))
    dots = list(root.find(f".//{NS}g[@data-layer='points']").iter(f"{NS}circle"))  # type: ignore[union-attr]
    assert len(dots) == 3
    assert sorted(d.findtext(f"{NS}title") or "" for d in dots) == ["Kund <A>", "Kund B", "Kund C"]
    assert [a.attrib["href"] for a in root.iter(f"{NS}a")] == ["/customers/c-1/"]


@pytest.mark.browser
def test_it_renders_as_a_map_in_chromium_without_csp_complaints(page: object) -> None:
    """The map inlined in a page under a strict CSP: no refusals, Sweden on screen, a PNG to look at."""
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    complaints: list[str] = []
    page.on("console", lambda message: complaints.append(message.text))
    svg = trip(day_names={1: "Mon 3 Mar", 2: "Tue 4 Mar", 3: "Wed 5 Mar"})
    page.set_viewport_size({"width": 800, "height": 600})
    page.set_content(
        '<!doctype html><html><head><meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; img-src 'self'\"></head>"
        f"<body>{svg}</body></html>"
    )
    sweden = page.locator('path[data-name="Sweden"]').bounding_box()
    assert sweden and sweden["width"] > 100 and sweden["height"] > 300
    lulea = page.locator("g[data-kind='hotel']").bounding_box()
    assert lulea and lulea["y"] < 150, "Luleå is at the top of the map"
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("svg").screenshot(path=str(ARTIFACTS / "map-route-stockholm-lulea.png"))
    assert not [c for c in complaints if "Content Security Policy" in c or "Refused" in c]
