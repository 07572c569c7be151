import datetime

import pandas as pd
import streamlit as st

import ui
from lagesbild import agenda, report, snapshots
from lagesbild.formatting import date
from lagesbild.problems import InputError

# The meeting room: a fixed bar at the bottom for Föregående/Nästa, type sized for the back of the room.
NAV_CSS = """
<style>
.st-key-slide_nav { position: fixed; left: 0; right: 0; bottom: 0; z-index: 990; background: #ffffff;
  border-top: 1px solid #e3e7ec; padding: 0.5rem 2.5rem; }
.st-key-slide_nav p { font-size: 1.2rem; }
.st-key-slide_nav .stAlert { flex: 1 1 0; }
.st-key-slide_nav .stAlert > div { padding: 0.45rem 0.8rem; }
.st-key-slide_nav .stAlert p { font-size: 0.95rem !important; }
.st-key-slide_pagedown, .st-key-slide_pageup { display: none !important; }
.block-container { padding-bottom: 6rem !important; }
</style>
"""

AGENDA_COLUMNS = {
    "nr": st.column_config.NumberColumn(width="small", min_value=1, step=1),
    "typ": st.column_config.SelectboxColumn(options=list(agenda.KINDS), required=True, width="small"),
    "rubrik": st.column_config.TextColumn(width="medium", required=True),
    "källa": st.column_config.TextColumn(width="small"),
    "text": st.column_config.TextColumn(width="large"),
}

engine = ui.frame("Rådsmöte", presenter=True)
settings = ui.settings()
today = datetime.date.today()


def param_date(value: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def go_to(**params: str) -> None:
    st.query_params.clear()
    st.query_params.update(params)


snapshot = None
if "ogonblick" in st.query_params:
    # Not cached: the checksum is checked against the row as stored now, in case it was altered outside the app.
    snapshot = snapshots.load_snapshot(engine, int(st.query_params["ogonblick"])) \
        if st.query_params["ogonblick"].isdigit() else None
    if snapshot is None:
        st.error("Den låsta lägesbilden finns inte.", icon=":material/error:")
        st.button("Till rådsmötet", on_click=go_to, key="missing_back")
        st.stop()
    deck = snapshot.deck
    notice = deck.notice
else:
    meeting_date = param_date(st.query_params.get("datum")) or ui.cached(agenda.default_meeting_date, today)
    # Rebuilt whenever the data changes (the version moves), shared by every session showing the same meeting.
    deck = ui.cached(agenda.build_deck, meeting_date, settings.min_answers)
    notice = ui.example_notice(engine)
where = {"ogonblick": str(snapshot.id)} if snapshot else {"datum": deck.meeting_date.isoformat()}


def exports(prefix: str) -> None:
    name = f"lagesbild-{deck.meeting_date.isoformat()}"
    note = snapshot.describe() if snapshot else None
    st.download_button("PowerPoint", lambda: report.pptx_bytes(deck), f"{name}.pptx", key=f"{prefix}_pptx",
                       mime="application/vnd.openxmlformats-officedocument.presentationml.presentation",
                       icon=":material/slideshow:")
    st.download_button("PDF-underlag", lambda: report.pdf_bytes(deck, note), f"{name}.pdf", key=f"{prefix}_pdf",
                       mime="application/pdf", icon=":material/picture_as_pdf:")


def save_answer() -> None:
    keys = ["answer_org", *(f"answer_{i}" for i in range(len(agenda.QUESTIONS)))]
    try:
        agenda.add_answer(engine, deck.meeting_date, *(st.session_state.get(k, "") for k in keys),
                          datetime.datetime.now(), by=ui.actor())
    except InputError as error:
        st.session_state["answer_error"] = error  # shown in the form; what was typed stays for correcting
    else:
        for key in keys:
            st.session_state[key] = ""


def save_agenda() -> None:
    try:
        agenda.save_agenda(engine, st.session_state["agenda_edited"], by=ui.actor())
    except InputError as error:
        st.session_state["agenda_error"] = error
    else:
        st.session_state["agenda_saved"] = "Dagordningen är sparad."
        del st.session_state["agenda_editor"]  # the saved agenda is the editor's new starting point


def lock_deck() -> None:
    snapshot_id = snapshots.lock(engine, deck, datetime.datetime.now(), by=ui.actor())
    st.session_state["locked"] = snapshots.load_snapshot(engine, snapshot_id).describe()


if "bild" not in st.query_params:
    # ------------------------------------------------------------------ preparation, before the meeting
    st.title("Rådsmöte")
    st.page_link("pages/oversikt.py", label="Till översikten", icon=":material/arrow_back:")
    if notice:
        st.warning(notice, icon=":material/info:")
    st.caption("Lägesbilden som bildspel för rådsmötet: dagordningen visas en bild i taget, med endast öppet "
               "material oavsett vem som är inloggad. Bläddra med knapparna, piltangenterna eller en "
               "presentationspekare (PageUp/PageDown).")
    if deck.slides == [] and not snapshot:
        st.info("Dagordningen är tom.")
        if ui.may("redigera"):
            st.button("Läs in dagordningen från data/dagordning.csv", key="agenda_default",
                      on_click=agenda.load_default_agenda, args=(engine,), kwargs={"by": ui.actor()})
        st.stop()
    left, right = st.columns([1, 2], gap="large")
    with left:
        if snapshot:
            st.info(snapshot.describe(), icon=":material/lock:")
            st.button("Visa den låsta lägesbilden", type="primary", on_click=go_to,
                      kwargs={**where, "bild": "1"}, key="start", icon=":material/co_present:")
            st.button("Tillbaka till dagens lägesbild", on_click=go_to, key="leave_snapshot")
        else:
            chosen = st.date_input("Mötesdatum", value=deck.meeting_date, format="YYYY-MM-DD", key="meeting_date",
                                   help="Lägesbilden visas som den var detta datum; förändringar räknas från "
                                        "föregående rådsmöte.")
            st.caption(f"Föregående rådsmöte: {date(deck.since) or 'inget registrerat'}.")
            st.button("Starta presentationen", type="primary", on_click=go_to,
                      kwargs={"datum": chosen.isoformat(), "bild": "1"}, key="start", icon=":material/co_present:")
        with st.container(horizontal=True):
            exports("prep")
        answers = ui.cached(agenda.load_answers, deck.meeting_date)
        if not snapshot and len(answers) and ui.may("ta_bort"):
            st.subheader("Laget runt")
            names = dict(zip(answers["id"], answers["organisation"]))
            picked = st.selectbox(f"Antecknade svar {date(deck.meeting_date)}", list(names), format_func=names.get,
                                  key="answer_pick")
            st.button("Ta bort svaret", on_click=agenda.delete_answer, args=(engine, picked),
                      kwargs={"by": ui.actor()}, key="answer_delete", icon=":material/delete:")
    with right:
        st.subheader("Dagordning")
        st.caption("Varje punkt blir en bild, i nummerordning. Ändra i tabellen och spara; "
                   "rader läggs till längst ned.")
        if snapshot or not ui.may("redigera"):
            st.dataframe(pd.DataFrame({"Nr": [s.number for s in deck.slides],
                                       "Rubrik": [s.title for s in deck.slides]}), hide_index=True)
        else:
            edited = st.data_editor(ui.load("agenda"), num_rows="dynamic", hide_index=True,
                                    column_config=AGENDA_COLUMNS, key="agenda_editor")
            st.session_state["agenda_edited"] = edited
            st.button("Spara dagordningen", key="agenda_save", on_click=save_agenda)
            if saved := st.session_state.pop("agenda_saved", None):
                st.success(saved, icon=":material/check_circle:")
            if error := st.session_state.pop("agenda_error", None):
                ui.show_input_error(error)
            with st.expander("Vad varje typ av punkt visar"):
                st.markdown("\n".join(f"- **{kind}** – {about}" for kind, about in agenda.KINDS.items()))
    st.subheader("Låsta lägesbilder")
    locked = ui.load("snapshots")
    if locked.empty:
        st.caption("Ingen lägesbild är låst än. Lås den under mötet i bildspelets meny.")
    for row in locked.itertuples():
        st.button(f"{date(row.meeting_date)} – låst {row.locked_at:%Y-%m-%d %H:%M}, "
                  f"kontrollsumma {row.sha256[:12]}…",
                  on_click=go_to, kwargs={"ogonblick": str(row.id)}, key=f"open_{row.id}", type="tertiary",
                  icon=":material/lock:")
    st.stop()

# ---------------------------------------------------------------------- the slides
total = len(deck.slides)
if total == 0:
    st.info("Dagordningen är tom.")
    st.button("Till förberedelserna", on_click=go_to, kwargs=where, key="empty_back")
    st.stop()
raw = st.query_params.get("bild", "1")
number = min(max(int(raw) if raw.isdigit() else 1, 1), total)
slide = deck.slides[number - 1]
st.html(report.SLIDE_CSS + NAV_CSS)
st.html(report.head_html(slide))
columns = st.columns(slide.widths, gap="large") if len(slide.columns) > 1 else [st.container()]
for column, blocks in zip(columns, slide.columns):
    with column:
        for part in report.column_parts(slide, blocks):
            if isinstance(part, str):
                st.html(part)
            else:
                # The chart's own configuration (18 px labels) rather than Streamlit's smaller theme.
                st.vega_lite_chart(spec=part["spec"], width="stretch", theme=None, alt=part["description"])
if slide.source:
    st.html(report.source_html(slide))
if snapshot:
    st.caption(snapshot.describe())
if locked := st.session_state.pop("locked", None):
    st.toast(locked, icon=":material/lock:")

with st.container(horizontal=True, vertical_alignment="center", wrap=False, key="slide_nav"):
    st.button("Föregående", on_click=go_to, kwargs={**where, "bild": str(max(number - 1, 1))}, key="slide_prev",
              disabled=number == 1, icon=":material/arrow_back:", shortcut="Left")
    st.markdown(f"**{number} / {total}**", width="content")
    st.button("Nästa", on_click=go_to, kwargs={**where, "bild": str(min(number + 1, total))}, key="slide_next",
              disabled=number == total, icon=":material/arrow_forward:", icon_position="right", shortcut="Right",
              type="primary")
    # What a presentation clicker sends; the buttons are hidden, their shortcuts work.
    st.button("Föregående", on_click=go_to, kwargs={**where, "bild": str(max(number - 1, 1))}, key="slide_pageup",
              shortcut="PageUp")
    st.button("Nästa", on_click=go_to, kwargs={**where, "bild": str(min(number + 1, total))}, key="slide_pagedown",
              shortcut="PageDown")
    if slide.kind == "laget_runt" and not snapshot and ui.may("registrera"):
        with st.popover("Anteckna svar", icon=":material/edit_note:"):
            with st.form("answer_form"):
                st.text_input("Organisation", key="answer_org")
                for i, question in enumerate(agenda.QUESTIONS):
                    st.text_area(question, key=f"answer_{i}", height=90)
                st.caption("Skriv aldrig namn, personnummer eller kontaktuppgifter: lägesbilden ska vara generell.")
                st.form_submit_button("Spara svaret", type="primary", on_click=save_answer)
                if error := st.session_state.pop("answer_error", None):
                    ui.show_input_error(error)
    with st.popover("Meny", icon=":material/menu:"):
        if not snapshot and ui.may("låsa_lägesbild"):
            st.button("Lås lägesbilden", on_click=lock_deck, key="lock", icon=":material/lock:",
                      help="Sparar exakt det som visas, med datum och kontrollsumma, för protokollet.")
        exports("menu")
        st.button("Avsluta bildspelet", on_click=go_to, kwargs=where, key="slide_exit", icon=":material/close:")
    if notice:
        # In the bar, so that the notice is on screen whatever the slide's length.
        st.warning(notice, icon=":material/info:", width="stretch")
