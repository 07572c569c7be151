"""Test helpers: act as a role, in the data layer and in AppTest, the way a real sign-in would."""
from __future__ import annotations

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
