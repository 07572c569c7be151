import streamlit as st

import ui

engine = ui.frame("Rådsmöte", presenter=True)
st.title("Rådsmöte")
if notice := ui.example_notice(engine):
    st.warning(notice)
st.page_link("pages/oversikt.py", label="Till översikten", icon=":material/arrow_back:")
