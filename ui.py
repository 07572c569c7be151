"""Streamlit building blocks every page shares: the frame, the database and the notices."""
from __future__ import annotations

import streamlit as st
from sqlalchemy import Engine
from streamlit.runtime.pages_manager import PagesManager

from lagesbild import db
from lagesbild.config import Settings, load_settings
from lagesbild.example import open_database
from lagesbild.problems import InputError

CSS = """
<style>
h1 { font-size: 2.4rem; }
[data-testid="stMetricValue"] { font-size: 2.6rem; }
[data-testid="stCaptionContainer"] { font-size: 0.95rem; }
</style>
"""


@st.cache_resource
def _engine(database: str) -> Engine:
    return open_database(database)


def settings() -> Settings:
    """The operator's settings."""
    return load_settings()


def engine() -> Engine:
    """The shared database engine, created (and filled with example data) on first use."""
    return _engine(settings().database)


def frame(title: str) -> Engine:
    """Set up a page the same way whether or not app.py ran first; returns the database engine."""
    if PagesManager.uses_pages_directory:
        # A page URL opened on a fresh server runs without app.py (Streamlit's old pages/ mode):
        # install the real navigation and run again through the frame.
        import app

        app.navigation()
        st.rerun()
    st.set_page_config(page_title=f"{title} · Lägesbild", page_icon=":material/shield:", layout="wide")
    st.markdown(CSS, unsafe_allow_html=True)
    current = engine()
    kinds = db.example_kinds(current)
    if kinds:
        st.sidebar.warning(f"**Exempeldata.** Siffrorna och texterna för {', '.join(kinds)} är exempel som "
                           "återskapar rådsmötet 2016-12-14 – de är inte verkliga värden.", icon=":material/info:")
    st.sidebar.caption("Norrmalms trygghets- och säkerhetsråd")
    return current


def show_input_error(error: InputError, nothing_saved: bool = True) -> None:
    """Every problem in a file or form, listed in one error box."""
    lines = "\n".join(f"- {problem}" for problem in error.problems)
    suffix = "\n\nIngenting har sparats." if nothing_saved else ""
    st.error(f"**{len(error.problems)} fel hittades.**\n\n{lines}{suffix}", icon=":material/error:")
