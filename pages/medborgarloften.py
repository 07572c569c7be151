import datetime

import streamlit as st

import ui
from lagesbild import asof, pledges
from lagesbild.formatting import markdown_escape as md
from lagesbild.formatting import date
from lagesbild.places import CONFIDENTIALITY

LABEL = pledges.PROGRESS_FORM
FORM_KEYS = ("progress_pledge", "progress_date", "progress_description", "progress_amount", "progress_secrecy")

engine = ui.frame("Medborgarlöften")
st.title("Medborgarlöften")
on = ui.as_of(engine)  # statuses, pace and entries as of "Läget per"; `today` only bounds what a form accepts
st.caption("Polisens och stadsdelsförvaltningens löften till dem som bor och verkar i Norrmalm, "
           f"med mål som går att räkna och det som är gjort hittills. **{ui.as_of_text(on)}**.")
settings = ui.settings()
today = datetime.date.today()

all_pledges = ui.load("pledges")
if all_pledges.empty:
    st.info("Inga medborgarlöften är registrerade.")
    st.stop()
progress = asof.up_to(ui.load("progress", include_internal=ui.show_internal()), on)
frame = pledges.with_status(all_pledges, progress, on)
years = sorted((int(y) for y in frame["year"].unique()), reverse=True)
if "pledge_year" not in st.session_state:
    st.session_state["pledge_year"] = pledges.default_year(years, on)
year = st.columns(5)[0].selectbox("År", years, key="pledge_year", placeholder="Välj")
shown = frame[frame["year"] == year]

st.markdown(pledges.status_basis(year, on, ui.show_internal()))
st.caption("Status: " + " · ".join(f"**{s}** – {meaning}" for s, meaning in pledges.STATUS_MEANINGS.items())
           + f". Det svarta strecket visar hur mycket som ska vara gjort {date(on)} med jämn takt över året.")

results = ui.load("results")
indicators = ui.load("indicators")
names = dict(zip(zip(indicators["survey"], indicators["indicator"]), indicators["name"]))
for row in shown.itertuples():
    with st.container(border=True):
        text_column, meter_column = st.columns([3, 2], gap="large")
        with text_column:
            st.markdown(f"### {row.number}. {md(row.text)}")
            st.markdown(f"**Mål:** {row.target} {md(row.unit)}  \n**Ansvarig:** {md(row.responsible)}")
        with meter_column:
            st.markdown(pledges.meter_html(row.done, row.target, row.expected, row.status if row.year_started else None, row.unit,
                                           show_pace=row.year_started and not row.year_over), unsafe_allow_html=True)
            st.markdown(md(row.sentence))
        entries = pledges.counted_entries(progress, row.id, row.year, on)
        st.markdown(f"**Gjort hittills:** {'inget registrerat för ' + str(row.year) if entries.empty else ''}")
        for entry in entries.itertuples():
            st.markdown(f"- {date(entry.date)}: {md(entry.description)}"
                        + (f" ({entry.amount} {md(row.unit)})" if entry.amount != 1 else "")
                        + (" *(intern)*" if entry.confidentiality == "intern" else ""))
        if isinstance(row.survey, str) and isinstance(row.indicator, str):
            area = row.area or "Norrmalm"
            outcome = ui.derived(pledges.outcome, ui.Table("results"), row.survey, row.indicator, area, settings.min_answers)
            said = "inga svar ännu." if outcome is None else \
                outcome.sentence() + (" Exempeldata." if outcome.is_example else "")
            name = names.get((row.survey, row.indicator), row.indicator)
            st.markdown(f"**Utfall som löftet ska påverka** – {md(name)}, {md(area)}: {md(said)}")
        earlier = pledges.history(frame, row.text, row.unit, row.year)
        if not earlier.empty:
            st.markdown("**Tidigare år:** " + " · ".join(
                f"{e.year}: {e.done} av {e.target}, {e.status}" for e in earlier.itertuples()))

st.subheader("Tidigare års medborgarlöften")
before = pledges.earlier_years(frame, year)
if before.empty:
    st.caption(f"Inga medborgarlöften före {year} är registrerade.")
else:
    st.dataframe(before, hide_index=True)

if not ui.may("registrera"):
    st.stop()
with st.expander("Registrera framsteg", icon=":material/edit_note:"):
    st.caption("Det som registreras sparas direkt och räknas mot löftet. Skriv aldrig namn, personnummer eller "
               "kontaktuppgifter: lägesbilden ska vara generell. Material märkt intern visas inte i standardvyn.")
    titles = {r.id: f"{r.number}. {pledges.short_text(r.text, 80)}" for r in shown.itertuples()}

    def save_progress() -> str:
        state = st.session_state
        secrecy = state.get("progress_secrecy")
        pledges.add_progress(engine, state.get("progress_pledge"), state.get("progress_date"),
                             state.get("progress_description", ""), state.get("progress_amount"), secrecy, today,
                             by=ui.actor())
        visible = secrecy == "öppen" or ui.show_internal()
        return "Framsteget är sparat." + (
            "" if visible else " Det är märkt intern och räknas bara när internt material visas.")

    with st.form("progress_form"):
        st.selectbox(LABEL["pledge"], shown["id"], key="progress_pledge", format_func=lambda pid: titles[pid])
        left, middle, right = st.columns([2, 1, 2])
        left.date_input(LABEL["date"], value=min(today, datetime.date(year, 12, 31)), format="YYYY-MM-DD",
                        key="progress_date")
        middle.number_input(LABEL["amount"], min_value=1, value=1, step=1, key="progress_amount")
        right.radio(LABEL["confidentiality"], CONFIDENTIALITY, index=None, horizontal=True, key="progress_secrecy")
        st.text_area(LABEL["description"], key="progress_description",
                     placeholder="Till exempel: riktad insats mot narkotikaförsäljning i Vasaparken.")
        st.form_submit_button("Spara", type="primary", key="progress_save",
                              on_click=ui.form_saver("progress", save_progress, FORM_KEYS, clear=FORM_KEYS))
        ui.form_feedback("progress")
ui.remove_control("pledge_progress", {int(r.id): f"{date(r.date)} · {r.description[:80]}" for r in progress.itertuples()},
                  "progress_remove", "ett framsteg")
