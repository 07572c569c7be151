"""Folium map builders: the area boundary and the unsafe places, coloured by status."""
from __future__ import annotations

import html

import folium
import geopandas as gpd
import pandas as pd

from .map_assets import local_assets

CENTRE = (59.3386, 18.0559)
STATUS_COLOURS = {"ny": "#D55E00", "pågående": "#E69F00", "bevakas": "#0072B2", "avslutad": "#7f7f7f"}


def place_map(place_frame: pd.DataFrame, boundaries: gpd.GeoDataFrame, tiles: str | None = "OpenStreetMap") -> folium.Map:
    """A map of the boundaries and one circle per place, its colour saying its status."""
    # maxZoom in Leaflet's own spelling: folium passes max_zoom only to a tile layer, and clusters need it.
    m = folium.Map(location=CENTRE, zoom_start=14, tiles=tiles or None, max_zoom=19, maxZoom=19, control_scale=True)
    if not boundaries.empty:
        folium.GeoJson(boundaries.to_json(), name="Stadsdelsområde",
                       style_function=lambda _: {"color": "#1f5f8b", "weight": 3, "fillOpacity": 0.04}).add_to(m)
    for row in place_frame.itertuples():
        # Typed text is escaped: a description must never run as HTML or script in the map.
        label = f"{html.escape(row.name)} ({html.escape(row.status)})"
        folium.CircleMarker((row.lat, row.lon), radius=10, weight=2, color="#1b1f24",
                            fill=True, fill_opacity=0.9, fill_color=STATUS_COLOURS.get(row.status, "#7f7f7f"),
                            tooltip=folium.Tooltip(label), popup=folium.Popup(label)).add_to(m)
    return local_assets(m)
