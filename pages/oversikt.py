import streamlit as st

import ui
from lagesbild.views import oversikt as view

engine = ui.frame("Översikt")
settings = ui.settings()
st.title(view.title(settings.area))
today = ui.as_of(engine)
st.caption(f"{view.intro(settings.council)} **{ui.as_of_text(today)}**.")
internal = ui.show_internal()
scope = view.scope_text(internal)
known = view.known_on(today, ui.load("meetings", include_internal=internal),
                      ui.load("progress", include_internal=internal),
                      ui.load("observations", include_internal=internal), ui.load("actions", include_internal=internal))

pledge_column, survey_column = st.columns([3, 2], gap="medium")
with pledge_column.container(border=True, height="stretch"):
    tile = view.pledge_tile(ui.load("pledges"), known.progress, today, scope)
    st.subheader(tile.title)
    if tile.empty:
        st.info(tile.empty)
    if tile.not_started:
        st.markdown(tile.not_started)
    for line in tile.lines:
        st.markdown(line, unsafe_allow_html=True)
    if tile.caption:
        st.caption(tile.caption)

with survey_column.container(border=True, height="stretch"):
    st.subheader("Upplevd trygghet")
    for survey, indicator, label in view.headline_series(ui.load("indicators"), settings.area):
        found = ui.derived(view.outcome, ui.Table("results"), survey, indicator, settings.area, settings.min_answers)
        metric = view.headline(label, found)
        if metric.missing:
            st.info(metric.missing)
            continue
        st.metric(metric.label, metric.value, metric.delta, delta_color="off", delta_arrow=metric.arrow)
        st.caption(metric.caption)

activity_column, followup_column = st.columns([2, 3], gap="medium")
with activity_column.container(border=True, height="stretch"):
    activity = view.activity_tile(known, today, scope)
    st.subheader("Otrygga platser")
    st.metric(activity.label, activity.count)
    if activity.places:
        st.markdown(activity.places)
    st.caption(activity.caption)

with followup_column.container(border=True, height="stretch"):
    followups = view.followup_tile(ui.load("places"), today)
    st.subheader("Nästa uppföljningar")
    if followups.empty:
        st.info(followups.empty)
    for line in followups.lines:
        st.markdown(line)
    st.caption(followups.caption)
