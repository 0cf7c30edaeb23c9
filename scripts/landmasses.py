"""Derive the land masses of the vendored Natural Earth countries (run once by hand; see docs/planner.md).

Each polygon part of ``maps/data/countries-50m.geojson`` joins the parts it shares a border vertex
with (a land border) and the parts less than ``GAP_KM`` away across water (a bridge, a tunnel or a
short ferry: the Öresund, the Great Belt, the Bosporus). The connected parts form one land mass;
the file written lists each part's land mass in the order the parts appear in the GeoJSON, so the
planner needs no geometry library and no minutes of computing at run time. The outer rings are
kept beside them in whole thousandths of a degree (the vendored file's own precision), as
differences from the point before, so the planner reads one small file rather than parsing the
whole GeoJSON.

    python scripts/landmasses.py src/kanelbulle/planner/data/landmasses.npz
"""

from __future__ import annotations

import hashlib
import json
import sys
from importlib import resources

import numpy as np
from scipy.spatial import cKDTree

GAP_KM = 25.0
EARTH_RADIUS_KM = 6371.0088


def main() -> None:
    raw = resources.files("kanelbulle.maps").joinpath("data/countries-50m.geojson").read_bytes()
    features = json.loads(raw)["features"]
    rings: list[list[list[float]]] = []
    for feature in features:
        geometry = feature["geometry"]
        polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        rings.extend(polygon[0] for polygon in polygons)
    parent = list(range(len(rings)))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    def union(a: int, b: int) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    owner: dict[tuple[float, float], int] = {}
    points: list[tuple[float, float, float]] = []
    part_of: list[int] = []
    for i, ring in enumerate(rings):
        for lon, lat in ring:
            if (lon, lat) in owner:
                union(i, owner[lon, lat])
            else:
                owner[lon, lat] = i
            la, lo = np.radians(lat), np.radians(lon)
            points.append((np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)))
            part_of.append(i)
    xyz = np.array(points)
    parts = np.array(part_of)
    tree = cKDTree(xyz)
    _, near = tree.query(xyz, k=40, distance_upper_bound=GAP_KM / EARTH_RADIUS_KM)
    for a in range(len(xyz)):
        for j in near[a]:
            if j < len(xyz) and parts[j] != parts[a]:
                union(int(parts[a]), int(parts[j]))
    roots = sorted({find(i) for i in range(len(rings))})
    number = {r: k for k, r in enumerate(roots)}
    about = {
        "source": "kanelbulle/maps/data/countries-50m.geojson (Natural Earth 1:50m, version 4.1.0)",
        "source_sha256": hashlib.sha256(raw).hexdigest(),
        "gap_km": GAP_KM,
        "parts": len(rings),
    }
    xy = np.concatenate([np.round(np.asarray(ring, dtype=np.float64) * 1000).astype(np.int32) for ring in rings])
    np.savez_compressed(
        sys.argv[1],
        about=np.array(json.dumps(about)),
        land=np.array([number[find(i)] for i in range(len(rings))], dtype=np.int32),
        offsets=np.cumsum([0] + [len(ring) for ring in rings]).astype(np.int64),
        delta=np.diff(xy, axis=0, prepend=np.zeros((1, 2), dtype=np.int32)),
    )


if __name__ == "__main__":
    main()
