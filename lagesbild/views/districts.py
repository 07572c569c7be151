"""The districts side by side: one indicator, year and group for every stadsdelsområde, as a table and a map.

Each district's share gets its 95 % interval, a test against the whole city in words and a colour class on a
sequential, colour-blind-safe scale. Districts are matched with the stored boundaries through renames and
mergers (areas.AREA_CHANGES) where the lineage allows; where it does not, the shape stays grey and says why.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import folium
import geopandas as gpd
import pandas as pd
from branca.element import MacroElement
from folium.template import Template
from shapely.ops import unary_union

from ..areas import AREA_CHANGES, AreaChange, area_lineage
from ..formatting import markdown_escape, number
from ..map_assets import local_assets
from .maps import OUTLINE, escape
from ..stats import compare, missing_reason, share_subject, shown_marker, with_intervals
from ..surveys import CITY

# ColorBrewer YlGnBu, five classes: sequential and safe for the common colour-vision deficiencies.
PALETTE = ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494")
DARK_CLASSES = {"#2c7fb8", "#253494"}  # white labels on these
MISSING_COLOUR = "#c4c4c4"
STEPS = (1, 2, 5, 10, 20, 25, 50)
MAX_CLASSES = 5

HIGHER, LOWER, NO_DIFFERENCE = "högre än staden", "lägre än staden", "ingen säker skillnad"
UNTESTED = "kan inte prövas (antal svar saknas)"
NO_CITY = "staden redovisas inte"
NO_SHAPES = ("Inga områdesgränser finns att rita. Importera stadens gränsfil (till exempel Stadsdelsnämndsområde "
             "2020 som zippad shapefil) på sidan Data.")
NO_BOUNDARY = "ingen gräns sparad för området; gränserna importeras på sidan Data"


@dataclass(frozen=True)
class ColourClass:
    """One step of the scale: shares from `low` up to (not including) `high`, the last one up to and including."""

    low: float
    high: float
    colour: str

    @property
    def label(self) -> str:
        return f"{number(self.low)}–{number(self.high)}"


@dataclass
class DistrictView:
    """What the district map and its table show for one survey, indicator, group and year."""

    survey: str
    indicator: str
    group: str
    year: int
    title: str  # the legend's title: what the colour means
    # area, map_area, share, low, high, n, words, colour_class, colour, reason (why no value or colour), marker,
    # map_note (the part of the reason that comes from matching with the boundaries), is_example
    frame: pd.DataFrame
    shapes: gpd.GeoDataFrame  # map_area, area, colour, label, tooltip, geometry (WGS84)
    classes: list[ColourClass]
    city_share: float | None
    city_n: float | None
    min_answers: int
    example_boundaries: list[str] = field(default_factory=list)
    example: bool = False

    @property
    def notes(self) -> list[str]:
        """What a reader must know to read the map right, in Swedish."""
        notes = ["Jämförelsen med hela staden är ett tvåandelstest på 5 % nivå; ”ingen säker skillnad” betyder "
                 "att skillnaden kan bero på slumpen."]
        if (self.frame["reason"] != "").any():
            notes.append(f"”..” och grå yta: värdet redovisas inte, se anmärkningen i tabellen (färre än "
                         f"{self.min_answers} svar redovisas aldrig).")
        matched = self.frame[self.frame["map_note"] != ""]
        notes += [f"{', '.join(rows['area'])}: {reason}." for reason, rows in matched.groupby("map_note", sort=False)]
        if self.example_boundaries:
            which = ("alla gränser" if len(self.example_boundaries) == len(self.shapes)
                     else "gränserna för " + ", ".join(self.example_boundaries))
            notes.append(f"Förenklade gränser, exempeldata: {which} är ungefärliga och ritade för hand. Importera "
                         "stadens gränsfil på sidan Data för de riktiga gränserna.")
        if self.example:
            notes.append("Värdena är exempeldata, inte verkliga resultat.")
        return notes


def heading(view: DistrictView) -> str:
    """'Stadsdelsområdena 2016', with the group when it is not everyone, as Markdown."""
    group = "" if view.group == "Alla" else f", {view.group[:1].lower()}{view.group[1:]}"
    return markdown_escape(f"Stadsdelsområdena {view.year}{group}", newline=" ")


def notes_markdown(view: DistrictView) -> str:
    """The notes as Markdown for a caption, one per line, names escaped."""
    return "  \n".join(markdown_escape(note, newline=" ") for note in view.notes)


def legend_title(indicator: str, indicator_name: str) -> str:
    """'Andel trygga, %' for a known indicator, 'Andel ”Name”, %' for others."""
    return share_subject(indicator, indicator_name).replace("Andelen", "Andel", 1) + ", %"


def colour_classes(shares: list[float]) -> list[ColourClass]:
    """At most five classes of equal, round width that cover the shares (none when there are none)."""
    values = [s for s in shares if s is not None and not math.isnan(s)]
    if not values:
        return []
    low, high = min(values), max(values)
    for step in STEPS:
        start = math.floor(low / step) * step
        count = max(1, math.ceil((high - start) / step))
        if count <= MAX_CLASSES:
            break
    # Spread over the whole palette, so that neighbouring classes differ as much as they can.
    last = len(PALETTE) - 1
    colours = [PALETTE[2]] if count == 1 else [PALETTE[round(i * last / (count - 1))] for i in range(count)]
    return [ColourClass(start + i * step, start + (i + 1) * step, colours[i]) for i in range(count)]


def class_of(share: float, classes: list[ColourClass]) -> int:
    """The index of the class a share falls in; -1 for a share not shown."""
    if share is None or math.isnan(share) or not classes:
        return -1
    for i, c in enumerate(classes):
        if c.low <= share < c.high:
            return i
    return len(classes) - 1


def comparison_words(share: float, basis: float | None, city_share: float | None, city_basis: float | None) -> str:
    """The district against the city in words ('högre än staden', …); empty for a share not shown."""
    if share is None or math.isnan(share):
        return ""
    if city_share is None or math.isnan(city_share):
        return NO_CITY
    c = compare(city_share, city_basis, share, basis)
    if not c.tested:
        return UNTESTED
    if not c.significant:
        return NO_DIFFERENCE
    return HIGHER if c.difference > 0 else LOWER


def _basis(row) -> float | None:
    value = row.n_eff if "n_eff" in row.index and not pd.isna(row.n_eff) else row.n
    return None if pd.isna(value) else float(value)


def _change_into(area: str) -> AreaChange | None:
    return next((c for c in AREA_CHANGES if area in c.before), None)


def _change_from(area: str) -> AreaChange | None:
    return next((c for c in AREA_CHANGES if c.after == area), None)


def _match(data_areas: list[str], boundaries: dict[str, object]
           ) -> tuple[dict[str, str], dict[str, str], dict[str, object]]:
    """Which shape each district is drawn on, why a district or shape has none, and the shapes to draw.

    Returns (district -> shape name, name -> reason it has no colour, shape name -> geometry).
    """
    shapes = dict(boundaries)
    reasons: dict[str, str] = {}
    # A part whose merged successor also has a stored boundary is from an older map (often the example data's):
    # the successor wins, so that no two shapes overlap.
    for name in list(shapes):
        if any(later in boundaries for later in area_lineage(name)[1:]):
            del shapes[name]
    drawn_on: dict[str, str] = {}
    present = set(data_areas)
    for area in data_areas:
        if area in shapes:
            drawn_on[area] = area
            continue
        later = next((name for name in area_lineage(area)[1:] if name in shapes), None)
        change = _change_into(area)
        if later is not None and change is not None and len(change.before) == 1:
            drawn_on[area] = later  # a rename: same land, new name
            continue
        if later is not None and change is not None:
            reasons[area] = (f"ingår sedan {change.date.isoformat()} i {change.after}; kartan har bara gränsen "
                             f"för {change.after}")
            continue
        earlier = _change_from(area)
        if (earlier is not None and all(p in shapes for p in earlier.before)
                and not present & set(earlier.before)):
            shapes[area] = unary_union([shapes.pop(p) for p in earlier.before])
            drawn_on[area] = area
            continue
        reasons[area] = NO_BOUNDARY
    for name in shapes:
        if name in drawn_on.values():
            continue
        earlier = _change_from(name)
        parts = [p for p in (earlier.before if earlier else ()) if p in present]
        if parts:
            reasons[name] = (f"bildades {earlier.date.isoformat()} av {' och '.join(earlier.before)}; för året "
                             "finns bara värden för delarna (se tabellen)")
        else:
            reasons.setdefault(name, "ingen uppgift för året")
    return drawn_on, reasons, shapes


def build_district_view(results: pd.DataFrame, boundaries: gpd.GeoDataFrame, survey: str, indicator: str,
                        group: str, year: int, min_answers: int, indicator_name: str = "") -> DistrictView:
    """Every district's share for the year and group, its interval, test against the city, colour and shape."""
    rows = results[(results["survey"] == survey) & (results["indicator"] == indicator) & (results["grp"] == group)
                   & (results["year"].astype(int) == int(year))]
    rows = with_intervals(rows.drop_duplicates("area").reset_index(drop=True), min_answers)
    city = rows[rows["area"] == CITY]
    city_row = next(city.iterrows())[1] if not city.empty else None
    city_share = None if city_row is None or pd.isna(city_row["share"]) else float(city_row["share"])
    city_basis = None if city_row is None else _basis(city_row)
    districts = rows[rows["area"] != CITY].sort_values("area", key=lambda s: s.str.casefold()).reset_index(drop=True)

    shares = [float(s) for s in districts["share"].dropna()]
    classes = colour_classes(shares)
    geometry = {a: g for a, g in zip(boundaries["area"], boundaries.geometry)} if len(boundaries) else {}
    drawn_on, reasons, shapes = _match(list(districts["area"]), geometry)

    records = []
    for _, row in districts.iterrows():
        share = None if pd.isna(row["share"]) else float(row["share"])
        index = class_of(share if share is not None else float("nan"), classes)
        reason = missing_reason(row["missing"], min_answers) if share is None else ""
        records.append({
            "area": row["area"], "map_area": drawn_on.get(row["area"]), "share": share,
            "low": None if pd.isna(row["low"]) else float(row["low"]),
            "high": None if pd.isna(row["high"]) else float(row["high"]),
            "n": None if pd.isna(row["n"]) else int(row["n"]),
            "words": comparison_words(float("nan") if share is None else share, _basis(row), city_share,
                                      city_basis),
            "colour_class": index, "colour": classes[index].colour if index >= 0 else MISSING_COLOUR,
            "reason": "; ".join(r for r in (reason, reasons.get(row["area"], "")) if r),
            "marker": shown_marker(row["missing"]) if share is None else "",
            "map_note": reasons.get(row["area"], ""), "is_example": bool(row.get("is_example", False)),
        })
    for name in shapes:
        if name not in drawn_on.values() and name not in {r["area"] for r in records}:
            records.append({"area": name, "map_area": name, "share": None, "low": None, "high": None, "n": None,
                            "words": "", "colour_class": -1, "colour": MISSING_COLOUR, "reason": reasons[name],
                            "marker": "..", "map_note": reasons[name], "is_example": False})
    columns = ["area", "map_area", "share", "low", "high", "n", "words", "colour_class", "colour", "reason", "marker",
               "map_note", "is_example"]
    frame = pd.DataFrame.from_records(records, columns=columns)

    drawn = frame[frame["map_area"].notna()]
    shape_frame = gpd.GeoDataFrame({
        "map_area": list(drawn["map_area"]), "area": list(drawn["area"]), "colour": list(drawn["colour"]),
        "label": [number(s) if s is not None and not pd.isna(s) else ".." for s in drawn["share"]],
        "tooltip": [_tooltip(r) for r in drawn.itertuples()],
    }, geometry=[shapes[m] for m in drawn["map_area"]], crs=4326)
    sources = dict(zip(boundaries["area"], boundaries["source"])) if "source" in boundaries else {}
    rough = sorted(m for m in set(drawn["map_area"]) if "exempeldata" in str(sources.get(m, "")))
    return DistrictView(survey, indicator, group, int(year), legend_title(indicator, indicator_name), frame,
                        shape_frame, classes, city_share, None if city_row is None else city_row["n"], min_answers,
                        rough, bool(rows["is_example"].any()) if "is_example" in rows and len(rows) else False)


def interval_text(low: float | None, high: float | None) -> str:
    """'59,1–65,4', or '–' without an interval."""
    if low is None or high is None or pd.isna(low) or pd.isna(high):
        return "–"
    return f"{number(low, 1)}–{number(high, 1)}"


def _tooltip(row) -> str:
    name = escape(row.area) if row.area == row.map_area else f"{escape(row.map_area)} ({escape(row.area)})"
    if row.share is None or pd.isna(row.share):
        return f"<b>{name}</b><br>{escape(row.marker or '..')}: {escape(row.reason)}"
    return (f"<b>{name}</b><br>{number(row.share, 1)} %<br>95 % KI {interval_text(row.low, row.high)}"
            f"<br>n = {_shown(row.n, empty='okänt')}<br>{escape(row.words)}")


def _shown(value: float | None, decimals: int = 0, empty: str = "–") -> str:
    return empty if value is None or pd.isna(value) else number(value, decimals)


def district_table(view: DistrictView) -> pd.DataFrame:
    """The table beside the map: the city first, then every district, every number as Swedish text.

    "Anmärkning" (why a value is not shown) only when some value is not shown.
    """
    f = view.frame
    city = pd.DataFrame([{"Stadsdelsområde": CITY, "Andel, %": _shown(view.city_share, 1, ".."), "95 % KI": "–",
                          "n": _shown(view.city_n), "Jämfört med staden": "", "Anmärkning": ""}])
    rows = pd.DataFrame({
        "Stadsdelsområde": [a if m in (a, None) or pd.isna(m) else f"{a} (på kartan: {m})"
                            for a, m in zip(f["area"], f["map_area"])],
        "Andel, %": [_shown(s, 1, marker or "..") for s, marker in zip(f["share"], f["marker"])],
        "95 % KI": [interval_text(lo, hi) for lo, hi in zip(f["low"], f["high"])],
        "n": [_shown(n) for n in f["n"]],
        "Jämfört med staden": list(f["words"]),
        "Anmärkning": list(f["reason"]),
    })
    table = pd.concat([city, rows], ignore_index=True)
    # Narrow beside the map on a laptop: a column with nothing to say is left out.
    return table if (table["Anmärkning"] != "").any() else table.drop(columns="Anmärkning")


def legend_html(view: DistrictView) -> str:
    """The legend: what the colour means, each class's range, and grey for values not shown (constants and numbers)."""
    chip = ('<span style="display:inline-flex;align-items:center;gap:0.35em;margin-right:1em;white-space:nowrap">'
            '<span style="display:inline-block;width:1.6em;height:1em;border:1px solid #1b1f24;background:{}"></span>'
            '{}</span>')
    chips = "".join(chip.format(c.colour, escape(c.label)) for c in view.classes)
    chips += chip.format(MISSING_COLOUR, ".. redovisas inte / ingen uppgift")
    group = "" if view.group == "Alla" else f", {escape(view.group)}"
    return (f'<div style="line-height:1.9"><b>{escape(view.title)}</b> ({view.year}{group})<br>{chips}</div>')


class _PlainBackground(MacroElement):
    """No map tiles: a white background (the grey of a missing value is the only grey) and a metric scale."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.getContainer().style.background = "#ffffff";
        L.control.scale({metric: true, imperial: false}).addTo({{ this._parent.get_name() }});
        {{ this._parent.get_name() }}.getContainer().setAttribute("data-districts", {{ this.count }});
        {{ this._parent.get_name() }}.getContainer().setAttribute("data-coloured", {{ this.coloured }});
        {% endmacro %}
    """)

    def __init__(self, count: int, coloured: int) -> None:
        super().__init__()
        self._name = "PlainBackground"
        self.count = count
        self.coloured = coloured


class _Labels(MacroElement):
    """Each district's value printed on it, all in one script.

    A folium Marker per label costs four elements, and every element's rendered text is compiled as a Jinja
    template on every run: fourteen labels were 40 ms of Trender's own work. The text goes in as textContent.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        {{ this.labels|tojson }}.forEach(function (label) {
            var text = document.createElement("div");
            text.textContent = label.text;
            text.style.cssText = "font:700 13px/1 sans-serif;transform:translate(-50%,-50%);white-space:nowrap;color:"
                + label.colour;
            L.marker([label.lat, label.lon], {interactive: false, keyboard: false,
                      icon: L.divIcon({html: text, className: "", iconSize: [0, 0]})})
                .addTo({{ this._parent.get_name() }});
        });
        {% endmacro %}
    """)

    def __init__(self, labels: list[dict]) -> None:
        super().__init__()
        self._name = "DistrictLabels"
        self.labels = labels


def district_map(view: DistrictView) -> folium.Map:
    """The districts coloured by their share, with each value printed on it and the details on hover."""
    shapes = view.shapes
    m = folium.Map(location=(59.325, 18.0), zoom_start=10, tiles=None, zoom_snap=0.25, zoomSnap=0.25)
    coloured = int((shapes["colour"] != MISSING_COLOUR).sum())
    m.add_child(_PlainBackground(len(shapes), coloured))
    if shapes.empty:
        return local_assets(m)
    folium.GeoJson(
        shapes[["map_area", "colour", "tooltip", "geometry"]].to_json(), name="Stadsdelsområden",
        style_function=lambda f: {"fillColor": f["properties"]["colour"], "fillOpacity": 0.9, "color": OUTLINE,
                                  "weight": 1.2,
                                  "dashArray": "4 3" if f["properties"]["colour"] == MISSING_COLOUR else None},
        highlight_function=lambda _: {"weight": 3},
        tooltip=folium.GeoJsonTooltip(fields=["tooltip"], labels=False, sticky=True, direction="top"),
    ).add_to(m)
    points = [row.geometry.representative_point() for row in shapes.itertuples()]
    m.add_child(_Labels([{"lat": p.y, "lon": p.x, "text": str(label),
                          "colour": "#ffffff" if colour in DARK_CLASSES else OUTLINE}
                         for p, label, colour in zip(points, shapes["label"], shapes["colour"])]))
    minx, miny, maxx, maxy = shapes.total_bounds
    m.fit_bounds([[miny, minx], [maxy, maxx]], padding=(10, 10))
    return local_assets(m)
