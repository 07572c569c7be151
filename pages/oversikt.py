import streamlit as st

import ui
from lagesbild import asof, cooperation, pledges, surveys
from lagesbild.formatting import markdown_escape as md
from lagesbild.formatting import date, number, percent

# The two headline series; each is named by the indicator catalogue, as on Trender (one name per indicator).
HEADLINES = [("medborgarundersokningen", "trygg_kvall"), ("stockholmsenkaten", "trygg_ute_sent")]

engine = ui.frame("Översikt")
st.title("Lägesbild Norrmalm")
today = ui.as_of(engine)
st.caption("Norrmalms trygghets- och säkerhetsråd: stadsdelsförvaltningens och lokalpolisens gemensamma lägesbild. "
           f"**{ui.as_of_text(today)}**.")
settings = ui.settings()
internal = ui.show_internal()

results = ui.load("results")
# What was known on the chosen day: nothing dated after it, "sedan rådsmötet" from the meeting before it.
meetings = asof.up_to(ui.load("meetings", include_internal=internal), today)
last_meeting = asof.previous_council_meeting(meetings, today)
pledge_frame = ui.load("pledges")
progress = asof.up_to(ui.load("progress", include_internal=internal), today)
observations = asof.up_to(ui.load("observations", include_internal=internal), today)
actions = asof.actions_up_to(ui.load("actions", include_internal=internal), today)
place_frame = ui.load("places")
scope = "Även internt material." if internal else "Endast öppet material."

pledge_tile, survey_tile = st.columns([3, 2], gap="medium")
with pledge_tile.container(border=True, height="stretch"):
    if pledge_frame.empty:
        st.subheader("Medborgarlöften")
        st.info("Inga medborgarlöften är registrerade.")
    else:
        year = pledges.default_year(pledge_frame["year"], today)
        status = pledges.with_status(pledge_frame[pledge_frame["year"] == year], progress, today)
        st.subheader(f"Medborgarlöften {year}")
        started = bool(status["year_started"].all())
        if not started:
            st.markdown(f"**Löftesåret {year} har inte börjat än.**")  # as slide 17 says: no status yet
        for row in status.itertuples():
            pill = pledges.status_html(row.status) + " " if row.year_started else ""
            st.markdown(f"{pill}**{row.done} av {row.target}** {md(row.unit)}  \n"
                        f"{row.number}\\. {md(pledges.short_text(row.text))}", unsafe_allow_html=True)
        latest = progress[progress["pledge_id"].isin(status["id"])]["date"]
        st.caption(f"Källa: medborgarlöftena {year} och de framsteg som registrerats, "
                   f"{'senast ' + date(max(latest)) if len(latest) else 'inga registrerade än'}. "
                   f"Status per {date(today)}{' (året är slut)' if year < today.year else ''}. {scope}")

with survey_tile.container(border=True, height="stretch"):
    st.subheader("Upplevd trygghet")
    catalogue = ui.load("indicators")
    indicator_names = dict(zip(zip(catalogue["survey"], catalogue["indicator"]), catalogue["name"]))
    for survey, indicator in HEADLINES:
        label = f"{indicator_names.get((survey, indicator), indicator)}, Norrmalm"
        outcome = ui.derived(pledges.outcome, ui.Table("results"), survey, indicator, "Norrmalm", settings.min_answers)
        if outcome is None:
            st.info(f"{label}: inga svar ännu.")
            continue
        delta = None if outcome.change is None else \
            f"{number(outcome.change, 1)} procentenheter sedan {outcome.previous_year}"
        # The delta has a real minus sign ("−2,0"), which Streamlit does not read as negative: say the arrow.
        arrow = "off" if not outcome.change else ("down" if outcome.change < 0 else "up")
        st.metric(label, percent(outcome.share), delta, delta_color="off", delta_arrow=arrow)
        verdict = "" if outcome.significant is None else \
            (" Förändringen är statistiskt säkerställd." if outcome.significant else
             " Förändringen är inte statistiskt säkerställd.")
        st.caption(f"Källa: {surveys.SURVEY_BY_ID[survey].name} {outcome.year} (senaste mätningen), "
                   f"{number(outcome.n)} svar, 95 % konfidensintervall {percent(outcome.low)}–{percent(outcome.high)}."
                   f"{verdict}{' Exempeldata.' if outcome.is_example else ''}")

activity_tile, followup_tile = st.columns([2, 3], gap="medium")
with activity_tile.container(border=True, height="stretch"):
    recent = cooperation.places_active_since(observations, actions, last_meeting)
    st.subheader("Otrygga platser")
    st.metric(f"Platser med ny aktivitet sedan rådsmötet {date(last_meeting)}" if last_meeting else
              "Platser med aktivitet", len(recent))
    shown = recent if len(recent) else cooperation.places_active_since(observations, actions, None).head(4)
    if len(shown):
        st.markdown(("" if len(recent) else "Senast aktiva: ")
                    + " · ".join(f"**{md(name)}** ({date(when)})" for name, when in shown.items()))
    newest = max([*observations["date"], *actions["date"]], default=None)
    st.caption(f"Källa: iakttagelser och åtgärder i platsregistret, den senaste {date(newest) or '–'}. "
               f"Senaste rådsmöte före {date(today)}: {date(last_meeting) or 'inget registrerat'}. {scope}")

with followup_tile.container(border=True, height="stretch"):
    st.subheader("Nästa uppföljningar")
    dated = place_frame[place_frame["next_followup"].notna()].sort_values("next_followup")
    if dated.empty:
        st.info("Inga uppföljningar är planerade.")
    for row in dated.head(6).itertuples():
        passed = " *(passerat)*" if row.next_followup < today else ""
        st.markdown(f"**{date(row.next_followup)}**{passed} · **{md(row.name)}** – "
                    f"{md(pledges.short_text(row.next_step.splitlines()[0] if row.next_step else '', 90))}")
    all_passed = len(dated) and max(dated["next_followup"]) < today
    st.caption(f"Källa: platsregistret, nästa uppföljning per plats; {len(dated)} platser har ett datum satt."
               + (" Alla datum har passerat: registret behöver uppdateras." if all_passed else ""))
