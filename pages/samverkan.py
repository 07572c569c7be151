import datetime

import streamlit as st

import ui
from lagesbild.views import samverkan as view

LABEL = view.MEETING_FORM
FORM_KEYS = ("meeting_forum", "meeting_date", "meeting_done", "meeting_next", "meeting_secrecy")

engine = ui.frame("Samverkan")
st.title("Samverkan")
on = ui.as_of(engine)  # the follow-up as of "Läget per"; `today` only bounds what the form accepts
st.caption(f"{view.intro(ui.settings().area)} **{ui.as_of_text(on)}**.")
today = datetime.date.today()
forums = ui.load("forums")
meetings = view.up_to(ui.load("meetings", include_internal=ui.show_internal()), on)

years, default_year = view.years(meetings, on)
if st.session_state.get("coop_year") not in years:
    st.session_state["coop_year"] = default_year
year = st.columns(5)[0].selectbox("År", years, key="coop_year", placeholder="Välj")
st.caption(view.counting_note(year, ui.show_internal()))

organisation, activities = ui.derived(view.cards, ui.Table("forums"), ui.Table("meetings", ui.show_internal()),
                                      ui.Table("places"), year, on)
st.header("Organisation")
for column, card in zip(st.columns(3), organisation):
    column.container(border=True).markdown(card)

st.header("Samverkansaktiviteter")
for card in activities:
    with st.container(border=True):
        about, count = st.columns([3, 1], gap="large")
        about.markdown(card.about)
        count.metric(card.count_label, card.count, border=True, help="Hållna möten av planerade enligt mötesfrekvensen.")
        count.caption(card.count_note)
        done, next_ = st.columns(2, gap="large")
        done.markdown(card.done)
        next_.markdown(card.next)
        if card.places:
            st.markdown("**Platser** – öppna på kartan:")
            with st.container(horizontal=True):
                for key, label, name in card.places:
                    if st.button(label, key=key, icon=":material/location_on:"):
                        st.session_state["map_place"] = name
                        st.switch_page("pages/karta.py")
        with st.expander(card.meetings_title):
            if card.meetings.empty:
                st.caption(f"Inga möten registrerade {year}.")
            else:
                st.dataframe(card.meetings, hide_index=True)

if not ui.may("registrera"):
    st.stop()
with st.expander("Registrera ett möte", icon=":material/edit_note:"):
    st.caption("Mötet sparas direkt. Skriv aldrig namn, personnummer eller kontaktuppgifter: lägesbilden ska vara "
               "generell. Material märkt intern visas inte i standardvyn.")
    names = dict(zip(forums["id"], forums["name"]))

    def save_meeting() -> str:
        state = st.session_state
        forum_id, when, secrecy = state.get("meeting_forum"), state.get("meeting_date"), state.get("meeting_secrecy")
        view.add_meeting(engine, forum_id, when, state.get("meeting_done", ""), state.get("meeting_next", ""),
                         secrecy, today, by=ui.actor())
        state["coop_year"] = when.year  # the year the new meeting is counted in
        return view.meeting_saved(when, names[forum_id], secrecy, ui.show_internal())

    with st.form("meeting_form"):
        left, middle, right = st.columns([3, 2, 2])
        left.selectbox(LABEL["forum"], list(names), format_func=names.get, key="meeting_forum")
        middle.date_input(LABEL["date"], value=today, max_value=today, format="YYYY-MM-DD", key="meeting_date")
        right.radio(LABEL["confidentiality"], view.CONFIDENTIALITY, index=None, horizontal=True, key="meeting_secrecy")
        st.text_area(LABEL["done"], key="meeting_done")
        st.text_area(LABEL["next"], key="meeting_next")
        st.form_submit_button("Spara", type="primary", key="meeting_save",
                              on_click=ui.form_saver("meeting", save_meeting, FORM_KEYS, clear=FORM_KEYS))
        ui.form_feedback("meeting")
ui.remove_control("meeting", view.meeting_choices(meetings, names), "meeting_remove", "ett möte")
