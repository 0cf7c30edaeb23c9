"""Maps drawn offline: SVG over vendored Natural Earth country outlines (see docs/maps.md).

A plain module, not a Django app: data in, an SVG string out. ``route_map`` draws a seller's days
(stops, legs by car, rail or air, hotel nights); ``overview_map`` draws dots, e.g. customers.
"""

from __future__ import annotations

from kanelbulle.maps.markup import DAY_COLOURS
from kanelbulle.maps.svg import MapLeg, MapPoint, MapStop, day_colours, overview_map, route_map
from kanelbulle.maps.tiles import TILE_ATTRIBUTION_ENV, TILE_URL_ENV, tile_url_template

__all__ = [
    "DAY_COLOURS",
    "TILE_ATTRIBUTION_ENV",
    "TILE_URL_ENV",
    "MapLeg",
    "MapPoint",
    "MapStop",
    "day_colours",
    "overview_map",
    "route_map",
    "tile_url_template",
]
