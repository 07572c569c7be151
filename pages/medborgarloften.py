import datetime

import streamlit as st

import ui
from lagesbild.views import loften as view

LABEL = view.PROGRESS_FORM
FORM_KEYS = ("progress_pledge", "progress_date", "progress_description", "progress_amount", "progress_secrecy")

engine = ui.frame("Medborgarlöften")
st.title("Medborgarlöften")
on = ui.as_of(engine)  # statuses, pace and entries as of "Läget per"; `today` only bounds what a form accepts
settings = ui.settings()
st.caption(f"{view.intro(settings.area)} **{ui.as_of_text(on)}**.")
today = datetime.date.today()

all_pledges = ui.load("pledges")
if all_pledges.empty:
    st.info("Inga medborgarlöften är registrerade.")
    st.stop()
progress = view.up_to(ui.load("progress", include_internal=ui.show_internal()), on)
frame = view.with_status(all_pledges, progress, on)
years = view.pledge_years(frame)
if "pledge_year" not in st.session_state:
    st.session_state["pledge_year"] = view.default_year(years, on)
year = st.columns(5)[0].selectbox("År", years, key="pledge_year", placeholder="Välj")

st.markdown(view.status_basis(year, on, ui.show_internal()))
st.caption(view.status_legend(on))


def outcome_of(survey: str, indicator: str, area: str):
    return ui.derived(view.outcome, ui.Table("results"), survey, indicator, area, settings.min_answers)


for card in view.pledge_cards(frame, year, progress, on, ui.load("indicators"), settings.area, outcome_of):
    with st.container(border=True):
        text_column, meter_column = st.columns([3, 2], gap="large")
        text_column.markdown(card.heading)
        text_column.markdown(card.target)
        meter_column.markdown(card.meter, unsafe_allow_html=True)
        meter_column.markdown(card.sentence)
        st.markdown(card.done)
        for line in card.entries:
            st.markdown(line)
        for line in (card.outcome, card.earlier):
            if line:
                st.markdown(line)

st.subheader("Tidigare års medborgarlöften")
before = view.earlier_years(frame, year)
if before.empty:
    st.caption(f"Inga medborgarlöften före {year} är registrerade.")
else:
    st.dataframe(before, hide_index=True)

if not ui.may("registrera"):
    st.stop()
with st.expander("Registrera framsteg", icon=":material/edit_note:"):
    st.caption("Det som registreras sparas direkt och räknas mot löftet. Skriv aldrig namn, personnummer eller "
               "kontaktuppgifter: lägesbilden ska vara generell. Material märkt intern visas inte i standardvyn.")
    titles = view.pledge_titles(frame, year)

    def save_progress() -> str:
        state = st.session_state
        view.add_progress(engine, state.get("progress_pledge"), state.get("progress_date"),
                          state.get("progress_description", ""), state.get("progress_amount"),
                          state.get("progress_secrecy"), today, by=ui.actor())
        return view.progress_saved(state.get("progress_secrecy"), ui.show_internal())

    with st.form("progress_form"):
        st.selectbox(LABEL["pledge"], list(titles), key="progress_pledge", format_func=titles.get)
        left, middle, right = st.columns([2, 1, 2])
        left.date_input(LABEL["date"], value=view.form_date(today, year), format="YYYY-MM-DD", key="progress_date")
        middle.number_input(LABEL["amount"], min_value=1, value=1, step=1, key="progress_amount")
        right.radio(LABEL["confidentiality"], view.CONFIDENTIALITY, index=None, horizontal=True, key="progress_secrecy")
        st.text_area(LABEL["description"], key="progress_description",
                     placeholder="Till exempel: riktad insats mot narkotikaförsäljning i Vasaparken.")
        st.form_submit_button("Spara", type="primary", key="progress_save",
                              on_click=ui.form_saver("progress", save_progress, FORM_KEYS, clear=FORM_KEYS))
        ui.form_feedback("progress")
ui.remove_control("pledge_progress", view.progress_choices(progress), "progress_remove", "ett framsteg")
