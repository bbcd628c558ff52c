"""Turn world-atlas's Natural Earth TopoJSON (npm package world-atlas 2.0.2, ISC; the data are public domain)
into the GeoJSON basemap shipped in static/stats/countries-110m.geojson.

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python stats/tools/topojson_to_geojson.py package/countries-110m.json static/stats/countries-110m.geojson

Only outlines and country names are kept; coordinates are rounded to 0.01° (about 1 km), plenty at 1:110m.
"""
from __future__ import annotations

import json
import sys


def decode(topology: dict, object_name: str) -> dict:
    scale, translate = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append([round(x * scale[0] + translate[0], 2), round(y * scale[1] + translate[1], 2)])
        arcs.append(points)

    def ring(indexes: list[int]) -> list:
        out: list = []
        for index in indexes:
            points = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
            out.extend(points if not out else points[1:])
        return out

    features = []
    for geometry in topology["objects"][object_name]["geometries"]:
        kind = geometry.get("type")
        if kind == "Polygon":
            coordinates = [ring(r) for r in geometry["arcs"]]
        elif kind == "MultiPolygon":
            coordinates = [[ring(r) for r in polygon] for polygon in geometry["arcs"]]
        else:
            continue
        features.append({"type": "Feature", "properties": {"name": geometry.get("properties", {}).get("name", "")},
                         "geometry": {"type": kind, "coordinates": coordinates}})
    return {"type": "FeatureCollection", "features": features}


if __name__ == "__main__":
    source, target = sys.argv[1], sys.argv[2]
    with open(source, encoding="utf-8") as fh:
        collection = decode(json.load(fh), "countries")
    with open(target, "w", encoding="utf-8") as fh:
        json.dump(collection, fh, separators=(",", ":"), ensure_ascii=False)
