import datetime

import streamlit as st

import ui
from lagesbild import asof, cooperation
from lagesbild.formatting import markdown_escape as md
from lagesbild.formatting import date
from lagesbild.places import CONFIDENTIALITY

LABEL = cooperation.MEETING_FORM
FORM_KEYS = ("meeting_forum", "meeting_date", "meeting_done", "meeting_next", "meeting_secrecy")


def lines(text: str) -> str:
    """Typed text with one bullet per line, escaped so that it is shown exactly as written."""
    return "\n".join(f"- {md(line)}" for line in text.splitlines() if line.strip())


engine = ui.frame("Samverkan")
st.title("Samverkan")
on = ui.as_of(engine)  # the follow-up as of "Läget per"; `today` only bounds what the form accepts
st.caption("Samverkansöverenskommelsen mellan stadsdelsförvaltningen och lokalpolisområde Norrmalm: "
           f"vem som träffas och hur ofta, vad har vi gjort och hur fortsätter vi. **{ui.as_of_text(on)}**.")
settings = ui.settings()
today = datetime.date.today()
forums = ui.load("forums")
meetings = asof.up_to(ui.load("meetings", include_internal=ui.show_internal()), on)
place_frame = ui.load("places")

years = sorted(set(cooperation.meeting_years(meetings)) | {on.year}, reverse=True)
if st.session_state.get("coop_year") not in years:
    # Default: the latest year with meetings, so that the page opens on a year with something to show.
    st.session_state["coop_year"] = (cooperation.meeting_years(meetings) or years)[0]
year = st.columns(5)[0].selectbox("År", years, key="coop_year", placeholder="Välj")
summary = cooperation.follow_up(forums, meetings, year, on).set_index("forum_id")
st.caption(f"Möten {year}: hållna mot planerade enligt mötesfrekvensen"
           f"{'' if ui.show_internal() else '; endast öppna möten räknas och visas'}.")

st.header("Organisation")
for column, row in zip(st.columns(3), forums[forums["kind"] == "organisation"].itertuples()):
    follow = summary.loc[row.id]
    with column.container(border=True):
        held = cooperation.held_text(follow.held, follow.planned, follow.planned_so_far, year, on)
        st.markdown(f"#### {md(row.name)}\n{md(row.purpose)}\n\n**Deltagare:** {md(row.participants)}  \n"
                    f"**Mötesfrekvens:** {md(row.frequency)}  \n**Möten:** {held}")

st.header("Samverkansaktiviteter")
for row in forums[forums["kind"] == "aktivitet"].itertuples():
    follow = summary.loc[row.id]
    with st.container(border=True):
        about, count = st.columns([3, 1], gap="large")
        theme = f"*{md(row.theme)}*\n\n" if row.theme and row.theme != row.name else ""
        about.markdown(f"### {md(row.name)}\n{theme}**Mål:** {md(row.goal)}\n\n**Syfte:**\n{lines(row.purpose)}"
                       f"\n\n**Deltagare:** {md(row.participants)}  \n**Mötesfrekvens:** {md(row.frequency)}")
        count.metric(f"Möten {year}", cooperation.held_of_planned(follow.held, follow.planned), border=True,
                     help="Hållna möten av planerade enligt mötesfrekvensen.")
        count.caption(cooperation.planned_text(follow.planned, follow.planned_so_far, year, on))
        done, next_ = st.columns(2, gap="large")
        for column, title, when, text in ((done, "Vad har vi gjort", follow.done_date, follow.done),
                                          (next_, "Hur fortsätter vi", follow.next_date, follow.next)):
            column.markdown(f"**{title}** ({date(when) or 'inget registrerat'})\n\n{lines(text)}")
        owned = place_frame[place_frame["forum_id"] == row.id]
        if not owned.empty:
            st.markdown("**Platser** – öppna på kartan:")
            with st.container(horizontal=True):
                for place in owned.itertuples():
                    if st.button(md(place.name), key=f"map_{row.id}_{place.id}", icon=":material/location_on:"):
                        st.session_state["map_place"] = place.name
                        st.switch_page("pages/karta.py")
        held_in_year = cooperation.meetings_in(meetings, row.id, year)
        with st.expander(f"Alla möten {year} ({len(held_in_year)})"):
            if held_in_year.empty:
                st.caption(f"Inga möten registrerade {year}.")
            else:
                st.dataframe(held_in_year.rename(columns={"date": "Datum", "done": "Vad har vi gjort",
                                                          "next": "Hur fortsätter vi", "confidentiality": "Sekretess"})
                             [["Datum", "Vad har vi gjort", "Hur fortsätter vi", "Sekretess"]], hide_index=True)

if not ui.may("registrera"):
    st.stop()
with st.expander("Registrera ett möte", icon=":material/edit_note:"):
    st.caption("Mötet sparas direkt. Skriv aldrig namn, personnummer eller kontaktuppgifter: lägesbilden ska vara "
               "generell. Material märkt intern visas inte i standardvyn.")
    names = dict(zip(forums["id"], forums["name"]))

    def save_meeting() -> str:
        state = st.session_state
        forum_id, when, secrecy = state.get("meeting_forum"), state.get("meeting_date"), state.get("meeting_secrecy")
        cooperation.add_meeting(engine, forum_id, when, state.get("meeting_done", ""), state.get("meeting_next", ""),
                                secrecy, today, by=ui.actor())
        state["coop_year"] = when.year  # the year the new meeting is counted in
        visible = secrecy == "öppen" or ui.show_internal()
        return f"Mötet {date(when)} i {names[forum_id]} är sparat." + (
            "" if visible else " Det är märkt intern och visas bara när internt material visas.")

    with st.form("meeting_form"):
        left, middle, right = st.columns([3, 2, 2])
        left.selectbox(LABEL["forum"], list(names), format_func=names.get, key="meeting_forum")
        middle.date_input(LABEL["date"], value=today, max_value=today, format="YYYY-MM-DD", key="meeting_date")
        right.radio(LABEL["confidentiality"], CONFIDENTIALITY, index=None, horizontal=True, key="meeting_secrecy")
        st.text_area(LABEL["done"], key="meeting_done")
        st.text_area(LABEL["next"], key="meeting_next")
        st.form_submit_button("Spara", type="primary", key="meeting_save",
                              on_click=ui.form_saver("meeting", save_meeting, FORM_KEYS, clear=FORM_KEYS))
        ui.form_feedback("meeting")
ui.remove_control("meeting", {int(r.id): f"{date(r.date)} · {names.get(r.forum_id, r.forum_id)} · {(r.done or r.next)[:70]}"
                              for r in meetings.itertuples()}, "meeting_remove", "ett möte")
