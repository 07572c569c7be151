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
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def engine(tmp_path):
    """A database holding the example data."""
    return open_database(str(tmp_path / "test.sqlite"))
