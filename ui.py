"""Streamlit building blocks every page shares: the frame, the database and the notices."""
from __future__ import annotations

import streamlit as st
from sqlalchemy import Engine
from streamlit.runtime.pages_manager import PagesManager

from lagesbild import db
from lagesbild.config import ROOT, Settings, load_settings
from lagesbild.example import open_database
from lagesbild.problems import InputError

# A local file: a Material icon as page_icon makes the browser fetch it from Google's font servers.
ICON = ROOT / "static" / "ikon.png"

# The meeting room: nothing but the slide; the presenter leaves with the link on the slide itself.
PRESENTER_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
[data-testid="stToolbar"], [data-testid="stExpandSidebarButton"] { display: none !important; }
.block-container { padding-top: 1.5rem !important; max-width: 100% !important; }
</style>
"""

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


def frame(title: str, presenter: bool = False) -> Engine:
    """Set up a page the same way whether or not app.py ran first; returns the database engine.

    With presenter=True the sidebar and toolbar are hidden and the example-data notice is the
    caller's to show on the slide (example_notice()), since nothing else is visible.
    """
    if PagesManager.uses_pages_directory:
        # A page URL opened on a fresh server (and every AppTest run) starts in Streamlit's old
        # pages/ mode, without app.py: run the page through the real navigation instead, in this
        # same run, so its widgets get the identities every later run gives them and no click is lost.
        import app

        app.navigation().run()
        st.stop()
    st.set_page_config(page_title=f"{title} · Lägesbild", page_icon=str(ICON), layout="wide",
                       initial_sidebar_state="collapsed" if presenter else "auto")
    st.markdown(PRESENTER_CSS if presenter else CSS, unsafe_allow_html=True)
    current = engine()
    if not presenter:
        notice = example_notice(current)
        if notice:
            st.sidebar.warning(notice, icon=":material/info:")
        st.sidebar.caption("Norrmalms trygghets- och säkerhetsråd")
    return current


def example_notice(current: Engine) -> str | None:
    """The "Exempeldata" notice while any example data is stored, else None."""
    kinds = db.example_kinds(current)
    if not kinds:
        return None
    return (f"**Exempeldata.** Siffrorna och texterna för {', '.join(kinds)} är exempel som "
            "återskapar rådsmötet 2016-12-14 – de är inte verkliga värden.")


def show_input_error(error: InputError, nothing_saved: bool = True) -> None:
    """Every problem in a file or form, listed in one error box."""
    lines = "\n".join(f"- {problem}" for problem in error.problems)
    suffix = "\n\nIngenting har sparats." if nothing_saved else ""
    st.error(f"**{len(error.problems)} fel hittades.**\n\n{lines}{suffix}", icon=":material/error:")
