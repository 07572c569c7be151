import datetime as dt

import streamlit as st
from streamlit_folium import st_folium

import ui
from lagesbild.views import karta, maps

engine = ui.frame("Karta")
settings = ui.settings()
state = st.session_state
today = dt.date.today()
on = ui.as_of(engine)  # windows and "sedan senaste rådsmötet" as of "Läget per"; `today` bounds the forms


# A link opened: its filters become the widgets' state, each value that cannot be shown the nearest valid one.
internal = ui.show_internal()
data = ui.derived(karta.karta_data, ui.Table("places"), ui.Table("observations", internal), ui.Table("actions", internal),
                  ui.Table("meetings", internal), ui.Table("forums"), ui.Table("boundaries"), on)
query = {key: st.query_params.get_all(key) for key in st.query_params}
if karta.link_opened(query, state.get("map_link")):
    choice, state["map_notices"] = karta.read_address(query, on, data, ui.may("se_internt"))
    state.update(karta.widget_values(choice, on))
    if choice.internal != internal:
        state[ui.INTERNAL_KEY] = choice.internal
        st.rerun()  # read again with or without internal material, the sidebar's toggle at the link's value

st.title("Otrygga platser")
if internal:
    st.warning("**Intern vy:** material märkt *intern* visas. Visa inte den här vyn i rådet.", icon=":material/lock_open:")
for notice in state.pop("map_notices", None) or []:
    st.info(notice, icon=":material/link_off:")
if message := state.pop("map_saved", None):
    st.success(message, icon=":material/check_circle:")

# --- filters -----------------------------------------------------------------------------------------
for key, value in karta.filter_defaults(on).items():
    state.setdefault(key, value)
ui.fields(karta.filter_inputs(data, on, state["map_window"]), karta.filter_widths(data))
view = karta.map_view(data, karta.choice_from(state, internal), on, internal, ui.as_of_text(on))


# --- the map -----------------------------------------------------------------------------------------
if state.get("map_place") not in data.names:
    state.pop("map_place", None)
state["map_markers"] = view.markers
selected = karta.place_record(data.place_frame, state.get("map_place"))
map_col, side = st.columns([3, 2], gap="medium")
with map_col:
    # A click in the browser is taken by on_change before the page runs, so the card and the ring follow at once;
    # a value set any other way (AppTest sets the component's state) is taken from the return value.
    value = st_folium(
        maps.place_map(view.shown, ui.load("boundaries"), settings.tiles, view.shown_observations, view.counts),
        key="place_map", height=640, use_container_width=True, returned_objects=maps.RETURNED_OBJECTS,
        on_change=lambda: karta.take_click(state, state.get("place_map")),
        feature_group_to_add=maps.selection_layer(selected, state.get("map_point")),
        center=None if selected is None else (float(selected["lat"]), float(selected["lon"])))
    if karta.take_click(state, value):
        st.rerun()
    st.caption(karta.MAP_HELP)

with side:
    st.markdown(view.legend, unsafe_allow_html=True)
    st.caption(view.summary)
    name = st.selectbox("Plats", data.names, index=None, key="map_place",
                        placeholder="Klicka på en plats på kartan eller välj den här")
    # The address says the view (and "Läget per" when one is chosen), so a link reopens it.
    state["map_link"] = address = karta.address(karta.choice_from(state, internal))
    if (wanted := address | karta.as_of_param(on, state.get(ui.AS_OF_KEY))) != query:
        st.query_params.from_dict(wanted)
    with st.popover("Kopiera länk", icon=":material/link:"):
        st.caption("Länken öppnar kartan med just de här valen.")
        st.code(karta.link(st.context.url or "/karta", wanted), language=None, wrap_lines=True)
    if (text := karta.card(name, data)) is None:
        st.markdown(view.followups)
    else:
        st.subheader(text.title)
        st.markdown(text.status, unsafe_allow_html=True)
        st.markdown(f"{text.situation}\n\n{text.next_steps}\n\n{text.done_heading}")
        with st.container(height=320 if text.tall else "content", border=False):
            for entry in text.entries:
                st.markdown(entry)


# --- when things happen, and what each action at the chosen place changed ---------------------------------
# The expanders build their content only while open (on_change="rerun"): a map click does not redraw the charts.
when = st.expander("När händer det?", icon=":material/schedule:", key="patterns_open", on_change="rerun")
if when.open:
    pattern = karta.time_pattern(data, view)
    when.markdown(pattern.text)
    for chart in [pattern.weekday_hour_chart, pattern.month_chart] if pattern.total else []:
        when.altair_chart(chart, width="stretch")
    when.caption(karta.CALENDAR_NOTE)
if text is not None and (here := st.expander(f"{text.title}: när händer det, och vad ändrade åtgärderna?",
                                             icon=":material/compare_arrows:", key="patterns_place_open",
                                             on_change="rerun")).open:
    pattern, effects = karta.place_pattern(data, name, on)
    here.markdown(pattern.text)
    if pattern.total:
        here.altair_chart(pattern.weekday_hour_chart, width="stretch")
    pick = here.selectbox("Före och efter åtgärden", range(len(effects)), key=f"pattern_action_{name}",
                          format_func=lambda i: effects[i].title) if effects else None
    if pick is None:
        here.markdown("Inga genomförda åtgärder att jämföra före och efter.")
    else:
        chart_column, text_column = here.columns([2, 1], gap="large")
        chart_column.altair_chart(effects[pick].chart(), width="stretch")
        text_column.markdown("  \n".join(effects[pick].lines))

# --- record: saved at once (ui.form), shown on the map at the next run ---------------------------------
if state.get("map_place") and state.get("form_place_for") != state["map_place"]:
    # Forms start at the place last chosen on the map.
    state["obs_place"] = state["act_place"] = state["form_place_for"] = state["map_place"]
if ui.may("registrera"):
    st.header("Registrera")
    st.caption(karta.FORM_INTRO)
    new_obs, new_action, update, edit_obs, new_place, removal, files = st.tabs(karta.TABS)
    with new_obs:
        ui.form(karta.observation_form(data.names, today, state.get("map_point")))
    with new_action:
        ui.form(karta.action_form(data.names, today))
    with update:
        if selected is None:
            st.info("Välj först en plats på kartan eller i listan.")
        else:
            ui.form(karta.update_form(selected, today))
    with edit_obs:
        # Only the place's own observations, in the view the editor sees; the version guards against a lost update.
        mine = data.observations[data.observations["place"] == state.get("map_place")]
        if selected is None or mine.empty:
            st.info("Välj först en plats med iakttagelser på kartan eller i listan.")
        else:
            labels = karta.observation_choices(mine)
            chosen_id = st.selectbox("Iakttagelse", list(labels), format_func=labels.get, key="edit_obs_id")
            ui.form(karta.edit_form(mine[mine["id"] == chosen_id].iloc[0], today, ui.may("redigera")))
    with new_place:
        ui.form(karta.place_form(data.forum_names, data.default_area, today))
    with removal:
        if not ui.may("ta_bort"):
            st.info("Din roll får inte ta bort uppgifter.")
        else:
            st.caption(karta.REMOVE_NOTE)
            kind = st.radio("Vad ska tas bort?", list(karta.REMOVE_KINDS), format_func=karta.REMOVE_KINDS.get,
                            horizontal=True, key="remove_kind")
            ui.remove_control(kind, karta.removal_choices(kind, data, state.get("map_place")), "remove",
                              karta.REMOVE_KINDS[kind].lower(), boxed=False, forget=("map_place",) * (kind == "place"))
else:
    st.header("Exportera")
    files = st.container()
with files:
    st.markdown(karta.export_text(view))
    row = st.container(horizontal=True)
    for file in karta.downloads(view, today.isoformat()):
        # Built only when clicked: 50 000 observations take a moment to write.
        row.download_button(file.label, file.build, file.file_name, file.mime, key=file.key, on_click="ignore",
                            icon=":material/download:")
    if ui.may("importera"):  # on Data, with the same checks, a preview of the change and a confirmation
        st.page_link("pages/data.py", label="Importera platser, iakttagelser eller åtgärder på sidan Data",
                     icon=":material/upload_file:")
