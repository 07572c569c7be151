import datetime

import pandas as pd
import streamlit as st

import ui
from lagesbild import agenda, params, report, snapshots
from lagesbild.formatting import date

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
/* No chart toolbar (fullscreen, download) on a slide. */
[data-testid="stElementToolbar"], .vega-embed details { display: none !important; }
</style>
"""

AGENDA_COLUMNS = {
    "nr": st.column_config.NumberColumn("Nr", width="small", min_value=1, step=1, help="Bildens plats i ordningen."),
    "typ": st.column_config.SelectboxColumn("Typ av bild", options=list(agenda.KINDS), required=True, width="medium",
                                            format_func=lambda kind: agenda.KIND_LABELS.get(kind, kind),
                                            help="Vad bilden visar; se listan under tabellen."),
    "rubrik": st.column_config.TextColumn("Rubrik", width="medium", required=True),
    "källa": st.column_config.TextColumn("Källa", width="small",
                                         help="Bara för Samverkansaktivitet och Statistik; se listan under tabellen."),
    "text": st.column_config.TextColumn("Text", width="large",
                                        help="En punkt per rad. En kort rad som slutar med kolon blir en underrubrik."),
}

engine = ui.frame("Rådsmöte", presenter=True)
settings = ui.settings()


def go_to(**values: str) -> None:
    st.query_params.clear()
    st.query_params.update(values)


def choose_date() -> None:
    """The date picked here becomes "Läget per" for every page, and the address says it."""
    picked = st.session_state.get("meeting_date")
    if picked:
        ui.set_as_of(picked)
        go_to(datum=picked.isoformat())


snapshot, date_notice = None, None
if "ogonblick" in st.query_params:
    # Not cached: the checksum is checked against the row as stored now, in case it was altered outside the app.
    snapshot_id = params.record_id(st.query_params["ogonblick"])
    snapshot = None if snapshot_id is None else snapshots.load_snapshot(engine, snapshot_id)
    if snapshot is None:
        st.error("Den låsta lägesbilden finns inte.", icon=":material/error:")
        st.button("Till rådsmötet", on_click=go_to, key="missing_back")
        st.stop()
    deck = snapshot.deck
    notice = deck.notice
else:
    date_notice = params.meeting_date(st.query_params.get("datum"), datetime.date.today())[1]
    meeting_date = ui.as_of(engine)  # "Läget per": ?datum= in the address, the session's choice, or the default
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


ANSWER_KEYS = ("answer_org", *(f"answer_{i}" for i in range(len(agenda.QUESTIONS))))


def save_answer() -> str:
    agenda.add_answer(engine, deck.meeting_date, *(st.session_state.get(k, "") for k in ANSWER_KEYS),
                      datetime.datetime.now(), by=ui.actor())
    return f"Svaret från {st.session_state.get('answer_org', '').strip()} är antecknat."


def save_agenda() -> str:
    agenda.save_agenda(engine, st.session_state["agenda_edited"], by=ui.actor())
    del st.session_state["agenda_editor"]  # the saved agenda is the editor's new starting point
    return "Dagordningen är sparad."


def lock_deck() -> None:
    snapshot_id = snapshots.lock(engine, deck, datetime.datetime.now(), by=ui.actor())
    st.session_state["locked"] = snapshots.load_snapshot(engine, snapshot_id).describe()


if "bild" not in st.query_params:
    # ------------------------------------------------------------------ preparation, before the meeting
    st.title("Rådsmöte")
    st.page_link("pages/oversikt.py", label="Till översikten", icon=":material/arrow_back:")
    if notice:
        st.warning(notice, icon=":material/info:")
    if date_notice:
        st.info(date_notice, icon=":material/event_busy:")
    st.caption("Lägesbilden som bildspel för rådsmötet: dagordningen visas en bild i taget, med endast öppet "
               "material oavsett vem som är inloggad. Bläddra med knapparna, piltangenterna eller en "
               "presentationspekare (PageUp/PageDown).")
    if deck.slides == [] and not snapshot:
        st.info("Dagordningen är tom.")
        if ui.may("redigera"):
            st.button("Läs in dagordningen från data/dagordning.csv", key="agenda_default",
                      on_click=ui.safe_callback(agenda.load_default_agenda), args=(engine,), kwargs={"by": ui.actor()})
        st.stop()
    left, right = st.columns([1, 2], gap="large")
    with left:
        if snapshot:
            st.info(snapshot.describe(), icon=":material/lock:")
            st.button("Visa den låsta lägesbilden", type="primary", on_click=go_to,
                      kwargs={**where, "bild": "1"}, key="start", icon=":material/co_present:")
            st.button("Tillbaka till dagens lägesbild", on_click=go_to, key="leave_snapshot")
        else:
            chosen = st.date_input("Läget per (mötesdatum)", value=deck.meeting_date, format="YYYY-MM-DD",
                                   key="meeting_date", on_change=choose_date,
                                   help="Lägesbilden visas som den var detta datum, på alla sidor; förändringar "
                                        "räknas från föregående rådsmöte.")
            st.caption(f"{ui.as_of_text(deck.meeting_date)}. Föregående rådsmöte: {date(deck.since) or 'inget registrerat'}.")
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
            st.button("Ta bort svaret", on_click=ui.safe_callback(agenda.delete_answer), args=(engine, picked),
                      kwargs={"by": ui.actor()}, key="answer_delete", icon=":material/delete:")
    with right:
        st.subheader("Dagordning")
        st.caption("Varje punkt blir en bild, i nummerordning. Ändra i tabellen och spara; "
                   "rader läggs till längst ned.")
        if snapshot or not ui.may("redigera"):
            st.dataframe(pd.DataFrame({"Nr": [s.number for s in deck.slides],
                                       "Rubrik": [s.title for s in deck.slides]}), hide_index=True)
        else:
            editable = ui.load("agenda")
            editable["text"] = editable["text"].map(agenda.editable_text)
            edited = st.data_editor(editable, num_rows="dynamic", hide_index=True,
                                    column_config=AGENDA_COLUMNS, key="agenda_editor")
            st.session_state["agenda_edited"] = edited
            st.button("Spara dagordningen", key="agenda_save",
                      on_click=ui.form_saver("agenda", save_agenda, ("agenda_edited",)))
            ui.form_feedback("agenda")
            with st.expander("Vad varje typ av punkt visar"):
                st.markdown("\n".join(f"- **{agenda.KIND_LABELS.get(kind, kind)}** – {about}"
                                       for kind, about in agenda.KINDS.items()))
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
number = params.slide_number(st.query_params.get("bild"), total)
if date_notice:
    st.toast(date_notice, icon=":material/event_busy:")
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
    st.toast("Lägesbilden är låst.", icon=":material/lock:")  # short: a long toast adds an English "view more"

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
                st.form_submit_button("Spara svaret", type="primary", key="answer_save",
                                      on_click=ui.form_saver("answer", save_answer, ANSWER_KEYS, clear=ANSWER_KEYS))
                ui.form_feedback("answer")
    with st.popover("Meny", icon=":material/menu:"):
        if not snapshot and ui.may("låsa_lägesbild"):
            st.button("Lås lägesbilden", on_click=ui.safe_callback(lock_deck), key="lock", icon=":material/lock:",
                      help="Sparar exakt det som visas, med datum och kontrollsumma, för protokollet.")
        exports("menu")
        st.button("Avsluta bildspelet", on_click=go_to, kwargs=where, key="slide_exit", icon=":material/close:")
    if notice:
        # In the bar, so that the notice is on screen whatever the slide's length.
        st.warning(notice, icon=":material/info:", width="stretch")
