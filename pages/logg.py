import datetime

import streamlit as st

import ui
from lagesbild.views import logg as view

engine = ui.frame("Logg", needs="läsa_logg")
st.title("Ändringslogg")
st.caption("Varje ändring i lägesbilden: vem, när, vad, och uppgiften före och efter. Borttaget finns kvar och "
           "kan återställas här.")
me = ui.actor()
today = datetime.date.today()
state = st.session_state

if message := state.pop("log_saved", None):
    st.success(message, icon=":material/check_circle:")

st.header("Borttaget")
removed = ui.cached(view.load_removed, me)
if removed.empty:
    st.caption("Inget är borttaget.")
else:
    labels = view.removed_choices(removed)
    pick = st.selectbox("Välj det som ska återställas", list(labels), format_func=labels.get, key="restore_pick")

    def restore(choice: str) -> None:
        state["log_saved"] = view.restore(engine, choice, labels[choice], ui.actor())

    st.button("Återställ", key="restore_go", on_click=ui.safe_callback(restore), args=(pick,), icon=":material/restore:", type="primary")

st.header("Ändringar")
people, tables, actions, dates = st.columns(4)
who = people.selectbox("Vem", ui.cached(view.log_people), index=None, key="log_who", placeholder="Alla")
table = tables.selectbox("Vad", list(view.TABLE_NAMES), index=None, format_func=view.TABLE_NAMES.get, key="log_table",
                         placeholder="Allt")
action = actions.selectbox("Händelse", list(view.ACTIONS), index=None, key="log_action", placeholder="Alla")
span = dates.date_input("Från och med – till och med", view.default_span(today), format="YYYY-MM-DD", key="log_dates")
since, until = view.chosen_span(span)
log = ui.cached(view.load_log, me, who, table, action, since, until)
if log.empty:
    st.info("Inga ändringar för det här urvalet.")
else:
    # st.dataframe shows typed text as text, never as HTML or Markdown.
    st.dataframe(view.log_table(log), hide_index=True, width="stretch")
    st.caption(view.count_text(log))
