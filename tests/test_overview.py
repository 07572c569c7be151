"""Översikt in AppTest: what only the page does — the tiles laid out with their sources, empty states, and the
council's configured area and name. The tiles' numbers and texts are tested on the view (test_views_oversikt.py)."""
from __future__ import annotations

import re

from streamlit.testing.v1 import AppTest

from roles import open_app


def open_overview() -> AppTest:
    return open_app()


def markdown_text(at: AppTest) -> list[str]:
    """Each Markdown element as a reader sees it: no tags, no emphasis marks, escapes resolved."""
    plain = (re.sub(r"(?<!\\)\*", "", re.sub(r"<[^>]+>", " ", m.value)) for m in at.markdown)
    return [re.sub(r"\\(.)", r"\1", text).strip() for text in plain]


def test_every_tile_names_its_source_and_freshness():
    at = open_overview()
    sources = [c.value for c in at.caption if c.value.startswith("Källa:")]
    assert len(sources) == 5  # pledges, two survey series, places, follow-ups
    pledge, safety, pupils, activity, followups = sources
    assert "medborgarlöftena 2017" in pledge and "inga registrerade än" in pledge and "Status per 2016-12-14" in pledge
    assert "Medborgarundersökningen 2016 (senaste mätningen), 398 svar" in safety
    assert "95 % konfidensintervall 65,3\u00a0%–74,3\u00a0%" in safety and "inte statistiskt säkerställd" in safety
    assert "Exempeldata" in safety and "Stockholmsenkäten 2016" in pupils
    assert "den senaste 2016-12-07" in activity and "Senaste rådsmöte före 2016-12-14: 2016-06-15" in activity
    assert "11 platser har ett datum satt" in followups and "Alla datum har passerat" not in followups


def test_empty_database_shows_states_not_errors(monkeypatch, tmp_path):
    from lagesbild import db

    path = tmp_path / "empty.sqlite"
    engine = db.connect(str(path))
    with engine.begin() as conn:
        db.set_meta(conn, "example_loaded", "1")
    monkeypatch.setenv("LAGESBILD_DATABASE", str(path))
    at = open_overview()
    infos = [i.value for i in at.info]
    assert "Inga medborgarlöften är registrerade." in infos and "Inga uppföljningar är planerade." in infos
    assert any("inga svar ännu" in i for i in infos)


def test_the_councils_area_and_name_come_from_the_settings(monkeypatch):
    monkeypatch.setenv("LAGESBILD_AREA", "Kungsholmen")
    monkeypatch.setenv("LAGESBILD_COUNCIL", "Kungsholmens brottsförebyggande råd")
    at = open_overview()
    assert at.title[0].value == "Lägesbild Kungsholmen"
    assert "Kungsholmens brottsförebyggande råd" in [c.value for c in at.sidebar.caption]
    assert any(c.value.startswith("Kungsholmens brottsförebyggande råd: ") for c in at.caption)
    # The headline series are the configured area's own (the example surveys cover every district).
    assert [m.label for m in at.metric][:2] == ["Trygg ensam hem på kvällen, Kungsholmen",
                                                "Trygg ute sent en kväll, Kungsholmen"]
