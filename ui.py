"""Streamlit building blocks every page shares: the frame, the database and the notices."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import pandas as pd
import streamlit as st
from sqlalchemy import Engine
from streamlit.runtime.pages_manager import PagesManager

from lagesbild import agenda, areas, audit, auth, cooperation, db, formatting, pledges, places, snapshots, surveys
from lagesbild.audit import PUBLIC, Actor
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


# Where a local sign-in is kept. Not a widget key, so nothing the browser sends can set it.
USER_KEY = "_lagesbild_user"
# The toggle that shows internal material to a role allowed to see it (off by default: the projector).
INTERNAL_KEY = "view_internal"


def secrets() -> dict:
    """The parsed .streamlit/secrets.toml, or {} when there is none."""
    try:
        return st.secrets.to_dict()
    except FileNotFoundError:
        return {}


def settings() -> Settings:
    """The operator's settings."""
    return load_settings(secrets=secrets())


@st.cache_resource
def _throttle() -> auth.SignInThrottle:
    # One for the whole server: a guesser gains nothing by opening a new browser tab.
    return auth.SignInThrottle()


def _oidc_configured() -> bool:
    return isinstance(secrets().get("auth"), dict)


def actor() -> Actor:
    """The signed-in person (local account or identity provider), or the public."""
    local = st.session_state.get(USER_KEY)
    if isinstance(local, Actor):
        return local
    identity = st.user.to_dict() if _oidc_configured() else {}
    if identity.get("is_logged_in"):
        role = auth.role_from_identity(identity, secrets().get(auth.ROLE_SECTION, {}))
        return Actor(str(identity.get("email") or identity.get("sub") or "okänd"), role)
    return PUBLIC


def role() -> str:
    """The signed-in person's role; "publik" without sign-in."""
    return actor().role


def may(action: str) -> bool:
    """Whether the signed-in person may do the action (by auth.PERMISSIONS)."""
    return auth.allowed(role(), action)


def show_internal() -> bool:
    """Whether to show material marked intern: only to a role allowed to, and only when asked for."""
    return may("se_internt") and bool(st.session_state.get(INTERNAL_KEY, False))


def _sign_in() -> None:
    state = st.session_state
    username, password = state.get("signin_user", ""), state.get("signin_password", "")
    state["signin_password"] = ""
    try:
        accounts = auth.read_accounts(secrets())
        found = auth.sign_in(accounts, _throttle(), username, password, st.context.ip_address)
    except auth.TooManyAttempts as error:
        state["signin_error"] = str(error)
        return
    except InputError as error:
        state["signin_error"] = "Kontona i hemlighetsfilen kan inte läsas: " + "; ".join(map(str, error.problems))
        return
    if found is None:
        wait = _throttle().wait(username, st.context.ip_address)
        state["signin_error"] = ("Fel användarnamn eller lösenord." +
                                 (f" Vänta {auth.wait_text(wait)} innan du försöker igen." if wait > 0 else ""))
        return
    state.pop("signin_error", None)
    state[USER_KEY] = Actor(auth.normalise_username(username), found)


def _sign_out() -> None:
    st.session_state.pop(USER_KEY, None)
    st.session_state.pop(INTERNAL_KEY, None)


def account_box() -> None:
    """The sidebar's sign-in, or who is signed in with which role and a way out."""
    sidebar, current = st.sidebar, actor()
    if current.role != auth.PUBLIC or current.name:
        sidebar.markdown(f"Inloggad: **{formatting.markdown_escape(current.name)}**  \nRoll: **{current.role}**")
        if may("se_internt"):
            sidebar.toggle("Visa internt material", key=INTERNAL_KEY,
                           help="Av som standard. Visa aldrig internt material i rådet.")
        if isinstance(st.session_state.get(USER_KEY), Actor):
            sidebar.button("Logga ut", key="signout", on_click=_sign_out, icon=":material/logout:")
        else:
            sidebar.button("Logga ut", key="signout", on_click=st.logout, icon=":material/logout:")
        return
    with sidebar.expander("Logga in", icon=":material/login:"):
        if _oidc_configured():
            st.button("Logga in med organisationens konto", key="signin_oidc", on_click=st.login)
        if secrets().get(auth.ACCOUNTS_SECTION):
            with st.form("signin_form", border=False):
                st.text_input("Användarnamn", key="signin_user", autocomplete="username")
                st.text_input("Lösenord", type="password", key="signin_password", autocomplete="current-password")
                st.form_submit_button("Logga in", on_click=_sign_in, type="primary")
        elif not _oidc_configured():
            st.caption("Inga konton är inrättade. Se .streamlit/secrets.toml.example.")
        if error := st.session_state.pop("signin_error", None):
            st.error(error, icon=":material/error:")


def engine() -> Engine:
    """The shared database engine, created (and filled with example data) on first use."""
    return _engine(settings().database)


def frame(title: str, presenter: bool = False, needs: str | None = None) -> Engine:
    """Set up a page the same way whether or not app.py ran first; returns the database engine.

    With presenter=True the sidebar and toolbar are hidden and the example-data notice is the
    caller's to show on the slide (example_notice()), since nothing else is visible. With `needs`
    (an action in auth.PERMISSIONS) a person whose role may not do it gets a Swedish refusal and
    nothing else, however they reached the page.
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
    data_version(fresh=True)
    if not presenter:
        notice = example_notice(current)
        if notice:
            st.sidebar.warning(notice, icon=":material/info:")
        st.sidebar.caption("Norrmalms trygghets- och säkerhetsråd")
        account_box()
    if needs and not may(needs):
        st.title(title)
        st.error(auth.refusal(role(), needs), icon=":material/lock:")
        st.stop()
    return current


def example_notice(current: Engine | None = None) -> str | None:
    """The "Exempeldata" notice while any example data is stored, else None (of the app's database, cached)."""
    notice = cached(agenda.example_notice)
    return None if notice is None else notice.replace("Exempeldata.", "**Exempeldata.**", 1)


def remove_control(table: str, choices: dict[int, str], key: str, label: str) -> None:
    """"Ta bort" for one of the records in `choices` (id → text); shown only to a role that may remove."""
    if not may("ta_bort") or not choices:
        return

    def remove(record_id: int | None) -> None:
        if record_id is None:
            return
        try:
            audit.remove(engine(), table, record_id, actor())
        except InputError as error:
            st.session_state[f"{key}_error"] = error
        else:
            st.session_state[f"{key}_done"] = "Borttaget. En administratör kan återställa det på sidan Logg."

    with st.expander(f"Ta bort {label}", icon=":material/delete:"):
        picked = st.selectbox(label.capitalize(), list(choices), index=None, format_func=choices.get, key=key,
                              placeholder="Välj")
        st.button("Ta bort", key=f"{key}_go", disabled=picked is None, on_click=remove, args=(picked,),
                  icon=":material/delete:")
    if error := st.session_state.pop(f"{key}_error", None):
        show_input_error(error)
    if done := st.session_state.pop(f"{key}_done", None):
        st.success(done, icon=":material/check_circle:")


def show_input_error(error: InputError, nothing_saved: bool = True) -> None:
    """Every problem in a file or form, listed in one error box."""
    lines = "\n".join(f"- {problem}" for problem in error.problems)
    suffix = "\n\nIngenting har sparats." if nothing_saved else ""
    st.error(f"**{len(error.problems)} fel hittades.**\n\n{lines}{suffix}", icon=":material/error:")


# --- cached data access ------------------------------------------------------------------------------
# Every page reads its tables through load() (and what the data layer derives from the database through
# cached()): one query per table per data version, however many sessions and reruns. The version is a
# row in the database that every write transaction bumps (lagesbild.db.bump_version), read once per run
# by frame(), so a write through another app process on the same database is seen on the next rerun.
# st.cache_resource, not st.cache_data: one copy per version shared by every session, where cache_data
# would unpickle a copy for each session and rerun. A page gets a shallow copy of a frame, which pandas'
# copy-on-write keeps from ever changing the shared one.

# Session state: the data version this run reads at.
DATA_VERSION_KEY = "_lagesbild_data_version"

# Name → (loader(engine[, include_internal]), whether it takes include_internal).
TABLES: dict[str, tuple[Callable[..., Any], bool]] = {
    "results": (surveys.load_results, False),
    "indicators": (surveys.load_indicators, False),
    "places": (places.load_places, False),
    "observations": (places.load_observations, True),
    "actions": (places.load_actions, True),
    "boundaries": (areas.load_boundaries, False),
    "forums": (cooperation.load_forums, False),
    "meetings": (cooperation.load_meetings, True),
    "pledges": (pledges.load_pledges, True),
    "progress": (pledges.load_progress, True),
    "agenda": (agenda.load_agenda, False),
    "snapshots": (snapshots.list_snapshots, False),
    "datasets": (db.load_datasets, False),
}


def data_version(fresh: bool = False) -> int:
    """The data version this run reads at; read from the database by frame(), once per run."""
    if fresh or DATA_VERSION_KEY not in st.session_state:
        version = db.data_version(engine())
        _forget_older_versions(settings().database, version)
        st.session_state[DATA_VERSION_KEY] = version
    return st.session_state[DATA_VERSION_KEY]


def load(table: str, include_internal: bool = False) -> Any:
    """One table (a name in TABLES) at this run's data version; internal material only when asked for."""
    return _shared(_table_at(settings().database, data_version(), Table(table, include_internal)))


def cached(function: Callable[..., Any], *args: Any) -> Any:
    """function(engine, *args) at this run's data version, computed once per version for every session.

    The arguments are part of the key: strings, numbers, dates, tuples and dataclasses.
    """
    code = getattr(function, "__code__", None)
    name = f"{function.__module__}.{function.__qualname__}:{code.co_filename if code else ''}"
    return _shared(_cached(settings().database, data_version(), name, args, function))


@dataclass(frozen=True)
class Table:
    """A table for derived(): the function gets load(name, include_internal) in its place."""

    name: str
    include_internal: bool = False


def derived(function: Callable[..., Any], *args: Any) -> Any:
    """function(*args) with every Table replaced by its frame, computed once per data version for every session.

    For a view the data layer computes from loaded tables (a summary, a trend, a status), so that a rerun
    with the same choices does none of that work again. The other arguments are part of the key.
    """
    code = getattr(function, "__code__", None)
    name = f"{function.__module__}.{function.__qualname__}:{code.co_filename if code else ''}"
    return _shared(_derived(settings().database, data_version(), name, args, function))


@st.cache_resource(max_entries=256, show_spinner=False)
def _derived(database: str, version: int, name: str, args: tuple, _function: Callable[..., Any]) -> Any:
    resolved = [_table_at(database, version, a) if isinstance(a, Table) else a for a in args]
    return _function(*resolved)


def _table_at(database: str, version: int, table: Table) -> Any:
    loader, takes_internal = TABLES[table.name]
    args = (table.include_internal,) if takes_internal else ()
    return _cached(database, version, f"table:{table.name}", args, loader)


@st.cache_resource(max_entries=256, show_spinner=False)
def _cached(database: str, version: int, name: str, args: tuple, _function: Callable[..., Any]) -> Any:
    # `version` is only in the key: the database is read at least as new as it, since it was read first.
    return _function(_engine(database), *args)


@st.cache_resource
def _newest_versions() -> dict[str, int]:
    return {}


def _forget_older_versions(database: str, version: int) -> None:
    # Frames of an older version are never asked for again: drop them rather than hold them until evicted.
    newest = _newest_versions()
    if database in newest and version > newest[database]:
        _cached.clear()
        _derived.clear()
    if version > newest.get(database, -1):
        newest[database] = version


def _shared(value: Any) -> Any:
    return value.copy(deep=False) if isinstance(value, (pd.DataFrame, pd.Series)) else value
