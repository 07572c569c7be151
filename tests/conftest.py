"""Shared fixtures: every test gets its own database, filled from the example data when asked."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
import streamlit as st

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lagesbild.example import open_database  # noqa: E402


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    """Point the app at a fresh database and forget Streamlit's caches between tests."""
    monkeypatch.setenv("LAGESBILD_DATABASE", str(tmp_path / "test.sqlite"))
    monkeypatch.setenv("LAGESBILD_SESSION_KEY_FILE", str(tmp_path / "sessionshemlighet"))
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def engine(tmp_path):
    """A database holding the example data."""
    return open_database(str(tmp_path / "test.sqlite"))


@pytest.fixture(scope="session")
def _lived_in_template(tmp_path_factory) -> Path:
    """One lived-in database per test run (building it takes a few seconds); tests get a copy."""
    from lived_in import build_lived_in

    path = tmp_path_factory.mktemp("lived_in") / "template.sqlite"
    template = open_database(str(path))
    build_lived_in(template)
    template.dispose()
    return path


@pytest.fixture
def lived_in_engine(_lived_in_template, tmp_path):
    """A database that looks lived-in (tests/lived_in.py), at the path the app opens (LAGESBILD_DATABASE)."""
    import shutil

    target = tmp_path / "test.sqlite"
    shutil.copyfile(_lived_in_template, target)
    for suffix in ("-wal", "-shm"):
        if Path(f"{_lived_in_template}{suffix}").exists():
            shutil.copyfile(f"{_lived_in_template}{suffix}", f"{target}{suffix}")
    engine = open_database(str(target))
    yield engine
    engine.dispose()


@pytest.fixture
def app_test():
    """Open a page of the whole app as a role: app_test("pages/karta.py", "redaktör", internal=True, query={...})."""
    from roles import open_app

    return open_app


@pytest.fixture
def clock():
    """A clock that moves only when the test moves it (clock.now += seconds)."""
    return FakeClock()


class FakeClock:
    def __init__(self, now: float = 1000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now
