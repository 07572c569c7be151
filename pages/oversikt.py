import streamlit as st

import ui
from lagesbild import cooperation, pledges, places, surveys
from lagesbild.formatting import date, number, percent

engine = ui.frame("Översikt")
st.title("Lägesbild Norrmalm")
st.caption("Norrmalms trygghets- och säkerhetsråd: stadsdelsförvaltningens och lokalpolisens gemensamma lägesbild.")

results = surveys.load_results(engine)
meetings = cooperation.load_meetings(engine)
last_meeting = cooperation.last_council_meeting(meetings)

st.subheader("Upplevd trygghet")
columns = st.columns(2)
for column, (survey, indicator, label) in zip(columns, [
        ("medborgarundersokningen", "trygg_kvall", "Trygga ensamma hem på kvällen, Norrmalm"),
        ("stockholmsenkaten", "trygg_ute_sent", "Elever trygga ute sent en kväll, Norrmalm")]):
    head = surveys.latest_change(results, survey, indicator, "Norrmalm")
    if head is None:
        column.info(f"{label}: inga svar ännu.")
        continue
    delta = None if head["change"] is None else f"{number(head['change'], 1)} procentenheter sedan {head['previous_year']}"
    column.metric(label, percent(head["share"]), delta, delta_color="off")
    column.caption(f"{surveys.SURVEY_BY_ID[survey].name} {head['year']}, {number(head['n'])} svar.")

st.subheader("Medborgarlöften")
pledge_frame = pledges.load_pledges(engine)
if pledge_frame.empty:
    st.info("Inga medborgarlöften är registrerade.")
else:
    year = int(pledge_frame["year"].max())
    for row in pledge_frame[pledge_frame["year"] == year].itertuples():
        st.markdown(f"**{row.number}.** {row.text}  \n{row.done} av {row.target} {row.unit} ({row.responsible}, {year})")

st.subheader("Otrygga platser")
observations = places.load_observations(engine)
place_frame = places.load_places(engine)
since = last_meeting or observations["date"].min()
recent = observations[observations["date"] >= since] if since is not None else observations
left, right = st.columns(2)
left.metric("Platser med nya iakttagelser sedan senaste rådsmötet", len(recent["place"].unique()))
left.caption(f"Senaste rådsmöte: {date(last_meeting) or 'inget registrerat'}. Endast öppet material.")
followups = place_frame[place_frame["next_followup"].notna()].sort_values("next_followup")
right.markdown("**Nästa uppföljningar**")
right.dataframe(followups[["next_followup", "name", "next_step"]].rename(columns={
    "next_followup": "Datum", "name": "Plats", "next_step": "Hur fortsätter vi"}), hide_index=True)
