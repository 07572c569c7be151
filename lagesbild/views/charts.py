"""Altair chart builders: frames in, charts out; Streamlit only renders them."""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

from ..formatting import number, percent
from ..stats import Trend, shown_marker

if TYPE_CHECKING:
    import altair as alt

# Okabe–Ito: distinguishable with the common forms of colour blindness. The city is a neutral grey.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
REFERENCE_COLOUR = "#5F5F5F"
FONT_SIZE = 20
HEIGHT = 400
SWEDISH_LOCALE = {"number": {"decimal": ",", "thousands": "\u00a0", "grouping": [3], "currency": ["", "\u00a0kr"]}}
# The chart configuration as Vega-Lite writes it: a plain dict, so importing this module does not load Altair
# (Karta imports the time patterns' module, which uses these constants, on every run).
SWEDISH = {
    "axis": {"labelFontSize": FONT_SIZE, "titleFontSize": FONT_SIZE, "titleFontWeight": "normal",
             "labelColor": "#222222", "titleColor": "#222222"},
    "legend": {"labelFontSize": FONT_SIZE, "titleFontSize": FONT_SIZE, "orient": "top", "labelLimit": 420,
               "symbolSize": 320, "symbolStrokeWidth": 4, "symbolOpacity": 1, "columnPadding": 28,
               "labelColor": "#222222"},
}


def _colours(series: Sequence[str], reference: str | None) -> list[str]:
    colours, palette = [], iter(PALETTE)
    for name in series:
        colours.append(REFERENCE_COLOUR if name == reference else next(palette, "#000000"))
    return colours


def _chart_rows(frame: pd.DataFrame, series: list[str]) -> pd.DataFrame:
    """The frame as the chart draws it: a slightly shifted x per series and Swedish texts for tooltips."""
    data = frame.copy()
    if "segment" not in data:
        data["segment"] = 0
    if "missing" not in data:
        data["missing"] = None
    if "reason" not in data:
        data["reason"] = ""
    years = sorted(data["year"].unique())
    gap = min((b - a for a, b in zip(years, years[1:])), default=1)
    index = data["series"].map({name: i for i, name in enumerate(series)}).fillna(0)
    # Side by side, the intervals of different series at the same wave stay apart.
    data["x"] = data["year"] + (index - (len(series) - 1) / 2) * 0.07 * gap
    data["line"] = data["series"] + "|" + data["segment"].astype(str)
    data["share_text"] = data["share"].map(percent)
    data["interval_text"] = [".." if pd.isna(lo) else f"{percent(lo)} – {percent(hi)}"
                             for lo, hi in zip(data["low"], data["high"])]
    data["n_text"] = data["n"].map(lambda n: ".." if pd.isna(n) else number(n))
    data["marker"] = ["" if pd.notna(s) else shown_marker(m) for s, m in zip(data["share"], data["missing"])]
    # Markers of missing values sit in a row of their own under the lines, one row per series.
    data["marker_y"] = HEIGHT - 14 - 24 * index
    keep = ["series", "year", "x", "share", "low", "high", "line", "share_text", "interval_text", "n_text",
            "marker", "marker_y", "reason"]
    return data[keep]


def trend_chart(frame: pd.DataFrame, title: str, subtitle: Sequence[str] | str = (),
                series: Sequence[str] | None = None, reference: str | None = None,
                breaks: Sequence = (), years: Sequence[int] | None = None) -> alt.LayerChart:
    """Line per series (`series`) over `year` with a 95 % interval for every point and a rule per break."""
    import altair as alt  # here, not at the top: only pages that draw a chart load Altair
    # Lines stop at missing values and at breaks (`segment`); a missing value shows its marker ("..")
    # under the lines; each break (with `before`, `after`, `label`) is a dashed rule between two waves.
    order = list(series) if series is not None else list(dict.fromkeys(frame["series"]))
    data = _chart_rows(frame, order)
    years = sorted(years) if years is not None else sorted(int(y) for y in frame["year"].unique())
    span = (years[0] - 0.5, years[-1] + 0.5) if years else (0, 1)
    x = alt.X("x:Q", title=None, scale=alt.Scale(domain=span, nice=False, zero=False),
              axis=alt.Axis(values=years, format="d", labelAngle=0, grid=False, tickSize=8, labelFlush=False))
    colour = alt.Color("series:N", title=None, sort=order,
                       scale=alt.Scale(domain=order, range=_colours(order, reference)))
    tooltip = [alt.Tooltip("series:N", title="Serie"), alt.Tooltip("year:Q", title="År", format="d"),
               alt.Tooltip("share_text:N", title="Andel"), alt.Tooltip("interval_text:N", title="95 % intervall"),
               alt.Tooltip("n_text:N", title="Antal svar"), alt.Tooltip("reason:N", title="Anmärkning")]
    y_scale = alt.Scale(zero=False, nice=True, padding=30)
    base = alt.Chart(data)
    shown = base.transform_filter("isValid(datum.share)")
    interval = base.transform_filter("isValid(datum.low)").mark_rule(strokeWidth=3, opacity=0.55).encode(
        x=x, y=alt.Y("low:Q", scale=y_scale), y2="high:Q", color=colour)
    lines = shown.mark_line(strokeWidth=3.5).encode(
        x=x, y=alt.Y("share:Q", title="Andel (%)", scale=y_scale, axis=alt.Axis(format="d", tickCount=6)),
        color=colour, detail="line:N")
    points = shown.mark_point(filled=True, size=130, opacity=1).encode(
        x=x, y=alt.Y("share:Q", scale=y_scale), color=colour, tooltip=tooltip)
    markers = base.transform_filter("datum.marker != ''").mark_text(
        fontSize=FONT_SIZE + 6, fontWeight="bold", baseline="middle").encode(
        x=x, y=alt.Y("marker_y:Q", scale=None, axis=None), text="marker:N", color=colour, tooltip=tooltip)
    layers = [interval, lines, points, markers]
    if breaks:
        marks = pd.DataFrame({"mid": [(b.before + b.after) / 2 for b in breaks],
                              "label": [b.label for b in breaks]}).drop_duplicates()
        rule_x = alt.X("mid:Q", scale=alt.Scale(domain=span, nice=False, zero=False))
        rules = alt.Chart(marks).mark_rule(strokeDash=[8, 6], strokeWidth=2, color="#333333").encode(x=rule_x)
        labels = alt.Chart(marks).mark_text(align="left", dx=6, dy=4, baseline="top", fontSize=FONT_SIZE - 2,
                                             color="#333333").encode(
            x=rule_x, y=alt.value(0), text="label:N")
        layers += [rules, labels]
    heading = alt.Title(title, subtitle=list([subtitle] if isinstance(subtitle, str) else subtitle),
                        fontSize=24, subtitleFontSize=16, subtitleColor="#333333", anchor="start", offset=14)
    # fit-x: the width follows the page, the height stays the plot's own (title and legend come on top).
    return alt.layer(*layers).properties(title=heading, height=HEIGHT, autosize=alt.AutoSizeParams(
        type="fit-x", contains="padding")).configure(
        locale=SWEDISH_LOCALE, **SWEDISH).configure_view(strokeWidth=0)


def trend_heading(trend: Trend, survey_name: str, indicator_name: str) -> tuple[str, list[str]]:
    """Title and subtitle of a trend chart: what is drawn and everything needed to read it, also as an image."""
    s, f = trend.selection, trend.frame
    if s.split:
        what = f"{s.area}, per grupp ({s.split.lower()})"
    else:
        what = f"{s.area}{'' if s.group == 'Alla' else ', ' + s.group}"
    subtitle = [f"{survey_name} – {what}.", "Andel i procent; lodräta streck visar 95 % konfidensintervall."]
    if (f["missing"] == "<n").any():
        subtitle.append(f'".." = färre än {trend.min_answers} svar, redovisas inte.')
    if (f["share"].notna() & f["n"].isna()).any():
        subtitle.append("Intervall saknas där källan inte anger antal svar.")
    if trend.example:
        subtitle.append("Exempeldata – inte verkliga värden.")
    return indicator_name, subtitle


def vega_lite(chart: alt.TopLevelMixin) -> dict:
    """The chart as a Vega-Lite spec whose datasets are frames, for st.vega_lite_chart.

    Altair validates a chart against the Vega-Lite schema each time it is converted; a page that keeps this
    spec (once per data version) draws the chart on every rerun without converting it again.
    """
    spec = chart.to_dict()
    spec["datasets"] = {name: pd.DataFrame.from_records(rows) for name, rows in spec.get("datasets", {}).items()}
    return spec
