import streamlit as st

import ui
from lagesbild import pledges

engine = ui.frame("Medborgarlöften")
st.title("Medborgarlöften")
st.caption("Polisens och stadsdelsförvaltningens löften till dem som bor och verkar i Norrmalm, "
           "med mål som går att räkna och det som är gjort hittills.")

frame = pledges.load_pledges(engine, include_internal=ui.settings().show_internal)
if frame.empty:
    st.info("Inga medborgarlöften är registrerade.")
    st.stop()
years = sorted(frame["year"].unique(), reverse=True)
year = st.selectbox("År", years, key="pledge_year")
for row in frame[frame["year"] == year].itertuples():
    with st.container(border=True):
        st.markdown(f"### {row.number}. {row.text}")
        st.progress(min(row.done / row.target, 1.0), text=f"{row.done} av {row.target} {row.unit}")
        st.caption(f"Ansvarig: {row.responsible}")
