import datetime as dt
import functools

import streamlit as st
from streamlit_folium import st_folium

import ui
from lagesbild import asof, audit, formatting, maps, places, uploads
from lagesbild.formatting import date, number
from lagesbild.places import (CATEGORIES, CATEGORY_SYMBOLS, PLACE_STATUSES, STATUS_COLOURS, STATUS_MEANINGS,
                              STATUS_TEXT_COLOURS, WINDOWS)
from lagesbild.problems import InputError

engine = ui.frame("Karta")
settings = ui.settings()
internal = ui.show_internal()
md = formatting.markdown_escape
state = st.session_state
today = dt.date.today()
on = ui.as_of(engine)  # windows and "sedan senaste rådsmötet" as of "Läget per"; `today` bounds the forms


observations = asof.up_to(ui.load("observations", include_internal=internal), on)
place_frame = places.with_categories(ui.load("places"), observations)
actions = asof.actions_up_to(ui.load("actions", include_internal=internal), on)
forums = ui.load("forums")
activities = forums[forums["kind"] == "aktivitet"]
last_meeting = asof.previous_council_meeting(ui.load("meetings", include_internal=internal), on)
boundaries = ui.load("boundaries")
names = list(place_frame["name"])
forum_names = dict(zip(activities["id"], activities["name"]))

st.title("Otrygga platser")
if internal:
    st.warning("**Intern vy:** material märkt *intern* visas. Visa inte den här vyn i rådet.", icon=":material/lock_open:")
if message := state.pop("map_saved", None):
    st.success(message, icon=":material/check_circle:")

# --- filters -----------------------------------------------------------------------------------------
window_col, category_col, status_col, forum_col = st.columns([1.2, 1, 1, 1])
window = window_col.selectbox(
    "Tidsperiod", list(WINDOWS), index=list(WINDOWS).index("allt"), key="map_window", placeholder="Välj",
    format_func=lambda w: f"{WINDOWS[w]} ({date(last_meeting)})" if w == "rådsmöte" and last_meeting else WINDOWS[w])
custom = None
if window == "eget":
    custom = window_col.date_input("Från och med – till och med", (on - dt.timedelta(days=365), on),
                                   format="YYYY-MM-DD", key="map_dates")
    custom = custom if isinstance(custom, tuple) and len(custom) == 2 else None
# select_all=False: Streamlit's "Select all" is English, and choosing none already means all.
categories = category_col.multiselect("Kategori", CATEGORIES, key="map_categories", placeholder="Alla kategorier",
                                      select_all=False)
statuses = status_col.multiselect("Status", PLACE_STATUSES, key="map_status", placeholder="Alla", select_all=False)
forums = forum_col.multiselect("Samverkansaktivitet", list(forum_names), format_func=forum_names.get,
                               key="map_forums", placeholder="Alla", select_all=False)
start, end = places.window_range(window, on, last_meeting, custom)
chosen = places.MapFilter(start, end, tuple(categories), tuple(statuses), tuple(forums))
# A time window shows the places where something happened in it, not every place with an old record.
shown = places.active_in_window(places.filter_places(place_frame, observations, chosen), observations, actions,
                                start, end)
shown_observations = places.filter_observations(observations, shown, chosen)
counts = places.observations_per_place(shown_observations)
markers = maps.place_markers(shown, counts)

# --- the map -----------------------------------------------------------------------------------------
def take_click(value: dict | None) -> bool:
    """Open the clicked place's card, or keep the clicked point for the forms; True when there was a new click."""
    click, state["map_seen"] = maps.read_click(value, state.get("map_seen"), state.get("map_markers", []))
    if click.place:
        state["map_place"] = click.place
    elif click.point:
        state["map_point"] = click.point
        state["new_lat"], state["new_lon"] = click.point
    return bool(click.place or click.point)


if state.get("map_place") not in names:
    state.pop("map_place", None)
state["map_markers"] = markers
selected = places.place_record(place_frame, state.get("map_place"))
map_col, side = st.columns([3, 2], gap="medium")
with map_col:
    # A click in the browser is taken by on_change before the page runs, so the card and the ring follow at once;
    # a value set any other way (AppTest sets the component's state) is taken from the return value.
    value = st_folium(
        maps.place_map(shown, boundaries, settings.tiles, shown_observations, counts), key="place_map",
        height=640, use_container_width=True, returned_objects=maps.RETURNED_OBJECTS,
        on_change=lambda: take_click(state.get("place_map")),
        feature_group_to_add=maps.selection_layer(selected, state.get("map_point")),
        center=None if selected is None else (float(selected["lat"]), float(selected["lon"])))
    if take_click(value):
        st.rerun()
    st.caption("Klicka på en plats för att se vad som har hänt där, eller på en tom punkt för att registrera något där. "
               "Utan internet ritas gränsen och platserna på enfärgad bakgrund.")

with side:
    st.markdown(maps.legend_html(places.status_counts(shown), places.category_counts(shown_observations),
                                 places.window_label(window, last_meeting, start, end)), unsafe_allow_html=True)
    st.caption(f"{len(shown)} av {len(place_frame)} platser och {number(len(shown_observations))} iakttagelser "
               "(prickarna) i urvalet." + ("" if internal else " Endast öppet material.") + f" {ui.as_of_text(on)}.")
    name = st.selectbox("Plats", names, index=None, key="map_place",
                        placeholder="Klicka på en plats på kartan eller välj den här")
    card = places.place_card(name, place_frame, observations, actions) if name else None
    if card is None:
        upcoming = shown[shown["next_followup"].notna()].sort_values("next_followup")
        st.markdown("**Nästa uppföljningar**  \n" + ("  \n".join(
            f"{date(r.next_followup)} – {md(r.name)}" for r in upcoming.head(8).itertuples()) or "Inga planerade."))
    else:
        place = card.place
        st.subheader(md(place["name"]))
        symbol = maps.symbol_html(CATEGORY_SYMBOLS.get(place["category"], "?"), STATUS_COLOURS[place["status"]],
                                  STATUS_TEXT_COLOURS[place["status"]])
        st.markdown(f'{symbol} <b>{place["status"]}</b> – {STATUS_MEANINGS[place["status"]]}<br>'
                    f'Kategori: {place["category"]} · {maps.escape(place["forum"] or "Ingen samverkansaktivitet")}',
                    unsafe_allow_html=True)
        situation_date = f" ({date(place['situation_date'])})" if place["situation_date"] else ""
        st.markdown(f"**Lägesbild{situation_date}**  \n{md(place['situation']) or 'Ingen lägesbild ännu.'}")
        st.markdown("**Hur fortsätter vi**  \n" + (md(place["next_step"]) or "Inget beslutat.") +
                    f"  \nNästa uppföljning: **{date(place['next_followup']) or 'inte bestämd'}**" +
                    "".join(f"  \n{date(e.date)} planerad: {md(e.text)} ({md(e.who)})" for e in card.planned))
        st.markdown("**Vad har vi gjort**" + (f" – de {len(card.done)} senaste av {card.total}"
                                              if card.total > len(card.done) else ""))
        with st.container(height=320 if len(card.done) > 4 else "content", border=False):
            for e in card.done or []:
                badge = " :orange-badge[intern]" if e.confidentiality == "intern" else ""
                st.markdown(f"**{date(e.date)}** · {e.kind} · {md(e.who)} · *{md(e.detail)}*{badge}  \n{md(e.text)}")
            if not card.done:
                st.markdown("Inget registrerat ännu.")


# --- issue #15: when things happen, and what each action at the chosen place changed (lagesbild.views.patterns) --
# The expanders run their content only while open (on_change="rerun"): a map click does not redraw the charts.
from lagesbild.views import patterns  # noqa: E402
when = st.expander("När händer det?", icon=":material/schedule:", key="patterns_open", on_change="rerun")
if when.open:
    pattern = patterns.build_patterns(shown_observations, ui.load("meetings"), "urvalet på kartan", start, end)
    when.markdown("  \n".join(pattern.lines))
    if pattern.total:
        when.altair_chart(pattern.weekday_hour_chart, width="stretch")
        when.altair_chart(pattern.month_chart, width="stretch")
        when.caption(patterns.CALENDAR_NOTE)
place_box = st.expander(f"{md(name)}: när händer det, och vad ändrade åtgärderna?", icon=":material/compare_arrows:",
                        key="patterns_place_open", on_change="rerun") if card is not None else None
if place_box is not None and place_box.open:
    here = patterns.place_patterns(observations, ui.load("meetings"), name)
    place_box.markdown("  \n".join(here.lines))
    if here.total:
        place_box.altair_chart(here.weekday_hour_chart, width="stretch")
    effects = patterns.action_effects(observations, actions, name, on)
    chosen_effect = place_box.selectbox("Före och efter åtgärden", range(len(effects)), key=f"pattern_action_{name}",
                                        format_func=lambda i: effects[i].title) if effects else None
    if chosen_effect is None:
        place_box.markdown("Inga genomförda åtgärder att jämföra före och efter.")
    else:
        chart_col, text_col = place_box.columns([2, 1], gap="large")
        chart_col.altair_chart(effects[chosen_effect].chart(), width="stretch")
        text_col.markdown("  \n".join(effects[chosen_effect].lines))
# --- end of issue #15 block ------------------------------------------------------------------------------------

# --- record: saved at once, shown on the map at the next run ----------------------------------------
# Each save returns its confirmation; ui.form_saver shows it by the button, refuses a double submit, waits out a
# busy database and keeps what was typed when the save fails.
OBS_KEYS = ("obs_place", "obs_date", "obs_category", "obs_org", "obs_text", "obs_secrecy", "obs_at_point")
ACT_KEYS = ("act_place", "act_date", "act_actor", "act_text", "act_status", "act_secrecy")
NEW_KEYS = ("new_name", "new_lat", "new_lon", "new_area", "new_forum", "new_status", "new_category", "new_situation",
            "new_followup", "new_next")


def point_or_none() -> tuple[float | None, float | None]:
    return state["map_point"] if state.get("obs_at_point") and state.get("map_point") else (None, None)


def save_observation() -> str:
    places.add_observation(engine, state.get("obs_place") or "", state.get("obs_date"), state.get("obs_category"),
                           state.get("obs_org", ""), state.get("obs_text", ""), state.get("obs_secrecy"),
                           *point_or_none(), today=today, by=ui.actor())
    if state.get("obs_at_point"):
        state.pop("map_point", None)
    state["map_place"] = state["obs_place"]
    return f"Iakttagelsen vid {md(state['obs_place'])} är sparad och visas på kartan."


def save_action() -> str:
    places.add_action(engine, state.get("act_place") or "", state.get("act_date"), state.get("act_actor", ""),
                      state.get("act_text", ""), state.get("act_status"), state.get("act_secrecy"), today=today,
                      by=ui.actor())
    state["map_place"] = state["act_place"]
    return f"Åtgärden vid {md(state['act_place'])} är sparad."


def save_update(name: str, suffix: str, version: int) -> str:
    places.update_place(engine, name, state[f"upd_status_{suffix}"], state[f"upd_situation_{suffix}"],
                        state[f"upd_followup_{suffix}"], state[f"upd_next_{suffix}"], today=today, by=ui.actor(),
                        version=version)
    return f"Läget för {md(name)} är uppdaterat."


def save_place() -> str:
    places.add_place(engine, state.get("new_name", ""), state.get("new_lat"), state.get("new_lon"),
                     state.get("new_area", ""), state.get("new_forum"), state.get("new_status"),
                     state.get("new_category"), state.get("new_situation", ""), state.get("new_followup"),
                     state.get("new_next", ""), today=today, by=ui.actor())
    state["map_place"] = state["new_name"].strip()
    state.pop("map_point", None)
    return f"Platsen {md(state['new_name'].strip())} är sparad."


if state.get("map_place") and state.get("form_place_for") != state["map_place"]:
    # Forms start at the place last chosen on the map.
    state["obs_place"] = state["act_place"] = state["form_place_for"] = state["map_place"]
point = state.get("map_point")
point_text = f"{number(point[0], 5)}, {number(point[1], 5)}" if point else None
secrecy_help = "Öppet visas i rådet; internt bara i den interna vyn."


def save_observation_edit(observation_id: int, version: int, tag: str) -> str:
    places.update_observation(engine, observation_id, version, state[f"edit_date_{tag}"], state[f"edit_category_{tag}"],
                              state[f"edit_org_{tag}"], state[f"edit_text_{tag}"], state[f"edit_secrecy_{tag}"],
                              today=today, by=ui.actor())
    return "Iakttagelsen är ändrad."


def remove_record(kind: str, record_id: int | None) -> str:
    audit.remove(engine, kind, record_id, ui.actor())
    if kind == "place":
        state.pop("map_place", None)
    return "Borttaget. En administratör kan återställa det på sidan Logg."


editor = ui.may("registrera")
if editor:
    st.header("Registrera")
    st.caption("Det som sparas syns direkt på kartan. Skriv aldrig namn, personnummer, kontaktuppgifter eller annat som "
               "pekar ut en person: lägesbilden ska vara generell.")
    new_obs, new_action, update, edit_obs, new_place, removal, files = st.tabs(
        ["Ny iakttagelse", "Ny åtgärd", "Uppdatera platsens läge", "Ändra en iakttagelse", "Ny plats", "Ta bort",
         "Exportera och importera"])
    with new_obs, st.form("observation_form", border=False):
        a, b, c = st.columns(3)
        a.selectbox("Plats", names, index=None, key="obs_place", placeholder="Välj plats")
        b.date_input("Datum", today, max_value=today, format="YYYY-MM-DD", key="obs_date")
        c.selectbox("Kategori", CATEGORIES, key="obs_category")
        a.text_input("Organisation", key="obs_org", placeholder="t.ex. Polisen, Fält och fritid")
        b.text_area("Beskrivning", key="obs_text", height=100)
        c.radio("Sekretess", places.CONFIDENTIALITY, index=None, key="obs_secrecy", horizontal=True, help=secrecy_help)
        c.checkbox(f"Vid punkten jag klickade på kartan ({point_text})" if point else
                   "Vid en egen punkt: klicka först på kartan", key="obs_at_point", disabled=point is None)
        st.form_submit_button("Spara iakttagelsen", type="primary", key="obs_save", on_click=ui.form_saver(
            "obs", save_observation, (*OBS_KEYS, "map_point"), clear=OBS_KEYS[3:]))
        ui.form_feedback("obs")
    with new_action, st.form("action_form", border=False):
        a, b, c = st.columns(3)
        a.selectbox("Plats", names, index=None, key="act_place", placeholder="Välj plats")
        b.date_input("Datum", today, format="YYYY-MM-DD", key="act_date")
        c.selectbox("Status", places.ACTION_STATUSES, index=None, key="act_status", placeholder="Välj status")
        a.text_input("Aktör", key="act_actor", placeholder="t.ex. Stadsdelsförvaltningen och polisen")
        b.text_area("Åtgärd", key="act_text", height=100)
        c.radio("Sekretess", places.CONFIDENTIALITY, index=None, key="act_secrecy", horizontal=True, help=secrecy_help)
        st.form_submit_button("Spara åtgärden", type="primary", key="act_save", on_click=ui.form_saver(
            "act", save_action, ACT_KEYS, clear=ACT_KEYS[2:]))
        ui.form_feedback("act")
    with update:
        if selected is None:
            st.info("Välj först en plats på kartan eller i listan.")
        else:
            # The version is in the keys: after someone else's save the form opens anew at the stored values.
            suffix = f'{int(selected["id"])}_{int(selected["version"])}'
            with st.form("update_form", border=False):
                st.markdown(f"**{md(state['map_place'])}**")
                a, b = st.columns(2)
                a.selectbox("Status", PLACE_STATUSES, index=PLACE_STATUSES.index(selected["status"]),
                            format_func=lambda s: f"{s} – {STATUS_MEANINGS[s]}", key=f"upd_status_{suffix}")
                b.date_input("Nästa uppföljning", selected["next_followup"], format="YYYY-MM-DD", key=f"upd_followup_{suffix}")
                a.text_area("Lägesbild", selected["situation"], key=f"upd_situation_{suffix}", height=120)
                b.text_area("Hur fortsätter vi", selected["next_step"], key=f"upd_next_{suffix}", height=120)
                upd_keys = tuple(f"upd_{k}_{suffix}" for k in ("status", "situation", "followup", "next"))
                st.form_submit_button("Spara läget", type="primary", key="upd_save", on_click=ui.form_saver(
                    "upd", functools.partial(save_update, state["map_place"], suffix, int(selected["version"])),
                    (*upd_keys, "map_place"), clear=upd_keys))
                ui.form_feedback("upd")
    with new_place, st.form("place_form", border=False):
        a, b, c = st.columns(3)
        a.text_input("Namn", key="new_name", placeholder="t.ex. Tegnérlunden")
        b.number_input("Latitud (WGS84)", value=None, format="%.5f", step=0.0001, key="new_lat",
                       placeholder="klicka på kartan")
        c.number_input("Longitud (WGS84)", value=None, format="%.5f", step=0.0001, key="new_lon",
                       placeholder="eller skriv koordinaterna")
        a.text_input("Område", value=next(iter(boundaries["area"]), "Norrmalm"), key="new_area")
        b.selectbox("Samverkansaktivitet", list(forum_names), index=None, format_func=forum_names.get, key="new_forum",
                    placeholder="Ingen")
        c.selectbox("Kategori", CATEGORIES, index=None, key="new_category", placeholder="Efter iakttagelserna")
        a.selectbox("Status", PLACE_STATUSES, format_func=lambda s: f"{s} – {STATUS_MEANINGS[s]}", key="new_status")
        b.text_area("Lägesbild", key="new_situation", height=100)
        c.text_area("Hur fortsätter vi", key="new_next", height=100)
        a.date_input("Nästa uppföljning", None, format="YYYY-MM-DD", key="new_followup")
        st.form_submit_button("Spara platsen", type="primary", key="new_save", on_click=ui.form_saver(
            "new", save_place, NEW_KEYS, clear=tuple(k for k in NEW_KEYS if k not in ("new_area", "new_status"))))
        ui.form_feedback("new")

    with edit_obs:
        # Only the place's own observations, in the view the editor sees; the version guards against a lost update.
        mine = observations[observations["place"] == state.get("map_place")] if selected is not None else observations.iloc[0:0]
        if mine.empty:
            st.info("Välj först en plats med iakttagelser på kartan eller i listan.")
        else:
            labels = {int(r.id): f"{date(r.date)} · {r.category} · {r.description[:60]}" for r in mine.itertuples()}
            chosen_id = st.selectbox("Iakttagelse", list(labels), format_func=labels.get, key="edit_obs_id")
            current = mine[mine["id"] == chosen_id].iloc[0]
            tag = f"{chosen_id}_{int(current['version'])}"
            with st.form("edit_observation_form", border=False):
                a, b, c = st.columns(3)
                b.date_input("Datum", current["date"], max_value=today, format="YYYY-MM-DD", key=f"edit_date_{tag}")
                c.selectbox("Kategori", CATEGORIES, index=CATEGORIES.index(current["category"])
                            if current["category"] in CATEGORIES else 0, key=f"edit_category_{tag}")
                a.text_input("Organisation", current["organisation"], key=f"edit_org_{tag}")
                b.text_area("Beskrivning", current["description"], key=f"edit_text_{tag}", height=100)
                c.radio("Sekretess", places.CONFIDENTIALITY, index=places.CONFIDENTIALITY.index(current["confidentiality"]),
                        key=f"edit_secrecy_{tag}", horizontal=True, help=secrecy_help)
                edit_keys = tuple(f"edit_{k}_{tag}" for k in ("date", "category", "org", "text", "secrecy"))
                st.form_submit_button("Spara ändringen", type="primary", key="edit_save", on_click=ui.form_saver(
                    "edit", functools.partial(save_observation_edit, int(chosen_id), int(current["version"]), tag),
                    edit_keys), disabled=not ui.may("redigera"))
                ui.form_feedback("edit")
    with removal:
        if not ui.may("ta_bort"):
            st.info("Din roll får inte ta bort uppgifter.")
        else:
            st.caption("Det som tas bort försvinner ur kartan och listorna men finns kvar i loggen; en administratör "
                       "kan återställa det på sidan Logg.")
            kinds = {"observation": "Iakttagelse", "action": "Åtgärd", "place": "Plats"}
            kind = st.radio("Vad ska tas bort?", list(kinds), format_func=kinds.get, horizontal=True, key="remove_kind")
            source = {"observation": observations, "action": actions, "place": place_frame}[kind]
            if kind != "place" and state.get("map_place"):
                source = source[source["place"] == state["map_place"]]
            texts = {int(r.id): (r.name if kind == "place" else f"{date(r.date)} · {r.place} · {r.description[:60]}")
                     for r in source.itertuples()}
            target = st.selectbox(kinds[kind], list(texts), index=None, format_func=texts.get, key="remove_id",
                                  placeholder="Välj")
            st.button("Ta bort", key="remove_go", icon=":material/delete:", disabled=target is None,
                      on_click=ui.form_saver("remove", functools.partial(remove_record, kind, target),
                                             ("remove_kind", "remove_id"), clear=("remove_id",)))
            ui.form_feedback("remove")

else:
    st.header("Exportera")
    files = st.container()
with files:
    st.markdown(f"Exporten följer urvalet ovan – {len(shown)} platser och {number(len(shown_observations))} "
                "iakttagelser – och innehåller bara material som visas i den här vyn. CSV-filerna öppnas i Excel "
                "(semikolon, decimalkomma) och kan importeras igen.")
    stamp = today.isoformat()
    exports = [("Platser", "platser", places.places_geojson, places.places_csv, shown),
               ("Iakttagelser", "iakttagelser", places.observations_geojson, places.observations_csv, shown_observations)]
    row = st.container(horizontal=True)
    for label, stem, as_geojson, as_csv, frame in exports:
        # Built only when clicked: 50 000 observations take a moment to write.
        row.download_button(f"{label} som GeoJSON", lambda f=frame, g=as_geojson: g(f), f"{stem}-{stamp}.geojson",
                            "application/geo+json", key=f"export_{stem}_geojson", on_click="ignore",
                            icon=":material/download:")
        row.download_button(f"{label} som CSV", lambda f=frame, g=as_csv: g(f), f"{stem}-{stamp}.csv", "text/csv",
                            key=f"export_{stem}_csv", on_click="ignore", icon=":material/download:")
    if not ui.may("importera"):
        st.stop()
    kind = st.radio("Importera", ["Platser", "Iakttagelser"], horizontal=True, key="import_places_kind")
    upload = st.file_uploader("GeoJSON, CSV eller Excel med samma kolumner som exporten",
                              type=list(uploads.ACCEPTED["places"]), key="import_places_file")
    if upload is not None:
        try:
            uploads.check_upload(upload.name, upload.getvalue(), "places")
            uploads.check_contents(upload.name, upload.getvalue(), "places")
            read = places.read_places if kind == "Platser" else places.read_observations
            frame = read(upload.name, upload.getvalue())
            st.success(f"**{md(upload.name)}** är felfri: {len(frame)} {kind.lower()}.", icon=":material/check_circle:")
            if st.button("Importera", type="primary", key="import_places_go"):
                store = places.import_places if kind == "Platser" else places.import_observations
                state["map_saved"] = f"Importerat: {store(engine, upload.name, frame, by=ui.actor())} {kind.lower()} från {md(upload.name)}."
                st.rerun()
        except InputError as error:
            ui.show_input_error(error)

