"""Altair chart builders: frames in, charts out; Streamlit only renders them."""
from __future__ import annotations

import altair as alt
import pandas as pd

# Okabe–Ito: distinguishable with the common forms of colour blindness.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
SWEDISH = alt.Config(
    axis=alt.AxisConfig(labelFontSize=16, titleFontSize=16),
    legend=alt.LegendConfig(labelFontSize=16, titleFontSize=16, orient="bottom"),
)


def trend_chart(frame: pd.DataFrame, title: str) -> alt.Chart:
    """Line per series (`series`) over `year` with a 95 % interval band where `low`/`high` exist."""
    data = frame.assign(share_text=frame["share"].map(lambda v: "" if pd.isna(v) else f"{v:.1f} %".replace(".", ",")))
    x = alt.X("year:O", title="År")
    colour = alt.Color("series:N", title=None, scale=alt.Scale(range=PALETTE))
    band = alt.Chart(data).mark_area(opacity=0.18).encode(
        x=x, y=alt.Y("low:Q"), y2="high:Q", color=colour)
    line = alt.Chart(data).mark_line(point=alt.OverlayMarkDef(size=90), strokeWidth=3).encode(
        x=x, y=alt.Y("share:Q", title="Andel (%)", scale=alt.Scale(zero=False)),
        color=colour,
        tooltip=[alt.Tooltip("series:N", title="Serie"), alt.Tooltip("year:O", title="År"),
                 alt.Tooltip("share_text:N", title="Andel"), alt.Tooltip("n:Q", title="Antal svar", format=",")])
    return (band + line).properties(title=alt.Title(title, fontSize=20), height=420).configure(
        **SWEDISH.to_dict()).configure_view(strokeWidth=0)
