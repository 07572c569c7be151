"""Streamlit building blocks every page shares: the frame, the database and the notices."""
from __future__ import annotations

import datetime
import functools
import hashlib
import os
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import pandas as pd
import streamlit as st
from sqlalchemy import Engine
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner_utils.exceptions import ScriptControlException

from lagesbild import (agenda, areas, asof, audit, auth, cooperation, db, formatting, logs, params, pledges, places,
                       snapshots, surveys)
from lagesbild.audit import PUBLIC, Actor
from lagesbild.config import ROOT, Settings, load_settings
from lagesbild.example import open_database
from lagesbild.problems import InputError, Problem
from lagesbild.privacy import WHY
from lagesbild.views import notices

# A local file: a Material icon as page_icon makes the browser fetch it from Google's font servers.
ICON = ROOT / "static" / "ikon.png"

# The meeting room: nothing but the slide; the presenter leaves with the link on the slide itself.
PRESENTER_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
[data-testid="stToolbar"], [data-testid="stExpandSidebarButton"] { display: none !important; }
.block-container { padding-top: 0.75rem !important; max-width: 100% !important; }
</style>
"""

CSS = """
<style>
h1 { font-size: 2.4rem; }
/* Streamlit leaves ~6rem above the title; on a 768 px laptop the chart or map must start in the first screen. */
[data-testid="stMainBlockContainer"] { padding-top: 3rem; }
h1 { padding-top: 0.25rem; }
[data-testid="stMetricValue"] { font-size: 2.6rem; }
[data-testid="stCaptionContainer"] { font-size: 0.95rem; }
</style>
"""


# Streamlit's own English, replaced where CSS reaches it (README, "Kända begränsningar", lists the rest):
# the file uploader's button and its size line. The accepted file types are named in each label instead.
SWEDISH_CSS = """
<style>
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p { font-size: 0 !important; }
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p::after {
  content: "Välj fil"; font-size: 1rem; }
[data-testid="stFileUploaderDropzoneInstructions"] span { font-size: 0 !important; }
[data-testid="stFileUploaderDropzoneInstructions"] span::after { content: "Högst 200 MB per fil"; font-size: 0.875rem; }
</style>
"""
# The page is Swedish: screen readers, hyphenation and the browser's translate offer follow <html lang>.
LANG_SCRIPT = '<script>document.documentElement.lang = "sv";</script>'


def swedish() -> None:
    """Swedish where Streamlit's frame speaks English: the document language and the file uploader's words."""
    st.markdown(SWEDISH_CSS, unsafe_allow_html=True)
    st.sidebar.html(LANG_SCRIPT, unsafe_allow_javascript=True)


@st.cache_resource
def _engine(database: str) -> Engine:
    return open_database(database)


# Where a local sign-in is kept. Not a widget key, so nothing the browser sends can set it.
USER_KEY = "_lagesbild_user"
# The toggle that shows internal material to a role allowed to see it (off by default: the projector).
INTERNAL_KEY = "view_internal"
INTERNAL_TOGGLE = "view_internal_toggle"


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


@st.cache_resource
def _session_secret() -> bytes:
    # LAGESBILD_SESSION_KEY_FILE moves the generated key elsewhere (a read-only install, the tests).
    return auth.session_secret(secrets(), Path(os.environ.get("LAGESBILD_SESSION_KEY_FILE")
                                              or ROOT / ".streamlit" / "sessionshemlighet"))


# Whether this session has looked for a sign-in cookie yet, and a cookie to write or remove in the browser.
COOKIE_CHECKED, COOKIE_PENDING = "_lagesbild_cookie_checked", "_lagesbild_cookie_pending"


def _signed_in_by_cookie() -> Actor | None:
    """A local sign-in from an earlier page load (a reload), checked once per session."""
    state = st.session_state
    if state.get(COOKIE_CHECKED):
        return None
    state[COOKIE_CHECKED] = True
    try:
        token = st.context.cookies.get(auth.SESSION_COOKIE)
    except Exception:  # noqa: BLE001 - no browser request behind this session (tests, scripts)
        return None
    if not token or not secrets().get(auth.ACCOUNTS_SECTION):
        return None
    try:
        account = auth.session_account(auth.read_accounts(secrets()), token, _session_secret(), time.time())
    except InputError:
        return None
    if account is None:
        state[COOKIE_PENDING] = ""  # expired or forged: remove it
        return None
    state[USER_KEY] = Actor(account.username, account.role)
    return state[USER_KEY]


def _cookie_script() -> None:
    """Write (after a sign-in) or remove (after signing out) the sign-in cookie in the browser."""
    token = st.session_state.pop(COOKIE_PENDING, None)
    if token is None:
        return
    # The token is base64url and a dot, so it can stand in the script as it is.
    age = int(auth.SESSION_HOURS * 3600) if token else 0
    st.sidebar.html(f"""<script>document.cookie = "{auth.SESSION_COOKIE}={token}; path=/; max-age={age}; SameSite=Strict"
        + (location.protocol === "https:" ? "; Secure" : "");</script>""", unsafe_allow_javascript=True)


def actor() -> Actor:
    """The signed-in person (local account or identity provider), or the public."""
    local = st.session_state.get(USER_KEY)
    if isinstance(local, Actor):
        return local
    if (remembered := _signed_in_by_cookie()) is not None:
        return remembered
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


def _client() -> str | None:
    """The client's address for the throttle (None on localhost, and outside a real browser session)."""
    address = st.context.ip_address
    return address if isinstance(address, str) else None


def _sign_in() -> None:
    state = st.session_state
    username, password = state.get("signin_user", ""), state.get("signin_password", "")
    state["signin_password"] = ""
    try:
        accounts = auth.read_accounts(secrets())
        found = auth.sign_in(accounts, _throttle(), username, password, _client())
    except auth.TooManyAttempts as error:
        state["signin_error"] = str(error)
        return
    except InputError as error:
        state["signin_error"] = "Kontona i hemlighetsfilen kan inte läsas: " + "; ".join(map(str, error.problems))
        return
    if found is None:
        logs.logger().warning("signin refused user=%s", auth.normalise_username(username)[:80])
        wait = _throttle().wait(username, _client())
        state["signin_error"] = ("Fel användarnamn eller lösenord." +
                                 (f" Vänta {auth.wait_text(wait)} innan du försöker igen." if wait > 0 else ""))
        return
    state.pop("signin_error", None)
    state[USER_KEY] = Actor(auth.normalise_username(username), found)
    state[COOKIE_PENDING] = auth.session_token(accounts, username, _session_secret(), time.time())
    logs.logger().info("signin user=%s role=%s", auth.normalise_username(username), found)


def _sign_out() -> None:
    st.session_state.pop(USER_KEY, None)
    st.session_state.pop(INTERNAL_KEY, None)
    st.session_state[COOKIE_PENDING] = ""  # and forget the sign-in in the browser


def account_box() -> None:
    """The sidebar's sign-in, or who is signed in with which role and a way out."""
    sidebar, current = st.sidebar, actor()
    _cookie_script()
    if current.role != auth.PUBLIC or current.name:
        sidebar.markdown(f"Inloggad: **{formatting.markdown_escape(current.name)}**  \nRoll: **{current.role}**")
        if may("se_internt"):
            # The choice is kept under INTERNAL_KEY, not the widget's key: Streamlit forgets a widget's value when
            # another page draws it, and the view would switch itself off on every page change.
            state = st.session_state
            state[INTERNAL_TOGGLE] = bool(state.get(INTERNAL_KEY, False))
            sidebar.toggle("Visa internt material", key=INTERNAL_TOGGLE,
                           help="Av som standard. Visa aldrig internt material i rådet.",
                           on_change=lambda: state.__setitem__(INTERNAL_KEY, bool(state[INTERNAL_TOGGLE])))
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


# A failure inside a button's callback, kept to be shown when the page runs (a callback's own output is lost).
FAILURE_KEY = "_lagesbild_failure"


def failure_text(error: BaseException) -> str:
    """What a person sees when something failed: a Swedish sentence and a reference; the details go to the log."""
    reference = uuid.uuid4().hex[:8]
    who = actor()
    try:
        page = st.context.url or ""
    except Exception:  # noqa: BLE001 - the context may be missing outside a browser session
        page = ""
    logs.request_error(reference, page.rsplit("/", 1)[-1] or "/", who.name, who.role, error)
    reason = db.failure_reason(error)
    if reason is not None:
        return f"**Databasen kan inte läsas:** {reason}, kontakta administratören. Referens: `{reference}`."
    return ("**Något gick fel, och sidan kunde inte visas helt.** Ladda om sidan och försök igen; "
            f"händer det igen, kontakta administratören och uppge referensen `{reference}`.")


def guarded(run: Callable[[], object]) -> None:
    """Run a page inside the one error boundary: a Swedish message and a reference instead of a traceback."""
    try:
        run()
    except ScriptControlException:  # st.stop, st.rerun and st.switch_page are not errors
        raise
    except Exception as error:  # noqa: BLE001 - this is the boundary
        st.error(failure_text(error), icon=":material/error:")


def safe_callback(callback: Callable) -> Callable:
    """A button's callback whose failure is shown on the page (with a reference) instead of a traceback."""
    @functools.wraps(callback)
    def run(*args, **kwargs):
        try:
            return callback(*args, **kwargs)
        except ScriptControlException:
            raise
        except Exception as error:  # noqa: BLE001 - shown by frame() on this run
            st.session_state[FAILURE_KEY] = failure_text(error)
    return run


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

        guarded(lambda: app.navigation().run())
        st.stop()
    st.set_page_config(page_title=f"{title} · Lägesbild", page_icon=str(ICON), layout="wide",
                       initial_sidebar_state="collapsed" if presenter else "auto")
    st.markdown(PRESENTER_CSS if presenter else CSS, unsafe_allow_html=True)
    if failure := st.session_state.pop(FAILURE_KEY, None):
        st.error(failure, icon=":material/error:")
    swedish()
    current = engine()
    data_version(fresh=True)
    if not presenter:
        notice = example_notice(current)
        if notice:
            st.sidebar.warning(notice, icon=":material/info:")
        st.sidebar.caption(formatting.markdown_escape(settings().council))
        as_of_box(current)
        account_box()
    if needs and not may(needs):
        st.title(title)
        st.error(auth.refusal(role(), needs), icon=":material/lock:")
        st.stop()
    return current


# The date the user chose to see the dashboard for ("Läget per"); not a widget key, so it outlives a page
# without the sidebar (Rådsmöte) and is the same on every page of the session.
AS_OF_KEY = "_lagesbild_as_of"


def set_as_of(chosen: datetime.date | None) -> None:
    """Make `chosen` the date every page speaks for (None: back to the default)."""
    st.session_state[AS_OF_KEY] = chosen


def as_of(current: Engine) -> datetime.date:
    """"Läget per": the chosen date (the sidebar, or ?datum= in the address), else today or the example's day."""
    param = st.query_params.get("datum")
    if param:
        asked, _ = params.meeting_date(param, datetime.date.today())  # out of range: the nearest valid day
        if asked:
            set_as_of(asked)
    return cached(asof.as_of, st.session_state.get(AS_OF_KEY), datetime.date.today())


def as_of_box(current: Engine) -> None:
    """The sidebar's "Läget per" date: every status and time window on every page is counted from it."""
    default = cached(asof.as_of, None, datetime.date.today())

    def keep() -> None:
        picked = st.session_state.get("as_of_input")
        set_as_of(None if picked in (None, default) else picked)
        st.query_params.pop("datum", None)  # the date picked here wins over one in the address from now on

    st.session_state["as_of_input"] = as_of(current)
    st.sidebar.date_input("Läget per", key="as_of_input", format="YYYY-MM-DD", on_change=keep,
                          help=f"Det datum lägesbilden visar: status, \"passerat\" och \"sedan senaste rådsmötet\" "
                               f"räknas från det. Standard: {formatting.date(default)}"
                               + (" (exempeldatans rådsmöte)." if default != datetime.date.today() else " (i dag)."))


def as_of_text(on: datetime.date) -> str:
    """The words every page and slide shows for the date it speaks for."""
    return f"Läget per {formatting.date(on)}"


def example_notice(current: Engine | None = None) -> str | None:
    """The "Exempeldata" notice while any example data is stored, else None (of the app's database, cached)."""
    return notices.example_notice(cached(db.example_kinds), markdown=True)


def remove_control(table: str, choices: dict[int, str], key: str, label: str, boxed: bool = True,
                   forget: tuple[str, ...] = ()) -> None:
    """"Ta bort" for one of the records in `choices` (id → text); shown only to a role that may remove.

    In an expander of its own unless boxed=False; the session keys in `forget` are cleared after a removal
    (a removed place is no longer the one chosen on the map)."""
    if not may("ta_bort") or not choices:
        return

    def remove(record_id: int) -> str:
        audit.remove(engine(), table, record_id, actor())
        for name in forget:
            st.session_state.pop(name, None)
        return "Borttaget. En administratör kan återställa det på sidan Logg."

    with st.expander(f"Ta bort {label}", icon=":material/delete:") if boxed else st.container():
        picked = st.selectbox(label.capitalize(), list(choices), index=None, format_func=choices.get, key=key,
                              placeholder="Välj")
        st.button("Ta bort", key=f"{key}_go", disabled=picked is None, icon=":material/delete:",
                  on_click=form_saver(key, functools.partial(remove, picked), (key,), clear=(key,)))
        form_feedback(key)


# What a form says when a field is left empty, by the field's name in the data layer's problems.
MISSING = {
    "plats": "Välj en plats", "datum": "Välj ett datum", "organisation": "Skriv vilken organisation det gäller",
    "beskrivning": "Skriv en beskrivning", "aktör": "Skriv vem som gör åtgärden", "åtgärd": "Skriv vad som görs",
    "namn": "Skriv platsens namn", "område": "Skriv vilket område platsen ligger i",
    "lat": "Välj en punkt på kartan eller skriv koordinaterna", "lon": "Välj en punkt på kartan eller skriv koordinaterna",
    "Datum": "Välj ett datum", "Vad har gjorts": "Skriv vad som har gjorts",
}
FORM_FILE = "formuläret"


def _sentence(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:] if text else text


def form_message(problem: Problem) -> str:
    """One problem in a form as a sentence to the person filling it in (no file, row or column syntax)."""
    message = problem.message.replace(WHY, "")
    column = problem.column
    if problem.file != FORM_FILE:
        return str(problem).replace(WHY, "")
    if message == "värde saknas":
        return MISSING.get(column or "", f"Fyll i {(column or 'fältet').lower()}")
    if column and message.startswith("välj ") and " eller " in message and "kartan" not in message \
            and column.lower() not in message.lower():
        return f"Välj {column.lower()}: {message[5:]}"
    if column and message.startswith("texten "):
        return f"{_sentence(column)}: {message}"
    return _sentence(message)


def show_input_error(error: InputError, nothing_saved: bool = True) -> None:
    """Every problem in a file or form in one error box: one line per problem, and why once."""
    lines = list(dict.fromkeys(form_message(p) for p in error.problems))  # one message per problem
    private = any(WHY in p.message for p in error.problems)
    said = " ".join(lines)
    suffix = "" if not nothing_saved or "Ingenting har sparats" in said else "Ingenting har sparats."
    why = _sentence(WHY.lstrip("; ")) + "." if private else ""
    in_form = all(p.file == FORM_FILE for p in error.problems)
    body = lines[0] if in_form and len(lines) == 1 else "\n".join(f"- {line}" for line in lines)
    head = ("" if in_form and len(lines) == 1 else
            f"**{len(lines)} saker behöver rättas.**\n\n" if in_form else f"**{len(lines)} fel hittades.**\n\n")
    st.error(head + body + "".join(f"\n\n{part}" for part in (why, suffix) if part), icon=":material/error:")


# --- saving a form: one helper for every form -------------------------------------------------------------------

# A second identical save by the same person within this many seconds is a double click, not a new record.
DUPLICATE_SECONDS = 60
_SAVED = "_lagesbild_form_saved"  # form → (fingerprint, when)
BUSY_TEXT = ("Databasen är upptagen av en annan ändring och sparandet gick inte fram. Det du skrev finns kvar: "
             "försök igen om en stund.")


def _feedback_key(form: str) -> str:
    return f"_lagesbild_form_{form}"


def form_saver(form: str, save: Callable[[], str], keys: tuple[str, ...], clear: tuple[str, ...] = ()) -> Callable[[], None]:
    """The on_click of a form's save button: save once, wait out a busy database, then clear or keep the form.

    `save()` writes and returns the confirmation to show next to the button. The values under `keys`
    identify the submission: the same values saved again within DUPLICATE_SECONDS are refused. When the
    save fails (bad input, busy database, anything else) nothing is cleared, so what was typed stays.
    """
    def run() -> None:
        state = st.session_state
        values = "\x1f".join(repr(state.get(key)) for key in keys)
        fingerprint = hashlib.sha256(f"{actor().name}\x1f{form}\x1f{values}".encode()).hexdigest()
        now = time.monotonic()
        last = state.get(_SAVED, {}).get(form)
        if last and last[0] == fingerprint and now - last[1] < DUPLICATE_SECONDS:
            state[_feedback_key(form)] = ("warning", "Det här sparades nyss. Ingenting har sparats en gång till.")
            return

        def waiting(attempt: int, seconds: float) -> None:
            st.toast(f"Databasen är upptagen av en annan ändring. Väntar och försöker igen (försök {attempt + 1}) …",
                     icon=":material/hourglass_top:")

        try:
            message = db.retry_when_busy(save, on_wait=waiting)
        except InputError as error:
            state[_feedback_key(form)] = ("input", error)
            return
        except db.DatabaseBusy as error:
            logs.request_error("busy", form, actor().name, role(), error)
            state[_feedback_key(form)] = ("error", BUSY_TEXT)
            return
        except ScriptControlException:
            raise
        except Exception as error:  # noqa: BLE001 - shown next to the button; the form keeps what was typed
            state[_feedback_key(form)] = ("error", failure_text(error))
            return
        state.setdefault(_SAVED, {})[form] = (fingerprint, now)
        for key in clear:
            state.pop(key, None)
        state[_feedback_key(form)] = ("success", message)

    return run


def form_feedback(form: str) -> None:
    """The outcome of the form's last save, shown where it is called: right by the save button."""
    outcome = st.session_state.pop(_feedback_key(form), None)
    if outcome is None:
        return
    kind, content = outcome
    if kind == "input":
        show_input_error(content)
    elif kind == "success":
        st.success(content, icon=":material/check_circle:")
    elif kind == "warning":
        st.warning(content, icon=":material/content_copy:")
    else:
        st.error(content, icon=":material/error:")


def fields(inputs: list, columns: int | list[float]) -> None:
    """A view's inputs (widget, label, key, column, args) drawn in columns, each widget's value under its key."""
    placed = st.columns(columns)
    for field in inputs:
        getattr(placed[field.column], field.widget)(field.label, key=field.key, **field.args)


def form(spec: Any) -> None:
    """A view's form (lagesbild.views.karta.Form): its fields in columns, its save button and the outcome by it."""
    with st.form(spec.form_id, border=False):
        if spec.title:
            st.markdown(spec.title)
        fields(spec.inputs, spec.columns)
        save = functools.partial(spec.save, engine(), st.session_state, actor())
        st.form_submit_button(spec.submit, type="primary", key=f"{spec.name}_save", disabled=spec.disabled,
                              on_click=form_saver(spec.name, save, spec.keys, clear=spec.clear))
        form_feedback(spec.name)


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
    return _shared(_cached(settings().database, data_version(), _cache_name(function), args, function))


def _cache_name(function: Callable[..., Any]) -> str:
    # The file too: two pages may define functions of the same name.
    code = getattr(function, "__code__", None)
    return f"{function.__module__}.{function.__qualname__}:{code.co_filename if code else ''}"


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
    return _shared(_derived(settings().database, data_version(), _cache_name(function), args, function))


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
