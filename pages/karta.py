import datetime as dt

import streamlit as st
from streamlit_folium import st_folium

import ui
from lagesbild import audit, cooperation, maps, places, uploads
from lagesbild.formatting import date, number
from lagesbild.places import (CATEGORIES, CATEGORY_SYMBOLS, PLACE_STATUSES, STATUS_COLOURS, STATUS_MEANINGS,
                              STATUS_TEXT_COLOURS, WINDOWS)
from lagesbild.problems import InputError

engine = ui.frame("Karta")
settings = ui.settings()
internal = ui.show_internal()
md = places.markdown_text
state = st.session_state
today = dt.date.today()


observations = ui.load("observations", include_internal=internal)
place_frame = ui.derived(places.with_categories, ui.Table("places"), ui.Table("observations", internal))
actions = ui.load("actions", include_internal=internal)
forums = ui.load("forums")
activities = forums[forums["kind"] == "aktivitet"]
last_meeting = cooperation.last_council_meeting(ui.load("meetings", include_internal=internal))
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
    "Tidsperiod", list(WINDOWS), index=list(WINDOWS).index("allt"), key="map_window",
    format_func=lambda w: f"{WINDOWS[w]} ({date(last_meeting)})" if w == "rådsmöte" and last_meeting else WINDOWS[w])
custom = None
if window == "eget":
    custom = window_col.date_input("Från och med – till och med", (today - dt.timedelta(days=365), today),
                                   format="YYYY-MM-DD", key="map_dates")
    custom = custom if isinstance(custom, tuple) and len(custom) == 2 else None
categories = category_col.multiselect("Kategori", CATEGORIES, key="map_categories", placeholder="Alla kategorier")
statuses = status_col.multiselect("Status", PLACE_STATUSES, key="map_status", placeholder="Alla")
forums = forum_col.multiselect("Samverkansaktivitet", list(forum_names), format_func=forum_names.get,
                               key="map_forums", placeholder="Alla")
start, end = places.window_range(window, today, last_meeting, custom)
chosen = places.MapFilter(start, end, tuple(categories), tuple(statuses), tuple(forums))
shown = places.filter_places(place_frame, observations, chosen)
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
               "(prickarna) i urvalet." + ("" if internal else " Endast öppet material."))
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


# --- record: saved at once, shown on the map at the next run ----------------------------------------
def saved(message: str, keys: tuple[str, ...]) -> None:
    state["map_saved"] = message
    state.pop("map_error", None)
    for key in keys:
        state.pop(key, None)


def failed(form: str, error: InputError) -> None:
    state["map_error"] = (form, error)


def point_or_none() -> tuple[float | None, float | None]:
    return state["map_point"] if state.get("obs_at_point") and state.get("map_point") else (None, None)


def save_observation() -> None:
    try:
        places.add_observation(engine, state["obs_place"] or "", state["obs_date"], state["obs_category"],
                               state["obs_org"], state["obs_text"], state["obs_secrecy"], *point_or_none(), today=today,
                               by=ui.actor())
    except InputError as error:
        return failed("obs", error)
    at_point = ("map_point",) if state.get("obs_at_point") else ()
    state["map_place"] = state["obs_place"]
    saved(f"Iakttagelsen vid {md(state['obs_place'])} är sparad och visas på kartan.",
          ("obs_org", "obs_text", "obs_secrecy", "obs_at_point", *at_point))


def save_action() -> None:
    try:
        places.add_action(engine, state["act_place"] or "", state["act_date"], state["act_actor"], state["act_text"],
                          state["act_status"], state["act_secrecy"], today=today, by=ui.actor())
    except InputError as error:
        return failed("act", error)
    state["map_place"] = state["act_place"]
    saved(f"Åtgärden vid {md(state['act_place'])} är sparad.", ("act_actor", "act_text", "act_status", "act_secrecy"))


def save_update(name: str, suffix: str, version: int) -> None:
    try:
        places.update_place(engine, name, state[f"upd_status_{suffix}"], state[f"upd_situation_{suffix}"],
                            state[f"upd_followup_{suffix}"], state[f"upd_next_{suffix}"], today=today, by=ui.actor(),
                            version=version)
    except InputError as error:
        return failed("upd", error)
    saved(f"Läget för {md(name)} är uppdaterat.", tuple(f"upd_{k}_{suffix}" for k in ("status", "situation", "followup", "next")))


def save_place() -> None:
    try:
        places.add_place(engine, state["new_name"], state["new_lat"], state["new_lon"], state["new_area"],
                         state["new_forum"], state["new_status"], state["new_category"], state["new_situation"],
                         state["new_followup"], state["new_next"], today=today, by=ui.actor())
    except InputError as error:
        return failed("new", error)
    state["map_place"] = state["new_name"].strip()
    state.pop("map_point", None)
    saved(f"Platsen {md(state['new_name'].strip())} är sparad.",
          ("new_name", "new_lat", "new_lon", "new_situation", "new_followup", "new_next", "new_category", "new_forum"))


def show_error(form: str) -> None:
    if state.get("map_error", (None,))[0] == form:
        ui.show_input_error(state.pop("map_error")[1])


if state.get("map_place") and state.get("form_place_for") != state["map_place"]:
    # Forms start at the place last chosen on the map.
    state["obs_place"] = state["act_place"] = state["form_place_for"] = state["map_place"]
point = state.get("map_point")
point_text = f"{number(point[0], 5)}, {number(point[1], 5)}" if point else None
secrecy_help = "Öppet visas i rådet; internt bara i den interna vyn."


def save_observation_edit(observation_id: int, version: int, tag: str) -> None:
    try:
        places.update_observation(engine, observation_id, version, state[f"edit_date_{tag}"], state[f"edit_category_{tag}"],
                                  state[f"edit_org_{tag}"], state[f"edit_text_{tag}"], state[f"edit_secrecy_{tag}"],
                                  today=today, by=ui.actor())
    except InputError as error:
        return failed("edit", error)
    saved("Iakttagelsen är ändrad.", ())


def remove_record(kind: str, record_id: int | None) -> None:
    if record_id is None:
        return
    try:
        audit.remove(engine, kind, record_id, ui.actor())
    except InputError as error:
        return failed("remove", error)
    if kind == "place":
        state.pop("map_place", None)
    saved("Borttaget. En administratör kan återställa det på sidan Logg.", ("remove_id",))

editor = ui.may("registrera")
if editor:
    st.header("Registrera")
    st.caption("Det som sparas syns direkt på kartan. Skriv aldrig namn, personnummer, kontaktuppgifter eller annat som "
               "pekar ut en person: lägesbilden ska vara generell.")
    new_obs, new_action, update, edit_obs, new_place, removal, files = st.tabs(
        ["Ny iakttagelse", "Ny åtgärd", "Uppdatera platsens läge", "Ändra en iakttagelse", "Ny plats", "Ta bort",
         "Exportera och importera"])
    with new_obs, st.form("observation_form", border=False):
        show_error("obs")
        a, b, c = st.columns(3)
        a.selectbox("Plats", names, index=None, key="obs_place", placeholder="Välj plats")
        b.date_input("Datum", today, max_value=today, format="YYYY-MM-DD", key="obs_date")
        c.selectbox("Kategori", CATEGORIES, key="obs_category")
        a.text_input("Organisation", key="obs_org", placeholder="t.ex. Polisen, Fält och fritid")
        b.text_area("Beskrivning", key="obs_text", height=100)
        c.radio("Sekretess", places.CONFIDENTIALITY, index=None, key="obs_secrecy", horizontal=True, help=secrecy_help)
        c.checkbox(f"Vid punkten jag klickade på kartan ({point_text})" if point else
                   "Vid en egen punkt: klicka först på kartan", key="obs_at_point", disabled=point is None)
        st.form_submit_button("Spara iakttagelsen", type="primary", on_click=save_observation, key="obs_save")
    with new_action, st.form("action_form", border=False):
        show_error("act")
        a, b, c = st.columns(3)
        a.selectbox("Plats", names, index=None, key="act_place", placeholder="Välj plats")
        b.date_input("Datum", today, format="YYYY-MM-DD", key="act_date")
        c.selectbox("Status", places.ACTION_STATUSES, index=None, key="act_status", placeholder="Välj status")
        a.text_input("Aktör", key="act_actor", placeholder="t.ex. Stadsdelsförvaltningen och polisen")
        b.text_area("Åtgärd", key="act_text", height=100)
        c.radio("Sekretess", places.CONFIDENTIALITY, index=None, key="act_secrecy", horizontal=True, help=secrecy_help)
        st.form_submit_button("Spara åtgärden", type="primary", on_click=save_action, key="act_save")
    with update:
        if selected is None:
            st.info("Välj först en plats på kartan eller i listan.")
        else:
            # The version is in the keys: after someone else's save the form opens anew at the stored values.
            suffix = f'{int(selected["id"])}_{int(selected["version"])}'
            with st.form("update_form", border=False):
                show_error("upd")
                st.markdown(f"**{md(state['map_place'])}**")
                a, b = st.columns(2)
                a.selectbox("Status", PLACE_STATUSES, index=PLACE_STATUSES.index(selected["status"]),
                            format_func=lambda s: f"{s} – {STATUS_MEANINGS[s]}", key=f"upd_status_{suffix}")
                b.date_input("Nästa uppföljning", selected["next_followup"], format="YYYY-MM-DD", key=f"upd_followup_{suffix}")
                a.text_area("Lägesbild", selected["situation"], key=f"upd_situation_{suffix}", height=120)
                b.text_area("Hur fortsätter vi", selected["next_step"], key=f"upd_next_{suffix}", height=120)
                st.form_submit_button("Spara läget", type="primary", on_click=save_update, args=(state["map_place"], suffix, int(selected["version"])),
                                      key="upd_save")
    with new_place, st.form("place_form", border=False):
        show_error("new")
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
        st.form_submit_button("Spara platsen", type="primary", on_click=save_place, key="new_save")

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
                show_error("edit")
                a, b, c = st.columns(3)
                b.date_input("Datum", current["date"], max_value=today, format="YYYY-MM-DD", key=f"edit_date_{tag}")
                c.selectbox("Kategori", CATEGORIES, index=CATEGORIES.index(current["category"])
                            if current["category"] in CATEGORIES else 0, key=f"edit_category_{tag}")
                a.text_input("Organisation", current["organisation"], key=f"edit_org_{tag}")
                b.text_area("Beskrivning", current["description"], key=f"edit_text_{tag}", height=100)
                c.radio("Sekretess", places.CONFIDENTIALITY, index=places.CONFIDENTIALITY.index(current["confidentiality"]),
                        key=f"edit_secrecy_{tag}", horizontal=True, help=secrecy_help)
                st.form_submit_button("Spara ändringen", type="primary", on_click=save_observation_edit,
                                      args=(int(chosen_id), int(current["version"]), tag), key="edit_save",
                                      disabled=not ui.may("redigera"))
    with removal:
        if not ui.may("ta_bort"):
            st.info("Din roll får inte ta bort uppgifter.")
        else:
            show_error("remove")
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
                      on_click=remove_record, args=(kind, target))

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
            read = places.read_places if kind == "Platser" else places.read_observations
            frame = read(upload.name, upload.getvalue())
            st.success(f"**{md(upload.name)}** är felfri: {len(frame)} {kind.lower()}.", icon=":material/check_circle:")
            if st.button("Importera", type="primary", key="import_places_go"):
                store = places.import_places if kind == "Platser" else places.import_observations
                state["map_saved"] = f"Importerat: {store(engine, upload.name, frame, by=ui.actor())} {kind.lower()} från {md(upload.name)}."
                st.rerun()
        except InputError as error:
            ui.show_input_error(error)

