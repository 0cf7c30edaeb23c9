"""An optional slippy-map tile background (``KANELBULLE_TILE_URL``), fetched by the browser, never by us."""

from __future__ import annotations

import math
import os
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

from kanelbulle.maps.geometry import View
from kanelbulle.maps.markup import n2

TILE_URL_ENV = "KANELBULLE_TILE_URL"
TILE_ATTRIBUTION_ENV = "KANELBULLE_TILE_ATTRIBUTION"
MAX_TILES = 64


def tile_url_template(explicit: str | None = None) -> str:
    """The tile URL to use: ``explicit`` if given (``""`` turns tiles off), else ``KANELBULLE_TILE_URL``.

    A URL that is not http(s) or lacks ``{z}``, ``{x}`` or ``{y}`` is a configuration error, raised
    as ``ValueError`` naming the variable rather than drawn as a map full of broken images.
    """
    url = (os.environ.get(TILE_URL_ENV, "") if explicit is None else explicit).strip()
    if not url:
        return ""
    parts = urlsplit(url)
    missing = [p for p in ("{z}", "{x}", "{y}") if p not in url]
    if parts.scheme not in ("http", "https") or not parts.netloc or missing:
        raise ValueError(
            f"{TILE_URL_ENV} must be an http(s) URL with {{z}}, {{x}} and {{y}} in it, "
            f"e.g. https://tile.example/{{z}}/{{x}}/{{y}}.png; got {url!r}"
        )
    return url


def draw_tiles(view: View, template: str, parent: ET.Element) -> None:
    """``<image>`` elements for the slippy-map tiles under the view; the browser fetches them, not us.

    The zoom is the smallest at which a tile is drawn no larger than 256 px (so tiles stay sharp),
    lowered while more than ``MAX_TILES`` tiles would be needed.
    """
    zoom = max(0, min(19, math.ceil(math.log2(max(view.scale / 256.0, 1e-9)))))
    while True:
        n = 2**zoom
        x0, x1 = math.floor(view.min_x * n), math.floor(view.max_x * n)
        y0, y1 = max(0, math.floor(view.min_y * n)), min(n - 1, math.floor(view.max_y * n))
        if (x1 - x0 + 1) * (y1 - y0 + 1) <= MAX_TILES or zoom == 0:
            break
        zoom -= 1
    size = view.scale / n
    group = ET.SubElement(parent, "g", {"data-layer": "tiles"})
    for ty in range(y0, y1 + 1):
        for tx in range(x0, x1 + 1):
            url = template.replace("{z}", str(zoom)).replace("{x}", str(tx % n)).replace("{y}", str(ty))
            px, py = view.px(tx / n, ty / n)
            ET.SubElement(
                group,
                "image",
                {
                    "href": url,
                    "x": n2(px),
                    "y": n2(py),
                    "width": n2(size + 0.5),  # a hair of overlap hides seams between tiles
                    "height": n2(size + 0.5),
                    "preserveAspectRatio": "none",
                },
            )
