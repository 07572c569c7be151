"""Folium map builders: the area boundary, the unsafe places by status and category, and the observations;
and how a place looks on screen (its status colour and meaning, its category symbol), here and nowhere else.

Built for streamlit-folium: places are the only clickable objects (their tooltip names them, so a click
can open the place card), observations are drawn on one canvas that takes no clicks, so 50 000 of them
stay quick, and every text a user typed reaches Leaflet HTML-escaped, as JSON.
"""
from __future__ import annotations

import html
import json
from dataclasses import dataclass
from urllib.parse import urlsplit

import folium
import geopandas as gpd
import pandas as pd
from folium.template import Template
from branca.element import MacroElement

from ..formatting import number
from ..map_assets import local_assets
from ..places import DEFAULT_CATEGORY

# Each category's symbol is what the map prints inside a place's circle (a test checks every category has one).
CATEGORY_SYMBOLS = {
    "alkohol/narkotika": "AN", "våld/rån": "VR", "inbrott/stöld": "IS", "bosättningar/sovplatser": "BS",
    "ungdomar": "U", "fysisk miljö/belysning": "FM", "prostitution": "P", "byggetablering": "BE", "annat": "A",
}
# Colour-blind safe (Okabe–Ito); the text colour keeps the category symbol readable on the fill.
STATUS_COLOURS = {"ny": "#D55E00", "pågående": "#E69F00", "bevakas": "#0072B2", "avslutad": "#7f7f7f"}
STATUS_TEXT_COLOURS = {"ny": "#ffffff", "pågående": "#1b1f24", "bevakas": "#ffffff", "avslutad": "#ffffff"}
STATUS_MEANINGS = {
    "ny": "nyss uppmärksammad, inga åtgärder ännu",
    "pågående": "åtgärder pågår",
    "bevakas": "läget följs, inga åtgärder just nu",
    "avslutad": "inga fler åtgärder behövs",
}

CENTRE = (59.3386, 18.0559)
ZOOM = 14
# Fitting the view to a few places nearby must not zoom in to street level.
FIT_MAX_ZOOM = 15
MAX_ZOOM = 19
# Circles closer than this many pixels (a circle is 30 across) are spread apart on the screen.
SPREAD_GAP = 34
BOUNDARY_COLOUR = "#1f5f8b"
OUTLINE = "#1b1f24"
OBSERVATION_COLOUR = "#23235b"
# What st_folium returns: only clicks, so panning and zooming never rerun the page.
RETURNED_OBJECTS = ["last_clicked", "last_object_clicked", "last_object_clicked_tooltip"]


def escape(text: object) -> str:
    """Typed text as inert HTML (also inside a JavaScript template string: no backtick, ${ or backslash left)."""
    return (html.escape(str(text if text is not None else ""), quote=True)
            .replace("`", "&#96;").replace("$", "&#36;").replace("\\", "&#92;"))


def count_text(count: int) -> str:
    """'1 iakttagelse', '12 iakttagelser'."""
    return f"{count} iakttagelse" if count == 1 else f"{number(count)} iakttagelser"


def tooltip_detail(status: str, category: str, count: int) -> str:
    """The tooltip's second line: status, category and observations in the selection."""
    return f"{status} · {category} · {count_text(count)}"


def tooltip_text(name: str, status: str, category: str, count: int) -> str:
    """The tooltip as text, as streamlit-folium reports it after a click (name and detail run together)."""
    return f"{name}{tooltip_detail(status, category, count)}"


class _PlaceLayer(MacroElement):
    """One clickable circle per place (fill = status) with the category symbol printed on it."""

    _template = Template("""
        {% macro header(this, kwargs) %}
        <style>
          .lb-symbol { display: flex; align-items: center; justify-content: center; pointer-events: none;
                       font: 700 13px/1 "Source Sans Pro", sans-serif; letter-spacing: 0.02em; }
          .leaflet-tooltip.lb-tooltip { font: 16px/1.35 "Source Sans Pro", sans-serif; padding: 6px 10px; }
          path.leaflet-interactive:focus { outline: none; }  /* the ring marks the chosen place instead */
        </style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var outline = {{ this.outline|tojson }};
            var places = L.featureGroup();
            // Leader lines from a spread circle back to its true spot, in their own pane under the circles.
            var leaderPane = map.createPane("lagesbildLeaders");
            leaderPane.style.zIndex = 395;
            leaderPane.style.pointerEvents = "none";
            var leaders = L.layerGroup().addTo(map);
            var placeData = {{ this.places|tojson }};
            var items = placeData.map(function (p) {
                var circle = L.circleMarker([p.lat, p.lon], {radius: 15, color: outline, weight: 2,
                                                             fillColor: p.fill, fillOpacity: 0.95})
                    .bindTooltip(p.tooltip, {direction: "top", offset: [0, -14], className: "lb-tooltip"})
                    .addTo(places);
                var label = L.marker([p.lat, p.lon], {interactive: false, keyboard: false,
                    icon: L.divIcon({className: "lb-symbol", html: p.symbol, iconSize: [30, 30]})}).addTo(places);
                return {p: p, circle: circle, label: label};
            });
            // Places closer than a circle's width at this zoom are spread on a ring around their middle,
            // each with a line to where it really is, so every one can be read and clicked at any zoom.
            var GAP = {{ this.gap }};
            function spread() {
                leaders.clearLayers();
                var points = items.map(function (it) { return map.latLngToLayerPoint([it.p.lat, it.p.lon]); });
                var at = points.slice();
                var parent = items.map(function (_, i) { return i; });
                function root(i) { while (parent[i] !== i) { i = parent[i] = parent[parent[i]]; } return i; }
                var groups = {};
                // A ring may land on a neighbour: merge and spread again until nothing overlaps.
                for (var round = 0; round < 8; round++) {
                    var merged = false;
                    for (var i = 0; i < items.length; i++) {
                        for (var j = i + 1; j < items.length; j++) {
                            if (at[i].distanceTo(at[j]) < GAP && root(i) !== root(j)) {
                                parent[root(i)] = root(j);
                                merged = true;
                            }
                        }
                    }
                    if (round > 0 && !merged) { break; }
                    groups = {};
                    items.forEach(function (_, i) { (groups[root(i)] = groups[root(i)] || []).push(i); });
                    Object.keys(groups).forEach(function (key) {
                        var members = groups[key];
                        var n = members.length;
                        var middle = members.reduce(function (sum, i) { return sum.add(points[i]); }, L.point(0, 0))
                            .divideBy(n);
                        var ring = n > 1 ? Math.max(GAP * 0.8, (GAP / 2 + 2) / Math.sin(Math.PI / n)) : 0;
                        // Slots in the order of the true bearings from the middle, so leader lines do not cross.
                        function bearing(i) { return Math.atan2(points[i].y - middle.y, points[i].x - middle.x); }
                        members.sort(function (a, b) { return bearing(a) - bearing(b) || a - b; });
                        var turn = bearing(members[0]);
                        members.forEach(function (i, k) {
                            var angle = turn + 2 * Math.PI * k / n;
                            at[i] = n > 1 ? middle.add(L.point(Math.cos(angle), Math.sin(angle)).multiplyBy(ring))
                                          : points[i];
                        });
                    });
                }
                var spreadCount = 0;
                items.forEach(function (it, i) {
                    var where = [it.p.lat, it.p.lon];
                    if (groups[root(i)].length > 1) {
                        where = map.layerPointToLatLng(at[i]);
                        L.polyline([[it.p.lat, it.p.lon], where], {pane: "lagesbildLeaders", color: outline,
                                   weight: 2, interactive: false}).addTo(leaders);
                        L.circleMarker([it.p.lat, it.p.lon], {pane: "lagesbildLeaders", radius: 3, stroke: false,
                                       fillColor: outline, fillOpacity: 1, interactive: false}).addTo(leaders);
                        spreadCount += 1;
                    }
                    it.circle.setLatLng(where);
                    it.label.setLatLng(where);
                });
                map.getContainer().setAttribute("data-places-spread", spreadCount);
            }
            places.addTo(map);
            spread();
            map.on("zoomend", spread);
            map.getContainer().setAttribute("data-places", {{ this.places|length }});
        })();
        {% endmacro %}
    """)

    def __init__(self, places: list[dict]) -> None:
        super().__init__()
        self._name = "PlaceLayer"
        # Only what the browser draws: the tooltip is already escaped, and no raw typed text is sent.
        self.places = [{k: p[k] for k in ("lat", "lon", "fill", "symbol", "tooltip")} for p in places]
        self.outline = OUTLINE
        self.gap = SPREAD_GAP


class _MetricScale(MacroElement):
    """Leaflet's scale in metres only (folium's control_scale also shows feet, "1000 ft")."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        L.control.scale({metric: true, imperial: false}).addTo({{ this._parent.get_name() }});
        {% endmacro %}
    """)


class _ObservationLayer(MacroElement):
    """Every observation as a small dot on one canvas in its own pane, below the places and deaf to clicks."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var pane = map.createPane("lagesbildObservations");
            pane.style.zIndex = 390;
            pane.style.pointerEvents = "none";
            var renderer = L.canvas({pane: "lagesbildObservations", padding: 0.3});
            var points = JSON.parse({{ this.points|tojson }});
            var layer = L.layerGroup();
            var style = {renderer: renderer, radius: 4, stroke: false, fillColor: {{ this.colour|tojson }},
                         fillOpacity: 0.6, interactive: false, bubblingMouseEvents: false};
            for (var i = 0; i < points.length; i += 2) {
                layer.addLayer(L.circleMarker([points[i], points[i + 1]], style));
            }
            layer.addTo(map);
            var container = map.getContainer();
            container.setAttribute("data-observations", points.length / 2);
            // Two frames later the canvas has drawn: what the browser tests and the benchmark wait for
            // (with the milliseconds since the map's frame started loading).
            requestAnimationFrame(function () { requestAnimationFrame(function () {
                container.setAttribute("data-drawn-ms", Math.round(performance.now()));
                container.setAttribute("data-observations-drawn", points.length / 2);
            }); });
        })();
        {% endmacro %}
    """)

    def __init__(self, observations: pd.DataFrame) -> None:
        super().__init__()
        self._name = "ObservationLayer"
        # A flat list of rounded numbers in a JSON string: about 20 bytes per point, parsed natively by the browser.
        flat = observations[["lat", "lon"]].round(5).to_numpy().ravel().tolist()
        self.points = json.dumps(flat, separators=(",", ":"))
        self.colour = OBSERVATION_COLOUR


def place_markers(place_frame: pd.DataFrame, counts: dict[str, int] | None = None) -> list[dict]:
    """What the place layer draws for each place: position, fill, symbol and the escaped tooltip."""
    counts = counts or {}
    markers = []
    for row in place_frame.itertuples():
        category = getattr(row, "category", None) or DEFAULT_CATEGORY
        count = counts.get(row.name, 0)
        text_colour = STATUS_TEXT_COLOURS.get(row.status, "#ffffff")
        markers.append({
            "name": row.name, "lat": float(row.lat), "lon": float(row.lon),
            "fill": STATUS_COLOURS.get(row.status, "#7f7f7f"),
            "symbol": f'<span style="color:{text_colour}">{escape(CATEGORY_SYMBOLS.get(category, "?"))}</span>',
            "tooltip": f"<b>{escape(row.name)}</b><br>{escape(tooltip_detail(row.status, category, count))}",
            "text": tooltip_text(row.name, row.status, category, count),
        })
    return markers


def place_map(place_frame: pd.DataFrame, boundaries: gpd.GeoDataFrame, tiles: str | None = "OpenStreetMap",
              observations: pd.DataFrame | None = None, counts: dict[str, int] | None = None) -> folium.Map:
    """A map of the boundaries, the observations as dots and one circle per place, its colour saying its status."""
    # maxZoom in Leaflet's own spelling: folium passes max_zoom only to a tile layer, and tiles=None has none.
    # A tile URL of the operator's own (LAGESBILD_TILES) needs an attribution; folium's named tiles bring theirs.
    attribution = f"Bakgrundskarta: {escape(urlsplit(tiles).hostname)}" if tiles and "://" in tiles else None
    m = folium.Map(location=CENTRE, zoom_start=ZOOM, tiles=tiles or None, attr=attribution, max_zoom=MAX_ZOOM,
                   maxZoom=MAX_ZOOM)
    m.add_child(_MetricScale())
    if not boundaries.empty:
        # Not clickable: a click inside the area is a click on the map (to place something there).
        folium.GeoJson(boundaries[["area", "geometry"]].to_json(), name="Stadsdelsområde", interactive=False,
                       style_function=lambda _: {"color": BOUNDARY_COLOUR, "weight": 3, "fillOpacity": 0.04}).add_to(m)
    if observations is not None and not observations.empty:
        m.add_child(_ObservationLayer(observations), name="observations")
    m.add_child(_PlaceLayer(place_markers(place_frame, counts)), name="places")
    if len(place_frame):
        m.fit_bounds([[place_frame["lat"].min(), place_frame["lon"].min()],
                      [place_frame["lat"].max(), place_frame["lon"].max()]], padding=(20, 20), max_zoom=FIT_MAX_ZOOM)
    return local_assets(m)


def _chip(label: str, count: int, swatch: str, title: str = "") -> str:
    return f'<span class="lb-chip" title="{escape(title)}">{swatch}{escape(label)} <b>{number(count)}</b></span>'


def symbol_html(symbol: str, fill: str = "#ffffff", colour: str = OUTLINE) -> str:
    """A category symbol drawn as on the map: letters in a circle."""
    return (f'<span class="lb-dot" style="background:{fill};color:{colour}">{escape(symbol)}</span>')


LEGEND_CSS = """<style>
.lb-legend { line-height: 1.9; margin-bottom: 0.4rem; }
.lb-chip { display: inline-flex; align-items: center; gap: 0.3em; margin-right: 1.1em; white-space: nowrap; }
.lb-dot { display: inline-flex; align-items: center; justify-content: center; min-width: 1.9em; height: 1.9em;
          border-radius: 50%; border: 2px solid #1b1f24; font-size: 0.72em; font-weight: 700; }
.lb-legend small { color: #4b5563; }
</style>"""


def legend_html(status_counts: pd.DataFrame, category_counts: pd.DataFrame, window: str) -> str:
    """The map's legend with the counts of the selection: places per status, observations per category (constants and numbers only)."""
    statuses = "".join(_chip(s, n, symbol_html("", STATUS_COLOURS[s]), STATUS_MEANINGS[s])
                       for s, n in status_counts.itertuples(index=False))
    meanings = " · ".join(f"{s}: {STATUS_MEANINGS[s]}" for s in status_counts["status"])
    categories = "".join(_chip(c, n, symbol_html(CATEGORY_SYMBOLS[c])) for c, n in category_counts.itertuples(index=False))
    return (f'{LEGEND_CSS}<div class="lb-legend"><b>Platser per status</b> (cirkelns färg)<br>{statuses}<br>'
            f'<small>{escape(meanings)}</small></div>'
            f'<div class="lb-legend"><b>Iakttagelser per kategori</b> (bokstäverna), {escape(window)}<br>{categories}</div>')


def selection_layer(selected: dict | None = None, point: tuple[float, float] | None = None) -> folium.FeatureGroup:
    """A ring around the chosen place and a dashed dot at the clicked point; added without redrawing the map."""
    group = folium.FeatureGroup(name="Urval")
    if selected is not None:
        folium.CircleMarker((selected["lat"], selected["lon"]), radius=23, color=OUTLINE, weight=4, fill=False,
                            interactive=False).add_to(group)
    if point is not None:
        folium.CircleMarker(point, radius=10, color=OUTLINE, weight=3, fill=True, fill_color="#ffffff",
                            fill_opacity=1, dash_array="4 3", interactive=False).add_to(group)
    return group


@dataclass(frozen=True)
class MapClick:
    """What a click on the map asks for: a place's card, or a point to place something at."""

    place: str | None = None
    point: tuple[float, float] | None = None


def _latlng(value) -> tuple[float, float] | None:
    if isinstance(value, dict) and value.get("lat") is not None and value.get("lng") is not None:
        return round(float(value["lat"]), 6), round(float(value["lng"]), 6)
    return None


def place_from_tooltip(text: str | None, markers: list[dict]) -> str | None:
    """The place whose tooltip was clicked: an exact match, else the longest name the text starts with."""
    text = (text or "").strip()
    exact = next((m["name"] for m in markers if m["text"] == text), None)
    if exact or not text:
        return exact
    names = sorted((m["name"] for m in markers if text.startswith(m["name"])), key=len, reverse=True)
    return names[0] if names else None


def read_click(value: dict | None, seen: dict | None, markers: list[dict]) -> tuple[MapClick, dict]:
    """The new click in st_folium's value, if any, and what to remember as seen (the value persists across reruns)."""
    value = value or {}
    seen = seen or {}
    clicked_object = (_latlng(value.get("last_object_clicked")), value.get("last_object_clicked_tooltip"))
    point = _latlng(value.get("last_clicked"))
    now = {"object": clicked_object, "point": point}
    if clicked_object != seen.get("object") and clicked_object[1]:
        # A click on a place also reaches the map underneath: the place wins.
        return MapClick(place=place_from_tooltip(clicked_object[1], markers)), now
    if point is not None and point != seen.get("point"):
        return MapClick(point=point), now
    return MapClick(), now
