import streamlit as st

import ui
from lagesbild import cooperation
from lagesbild.formatting import date

engine = ui.frame("Samverkan")
st.title("Samverkan")
forums = cooperation.load_forums(engine)
meetings = cooperation.load_meetings(engine, include_internal=ui.settings().show_internal)

st.header("Organisation")
columns = st.columns(3)
for column, row in zip(columns, forums[forums["kind"] == "organisation"].itertuples()):
    with column.container(border=True):
        st.markdown(f"#### {row.name}\n{row.purpose}\n\n**Deltagare:** {row.participants}  \n"
                    f"**Mötesfrekvens:** {row.frequency}")

st.header("Samverkansaktiviteter")
for row in forums[forums["kind"] == "aktivitet"].itertuples():
    with st.container(border=True):
        st.markdown(f"### {row.name}\n*{row.theme}*\n\n**Mål:** {row.goal}  \n**Syfte:** {row.purpose}  \n"
                    f"**Deltagare:** {row.participants}  \n**Mötesfrekvens:** {row.frequency}")
        held = meetings[meetings["forum_id"] == row.id]
        if held.empty:
            st.info("Inga möten registrerade.")
            continue
        latest = held.iloc[-1]
        st.caption(f"{len(held)} möten registrerade, senast {date(latest['date'])}.")
        done, next_ = st.columns(2)
        done.markdown("**Vad har vi gjort**\n" + "\n".join(f"- {line}" for line in latest["done"].splitlines() if line))
        next_.markdown("**Hur fortsätter vi**\n" + "\n".join(f"- {line}" for line in latest["next"].splitlines() if line))
