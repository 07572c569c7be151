"""The cached data access: one query per table per data version, shared by every session, and a write seen at once."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import Engine, event
from streamlit.testing.v1 import AppTest

import app
import ui
from lagesbild import agenda, areas, audit, cooperation, db, places, pledges, snapshots, surveys
from lagesbild.views.deck import build_deck
from lagesbild.config import DATA_DIR
from roles import open_app
from write_checks import ADMIN, EDITOR, TODAY

PAGES = [path for path, *_ in app.PAGES]


@contextmanager
def statements() -> Iterator[list[str]]:
    """Every SQL statement any engine runs inside the block, in order."""
    seen: list[str] = []

    def note(conn, cursor, statement, *args) -> None:
        seen.append(" ".join(statement.split()))

    event.listen(Engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", note)


def version_reads_only(seen: list[str]) -> bool:
    return all(s.startswith("SELECT meta.value FROM meta WHERE meta.") for s in seen)




def map_caption(at: AppTest) -> str:
    return next(c.value for c in at.caption if " platser och " in c.value)


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("role, internal", [("publik", False), ("administratör", True)])
def test_a_rerun_with_unchanged_data_runs_no_query_but_the_data_version(page, role, internal):
    at = open_app(page, role, internal)
    with statements() as seen:
        at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert len(seen) == 1 and version_reads_only(seen), seen


def test_another_session_reads_every_table_from_the_shared_cache():
    open_app("pages/karta.py", "administratör", internal=True)
    with statements() as seen:
        second = open_app("pages/karta.py", "administratör", internal=True)
    assert version_reads_only(seen), seen
    assert "Otrygga platser" in second.title[0].value


def test_a_write_bumps_the_version_and_the_next_rerun_shows_it(engine):
    at = open_app("pages/karta.py")
    count = len(places.load_observations(engine))
    assert f"och {count} iakttagelser" in map_caption(at)
    version = db.data_version(engine)
    places.add_observation(engine, "Odenplan", TODAY, "annat", "SL", "Klotter i uppgången.", "öppen",
                           today=TODAY, by=EDITOR)
    assert db.data_version(engine) == version + 1
    with statements() as seen:
        at.run()
    assert any("FROM observation" in s for s in seen), "the observations are read again after the write"
    assert f"och {count + 1} iakttagelser" in map_caption(at)
    with statements() as seen:
        at.run()
    assert version_reads_only(seen), seen
    # What a page derives from the tables (here the places with their categories) follows the version too.
    total = len(places.load_places(engine))
    places.add_place(engine, "Tegnérlunden", 59.33786, 18.05865, "Norrmalm", None, "ny", None, by=EDITOR)
    at.run()
    assert f"av {total + 1} platser" in map_caption(at)


def test_sessions_share_one_copy_and_a_page_changing_its_frame_leaves_it_alone(engine):
    mine, other = ui.load("observations"), ui.load("observations")
    assert np.shares_memory(mine["lat"].to_numpy(), other["lat"].to_numpy()), "one copy per data version"
    mine = ui.load("places")
    mine["name"] = "ändrat"
    mine.loc[0, "lat"] = 0.0
    again = ui.load("places")
    assert "ändrat" not in set(again["name"]) and again["lat"].iloc[0] != 0.0
    assert list(again["name"]) == list(places.load_places(engine)["name"])


def test_every_write_in_the_data_layer_bumps_the_data_version_once(engine):
    observation = places.load_observations(engine).iloc[0]
    observation_file = places.read_observations("observationer.csv", (DATA_DIR / "observationer.csv").read_bytes())
    survey_file = surveys.read_extract("ny.csv", "undersökning;år;område;grupp;indikator;andel;antal_svar\n"
                                                 "Medborgarundersökningen;2017;Norrmalm;Alla;trygg_kvall;69,5;405".encode())
    boundary_file = areas.read_boundaries("norrmalm.geojson", (DATA_DIR / "norrmalm.geojson").read_bytes())
    pledge_id = int(pledges.load_pledges(engine)["id"].iloc[0])
    writes = {
        "ny iakttagelse": lambda: places.add_observation(engine, "Odenplan", TODAY, "annat", "SL", "Klotter.", "öppen",
                                                         today=TODAY, by=EDITOR),
        "ändrad iakttagelse": lambda: places.update_observation(
            engine, int(observation["id"]), int(observation["version"]), observation["date"], "annat", "Polisen",
            "Rättad.", "öppen", today=TODAY, by=EDITOR),
        "ny åtgärd": lambda: places.add_action(engine, "Odenplan", TODAY, "Polisen", "Patrull.", "genomförd", "öppen",
                                               today=TODAY, by=EDITOR),
        "ny plats": lambda: places.add_place(engine, "Tegnérlunden", 59.33786, 18.05865, "Norrmalm", None, "ny", None,
                                             by=EDITOR),
        "uppdaterad plats": lambda: places.update_place(engine, "Odenplan", "bevakas", "Lugnt.", None, "", today=TODAY,
                                                        by=EDITOR),
        "nytt möte": lambda: cooperation.add_meeting(engine, "radet", dt.date(2017, 2, 1), "Möte hölls.", "", "öppen",
                                                     TODAY, by=EDITOR),
        "framsteg": lambda: pledges.add_progress(engine, pledge_id, dt.date(2017, 2, 1), "Insats.", 1, "öppen", TODAY,
                                                 by=EDITOR),
        "laget runt": lambda: agenda.add_answer(engine, TODAY, "SL", "Lugnt.", "", "", dt.datetime(2017, 3, 1, 10),
                                                by=EDITOR),
        "dagordning": lambda: agenda.save_agenda(engine, agenda.load_agenda(engine), by=EDITOR),
        "låst lägesbild": lambda: snapshots.lock(engine, build_deck(engine, TODAY, 41), dt.datetime(2017, 3, 1),
                                                 by=ADMIN),
        "borttagen": lambda: audit.remove(engine, "place", int(places.load_places(engine)["id"].iloc[0]), EDITOR),
        "återställd": lambda: audit.restore(engine, "place", int(audit.load_removed(engine, ADMIN)["id"].iloc[0]), ADMIN),
        "import av iakttagelser": lambda: places.import_observations(engine, "observationer.csv", observation_file,
                                                                     by=ADMIN),
        "import av undersökning": lambda: surveys.import_extract(engine, survey_file, by=ADMIN),
        "import av gränser": lambda: areas.import_boundaries(engine, "norrmalm.geojson", boundary_file, by=ADMIN),
    }
    for name, write in writes.items():
        before = db.data_version(engine)
        write()
        assert db.data_version(engine) == before + 1, name
