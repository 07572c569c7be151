"""Översikt: the manager's glance. Every tile says where its number comes from and how fresh it is."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

from lagesbild import pledges, places
from lagesbild.audit import Actor

EDITOR = Actor("test.redaktor", "redaktör")
ADMIN = Actor("test.admin", "administratör")

APP = Path(__file__).resolve().parents[1] / "app.py"


def open_overview() -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def markdown_text(at: AppTest) -> list[str]:
    """Each Markdown element as a reader sees it: no tags, no emphasis marks, escapes resolved."""
    plain = (re.sub(r"(?<!\\)\*", "", re.sub(r"<[^>]+>", " ", m.value)) for m in at.markdown)
    return [re.sub(r"\\(.)", r"\1", text).strip() for text in plain]


def test_pledge_tile_shows_each_2017_pledge_with_count_and_that_the_year_has_not_begun():
    at = open_overview()  # only example data: "Läget per" is the example meeting, 2016-12-14
    assert "Medborgarlöften 2017" in [s.value for s in at.subheader]
    text = markdown_text(at)
    assert "Löftesåret 2017 har inte börjat än." in text
    assert not any(status in line for line in text for status in ("Ej uppfyllt", "I fas", "Efter plan"))
    lines = [line for line in text if line.startswith("0 av")]
    assert "0 av 2" in lines[0] and "kriminella nätverk" in lines[0]
    assert "0 av 3" in lines[2] and "samverkansforum" in lines[2]


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


def test_places_tile_counts_activity_since_the_last_council_meeting(engine):
    at = open_overview()
    metric = next(m for m in at.metric if m.label.startswith("Platser med ny aktivitet"))
    # As of the example meeting 2016-12-14: what happened since the council's meeting before it.
    assert metric.label == "Platser med ny aktivitet sedan rådsmötet 2016-06-15" and metric.value == "11"
    assert any(line.startswith("Bosättningar i parker och på förskolegårdar (2016-12-07)")
               for line in markdown_text(at))
    # Something typed in makes the data real: "Läget per" becomes today, counted from 2016-12-14.
    places.add_observation(engine, "Vasaparken", dt.date(2017, 1, 10), "alkohol/narkotika", "Fält och fritid",
                           "Cannabisrökning igen sena kvällar.", "öppen", by=EDITOR)
    places.add_observation(engine, "Odenplan", dt.date(2017, 1, 11), "annat", "Polisen",
                           "Internt underlag.", "intern", by=EDITOR)
    at = open_overview()
    metric = next(m for m in at.metric if m.label.startswith("Platser med ny aktivitet"))
    assert metric.value == "1"  # the internal observation at Odenplan is not counted
    assert "Vasaparken (2017-01-10)" in "\n".join(markdown_text(at))


def test_recorded_progress_and_status_reach_the_overview(engine):
    frame = pledges.load_pledges(engine)
    first = int(frame.loc[frame["number"] == 1, "id"].iloc[0])
    pledges.add_progress(engine, first, dt.date(2017, 3, 1), "Riktad insats.", 2, "öppen", dt.date.today(), by=EDITOR)
    at = open_overview()
    lines = markdown_text(at)
    assert any("Uppfyllt" in line and "2 av 2" in line for line in lines)
    assert sum("Ej uppfyllt" in line for line in lines) == 2
    assert "senast 2017-03-01" in next(c.value for c in at.caption if "medborgarlöftena" in c.value)


def test_follow_ups_are_listed_soonest_first_with_passed_dates_marked():
    at = open_overview()
    assert not [line for line in markdown_text(at) if "(passerat)" in line]  # none had passed on 2016-12-14
    at.query_params["datum"] = "2017-01-20"
    at.run()
    lines = [line for line in markdown_text(at) if "(passerat)" in line]
    assert len(lines) == 4
    assert lines[0].startswith("2017-01-11 (passerat) · Vasaparken")


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
