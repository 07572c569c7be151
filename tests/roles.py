"""Test helpers: act as a role, in the data layer and in AppTest, the way a real sign-in would."""
from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from lagesbild.audit import Actor

USER_KEY = "_lagesbild_user"  # ui.USER_KEY
INTERNAL_KEY = "view_internal"  # ui.INTERNAL_KEY


def actor(role: str) -> Actor:
    """A test person with the role."""
    return Actor(f"test.{role}", role)


def as_role(at: AppTest, role: str, internal: bool = False) -> AppTest:
    """The AppTest session signed in with the role (and, when asked, with internal material shown)."""
    if role != "publik":
        at.session_state[USER_KEY] = actor(role)
    if internal:
        at.session_state[INTERNAL_KEY] = True
    return at


APP = str(Path(__file__).resolve().parents[1] / "app.py")
START_PAGE = "pages/oversikt.py"


def open_app(page: str | None = None, role: str = "publik", internal: bool = False,
             query: dict[str, str] | None = None, timeout: float = 90) -> AppTest:
    """The whole app (frame, sign-in, menu) run once in AppTest on `page` as `role`, with `query` in its address;
    it fails the test if the page raised."""
    at = as_role(AppTest.from_file(APP, default_timeout=timeout), role, internal)
    if page not in (None, START_PAGE):
        at.run()
        at.switch_page(page)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at
