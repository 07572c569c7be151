import datetime

import streamlit as st

import ui
from lagesbild import audit
from lagesbild.formatting import date

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
removed = ui.cached(audit.load_removed, me)
if removed.empty:
    st.caption("Inget är borttaget.")
else:
    labels = {f"{r.table}:{r.id}": f"{r.kind} {r.id} · {r.text} · borttagen {r.removed_at:%Y-%m-%d %H:%M} av {r.removed_by}"
              for r in removed.itertuples()}
    pick = st.selectbox("Välj det som ska återställas", list(labels), format_func=labels.get, key="restore_pick")

    def restore(choice: str) -> None:
        table, record_id = choice.split(":")
        audit.restore(engine, table, int(record_id), ui.actor())
        state["log_saved"] = f"{labels[choice].split(' · ')[0].capitalize()} är återställd."

    st.button("Återställ", key="restore_go", on_click=ui.safe_callback(restore), args=(pick,), icon=":material/restore:", type="primary")

st.header("Ändringar")
people, tables, actions, dates = st.columns(4)
who = people.selectbox("Vem", ui.cached(audit.log_people), index=None, key="log_who", placeholder="Alla")
table = tables.selectbox("Vad", list(audit.TABLE_NAMES), index=None, format_func=audit.TABLE_NAMES.get, key="log_table",
                         placeholder="Allt")
action = actions.selectbox("Händelse", list(audit.ACTIONS), index=None, key="log_action", placeholder="Alla")
span = dates.date_input("Från och med – till och med", (today - datetime.timedelta(days=90), today),
                        format="YYYY-MM-DD", key="log_dates")
since, until = span if isinstance(span, tuple) and len(span) == 2 else (None, None)
log = ui.cached(audit.load_log, me, who, table, action, since, until)
if log.empty:
    st.info("Inga ändringar för det här urvalet.")
else:
    shown = log.assign(
        När=log["at"].map(lambda t: f"{date(t)} {t:%H:%M}"), Vem=log["username"], Roll=log["role"],
        Vad=log["table_name"].map(lambda t: audit.TABLE_NAMES.get(t, t)), Post=log["record_id"].fillna(""),
        Händelse=log["action"], Ändring=[audit.changed_fields(b, a) for b, a in zip(log["before"], log["after"])])
    # st.dataframe shows typed text as text, never as HTML or Markdown.
    st.dataframe(shown[["När", "Vem", "Roll", "Vad", "Post", "Händelse", "Ändring"]], hide_index=True,
                 width="stretch")
    st.caption(f"{len(log)} ändringar, nyast först (högst 1 000).")
