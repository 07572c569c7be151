"""Regenerate stadsdelsomraden_exempel.geojson: rough boundaries for the 13 other districts of 2007-2019.

Drawn by hand, not from the city's file: a Voronoi of approximate district centres, clipped to a rough
outline of the city and cut around Norrmalm's own example boundary (norrmalm.geojson), so that the two
files together cover the city without gaps or overlaps. Good enough to tell the districts apart on a map.
"""

from __future__ import annotations

import json
from pathlib import Path

from shapely.geometry import MultiPoint, Point, Polygon, mapping, shape
from shapely.ops import unary_union
from shapely import voronoi_polygons

DATA_DIR = Path(__file__).resolve().parent
NOTE = "Förenklade gränser, exempeldata"

# Approximate middles (lon, lat) of the districts other than Norrmalm.
CENTRES = {
    "Rinkeby-Kista": (17.925, 59.405),
    "Spånga-Tensta": (17.885, 59.385),
    "Hässelby-Vällingby": (17.835, 59.365),
    "Bromma": (17.935, 59.335),
    "Kungsholmen": (18.015, 59.330),
    "Östermalm": (18.095, 59.345),
    "Södermalm": (18.075, 59.314),
    "Enskede-Årsta-Vantör": (18.060, 59.280),
    "Skarpnäck": (18.135, 59.275),
    "Farsta": (18.100, 59.243),
    "Älvsjö": (18.010, 59.270),
    "Hägersten-Liljeholmen": (17.980, 59.300),
    "Skärholmen": (17.910, 59.270),
}

# A rough outline of the city (lon, lat), clockwise from Hässelby in the north-west; Solna and Sundbyberg left out.
OUTLINE = [
    (17.76, 59.375), (17.80, 59.400), (17.86, 59.405), (17.90, 59.425), (17.94, 59.435), (17.97, 59.420),
    (17.965, 59.395), (17.95, 59.375), (17.935, 59.360), (17.965, 59.345), (17.995, 59.338), (18.026, 59.3382),
    (18.025, 59.3395), (18.03, 59.342), (18.035, 59.345), (18.042, 59.349), (18.044, 59.3525), (18.049, 59.3555),
    (18.05, 59.370), (18.06, 59.378), (18.085, 59.376), (18.12, 59.360),
    (18.16, 59.330), (18.15, 59.315), (18.12, 59.310), (18.13, 59.295), (18.17, 59.280), (18.16, 59.255),
    (18.12, 59.235), (18.07, 59.225), (18.03, 59.235), (17.99, 59.250), (17.95, 59.255), (17.89, 59.262),
    (17.88, 59.275), (17.88, 59.300), (17.86, 59.330), (17.80, 59.345),
]


def build() -> dict:
    """The GeoJSON feature collection, districts in the order of CENTRES."""
    norrmalm = shape(json.loads((DATA_DIR / "norrmalm.geojson").read_text("utf-8"))["features"][0]["geometry"])
    city = unary_union([Polygon(OUTLINE), norrmalm])
    cells = voronoi_polygons(MultiPoint([Point(c) for c in CENTRES.values()]), extend_to=city)
    features = []
    for name, centre in CENTRES.items():
        cell = next(c for c in cells.geoms if c.contains(Point(centre)))
        area = cell.intersection(city).difference(norrmalm).simplify(0.0005)
        if area.geom_type == "MultiPolygon":  # a sliver left by the cut: keep the district's main part
            area = max(area.geoms, key=lambda g: g.area)
        features.append({"type": "Feature", "properties": {"namn": name, "kalla": NOTE},
                         "geometry": json.loads(json.dumps(mapping(area.buffer(0))),
                                                parse_float=lambda v: round(float(v), 4))})
    return {"type": "FeatureCollection", "features": features}


if __name__ == "__main__":
    (DATA_DIR / "stadsdelsomraden_exempel.geojson").write_text(
        json.dumps(build(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
