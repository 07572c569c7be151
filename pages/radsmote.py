import streamlit as st

import ui

engine = ui.frame("Rådsmöte", presenter=True)
st.title("Rådsmöte")
st.page_link("pages/oversikt.py", label="Till översikten", icon=":material/arrow_back:")
