import streamlit as st

import ui
from lagesbild.views import radsmote as view, report

engine = ui.frame("Rådsmöte", presenter=True)
state, query = st.session_state, st.query_params


def go_to(**values: str) -> None:
    query.from_dict(values)


def choose_date() -> None:
    """The date picked here becomes "Läget per" for every page, and the address says it."""
    if picked := state.get("meeting_date"):
        ui.set_as_of(picked)
        go_to(datum=picked.isoformat())


snapshot, date_notice = None, None
if "ogonblick" in query:
    snapshot = view.open_snapshot(engine, query["ogonblick"])
    if snapshot is None:
        st.error(view.MISSING_SNAPSHOT, icon=":material/error:")
        st.button("Till rådsmötet", on_click=go_to, key="missing_back")
        st.stop()
    deck, notice = snapshot.deck, snapshot.deck.notice
else:
    date_notice = view.date_notice(query.get("datum"))
    # "Läget per": ?datum= in the address, the session's choice, or the default. Rebuilt whenever the data
    # changes (the version moves), shared by every session showing the same meeting.
    deck = ui.cached(view.build_deck, ui.as_of(engine), ui.settings().min_answers, ui.settings().area)
    notice = ui.example_notice(engine)
where = view.address(deck, snapshot)


def exports(prefix: str) -> None:
    for d in view.downloads(deck, snapshot):
        st.download_button(d.label, d.data, d.file_name, mime=d.mime, icon=d.icon, key=f"{prefix}_{d.key}")


if "bild" not in query:
    # ------------------------------------------------------------------ preparation, before the meeting
    st.title("Rådsmöte")
    st.page_link("pages/oversikt.py", label="Till översikten", icon=":material/arrow_back:")
    if notice:
        st.warning(notice, icon=":material/info:")
    if date_notice:
        st.info(date_notice, icon=":material/event_busy:")
    st.caption(view.INTRO)
    if deck.slides == [] and not snapshot:
        st.info("Dagordningen är tom.")
        if ui.may("redigera"):
            st.button("Läs in dagordningen från data/dagordning.csv", key="agenda_default",
                      on_click=ui.safe_callback(view.load_default_agenda), args=(engine,), kwargs={"by": ui.actor()})
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
                                   key="meeting_date", on_change=choose_date, help=view.DATE_HELP)
            st.caption(f"{ui.as_of_text(deck.meeting_date)}. {view.previous_meeting_text(deck)}")
            st.button("Starta presentationen", type="primary", on_click=go_to,
                      kwargs={"datum": chosen.isoformat(), "bild": "1"}, key="start", icon=":material/co_present:")
        with st.container(horizontal=True):
            exports("prep")
        if not snapshot:  # a slip of the pen during the meeting; shown only to a role that may remove
            ui.remove_control("round_answer", view.answer_choices(ui.cached(view.load_answers, deck.meeting_date)),
                              "answer_pick", view.answers_label(deck))
    with right:
        st.subheader("Dagordning")
        st.caption(view.AGENDA_INTRO)
        if snapshot or not ui.may("redigera"):
            st.dataframe(view.agenda_titles(deck), hide_index=True)
        else:
            columns = {name: getattr(st.column_config, kind)(**about)
                       for name, (kind, about) in view.AGENDA_COLUMNS.items()}
            state["agenda_edited"] = st.data_editor(view.editable_agenda(ui.load("agenda")), num_rows="dynamic",
                                                    hide_index=True, column_config=columns, key="agenda_editor")
            # Cleared once saved: the saved agenda is the editor's new starting point.
            st.button("Spara dagordningen", key="agenda_save", on_click=ui.form_saver(
                "agenda", lambda: view.save_agenda(engine, state["agenda_edited"], by=ui.actor()), ("agenda_edited",),
                clear=("agenda_editor",)))
            ui.form_feedback("agenda")
            with st.expander("Vad varje typ av punkt visar"):
                st.markdown(view.KIND_HELP)
    st.subheader("Låsta lägesbilder")
    locked = ui.load("snapshots")
    if locked.empty:
        st.caption(view.NO_SNAPSHOTS)
    for row in locked.itertuples():
        st.button(view.snapshot_label(row), on_click=go_to, kwargs={"ogonblick": str(row.id)}, key=f"open_{row.id}",
                  type="tertiary", icon=":material/lock:")
    st.stop()

# ---------------------------------------------------------------------- the slides
total = len(deck.slides)
if total == 0:
    st.info("Dagordningen är tom.")
    st.button("Till förberedelserna", on_click=go_to, kwargs=where, key="empty_back")
    st.stop()
number = view.slide_number(query.get("bild"), total)
if date_notice:
    st.toast(date_notice, icon=":material/event_busy:")
slide = deck.slides[number - 1]
st.html(view.ROOM_CSS)
st.html(report.head_html(slide))
columns = st.columns(slide.widths, gap="large") if len(slide.columns) > 1 else [st.container()]
for column, blocks in zip(columns, slide.columns):
    with column:
        for part in report.column_parts(slide, blocks):
            if isinstance(part, str):
                st.html(part)
            else:  # the chart's own configuration (18 px labels) rather than Streamlit's smaller theme
                st.vega_lite_chart(spec=part["spec"], width="stretch", theme=None, alt=part["description"])
if slide.source:
    st.html(report.source_html(slide))
if snapshot:
    st.caption(snapshot.describe())
if state.pop("locked", None):
    st.toast("Lägesbilden är låst.", icon=":material/lock:")  # short: a long toast adds an English "view more"

previous, following, *clicker = view.slide_buttons(where, number, total)
with st.container(horizontal=True, vertical_alignment="center", wrap=False, key="slide_nav"):
    st.button(on_click=go_to, **previous)
    st.markdown(f"**{number} / {total}**", width="content")
    for button in (following, *clicker):  # the clicker's PageUp/PageDown: hidden buttons whose shortcuts work
        st.button(on_click=go_to, **button)
    if slide.kind == "laget_runt" and not snapshot and ui.may("registrera"):
        with st.popover("Anteckna svar", icon=":material/edit_note:"), st.form("answer_form"):
            st.text_input("Organisation", key="answer_org")
            for i, question in enumerate(view.QUESTIONS):
                st.text_area(question, key=f"answer_{i}", height=90)
            st.caption(view.PRIVACY_REMINDER)
            st.form_submit_button("Spara svaret", type="primary", key="answer_save", on_click=ui.form_saver(
                "answer", lambda: view.save_answer(engine, deck.meeting_date, state, by=ui.actor()), view.ANSWER_KEYS,
                clear=view.ANSWER_KEYS))
            ui.form_feedback("answer")
    with st.popover("Meny", icon=":material/menu:"):
        if not snapshot and ui.may("låsa_lägesbild"):
            st.button("Lås lägesbilden", key="lock", icon=":material/lock:", help=view.LOCK_HELP,
                      on_click=ui.safe_callback(lambda: state.update(locked=view.lock(engine, deck, by=ui.actor()))))
        exports("menu")
        st.button("Avsluta bildspelet", on_click=go_to, kwargs=where, key="slide_exit", icon=":material/close:")
    if notice:  # in the bar, so that the notice is on screen whatever the slide's length
        st.warning(notice, icon=":material/info:", width="stretch")
