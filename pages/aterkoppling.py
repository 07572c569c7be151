import streamlit as st

import ui
from lagesbild.views import aterkoppling as view

engine = ui.frame("Återkoppling")
on = ui.as_of(engine)
st.title("Återkoppling")
st.caption("Vad ni har berättat för oss, vad vi har gjort och vad som har förändrats. Sidan visar bara uppgifter som "
           "är märkta öppna, också för den som är inloggad.")

observations, actions = ui.load("observations"), ui.load("actions")
span = st.date_input("Period", view.default_period(observations, actions, on), format="YYYY-MM-DD",
                     key="feedback_period", max_value=on)
if not (isinstance(span, tuple) and len(span) == 2):
    st.info("Välj både första och sista dagen i perioden.")
    st.stop()
start, end = span
# include_internal is never asked for here: the page is public whoever reads it.
feedback = view.build_feedback(observations, actions, ui.load("places"), ui.load("results"),
                               ui.load("indicators"), start, end, ui.settings().min_answers,
                               ui.settings().area)

st.header(f"Perioden {feedback.period}")
told, changed = st.columns(2, gap="large")
with told:
    st.subheader("Det ni berättade för oss")
    st.write(feedback.told)
    if not feedback.themes.empty:
        st.dataframe(feedback.themes, hide_index=True, width="stretch")
with changed:
    st.subheader("Det som förändrades")
    st.markdown(view.bullets(feedback.changed))
    st.subheader("Platser där läget blivit bättre")
    st.markdown(view.bullets(feedback.improved))
st.subheader("Det vi gjorde")
st.markdown(view.bullets(feedback.did))
st.caption(feedback.note)
st.download_button("Ladda ner som pdf (en sida)", view.pdf_bytes(feedback), f"aterkoppling-{start}-{end}.pdf",
                   "application/pdf", key="feedback_pdf", icon=":material/download:")
