"""Locked lägesbilder: stored as shown, with a SHA-256, and unchanged when the data changes later."""
from __future__ import annotations

import datetime as dt
import hashlib

import pandas as pd
import pyarrow as pa
from sqlalchemy import select, update

from lagesbild import agenda, db, places, snapshots, surveys
from lagesbild.views.deck import Deck, build_deck
from lagesbild.audit import Actor

EDITOR = Actor("test.redaktor", "redaktör")
ADMIN = Actor("test.admin", "administratör")

MEETING = dt.date(2016, 12, 14)
LOCKED_AT = dt.datetime(2016, 12, 14, 11, 45)


def statistics_sentence(deck: Deck) -> str:
    slide = next(s for s in deck.slides if s.kind == "statistik")
    return slide.columns[1][-1].content["items"][0]


def since_counts(deck: Deck) -> dict[str, str]:
    slide = next(s for s in deck.slides if s.kind == "sedan_senast")
    return dict(slide.columns[0][0].content["items"])


def change_the_data(engine) -> None:
    """What happens after the meeting: the 2016 wave is corrected and a new observation comes in."""
    surveys.import_extract(engine, surveys.read_extract("rättelse.csv", (
        "undersökning;år;område;grupp;indikator;andel;antal_svar\n"
        "Medborgarundersökningen;2016;Norrmalm;Alla;trygg_kvall;61,0;398\n").encode()), by=ADMIN)
    places.add_observation(engine, "Odenplan", dt.date(2016, 12, 1), "annat", "SL", "Klotter i uppgången.", "öppen", by=EDITOR)


def test_the_stored_content_hashes_to_the_stored_sha256(engine):
    deck = build_deck(engine, MEETING, 41)
    snapshot_id = snapshots.lock(engine, deck, LOCKED_AT, by=EDITOR)
    with engine.connect() as conn:
        content, stored = conn.execute(select(db.snapshot.c.content, db.snapshot.c.sha256)).one()
    assert stored == hashlib.sha256(content.encode("utf-8")).hexdigest() == hashlib.sha256(
        deck.to_json().encode("utf-8")).hexdigest()
    snapshot = snapshots.load_snapshot(engine, snapshot_id)
    assert snapshot.intact and snapshot.deck == deck
    assert snapshot.meeting_date == MEETING and snapshot.locked_at == LOCKED_AT
    assert snapshot.describe().startswith("Låst lägesbild från rådsmötet 2016-12-14, låst 2016-12-14 11:45. "
                                          f"Kontrollsumma (SHA-256) {stored[:16]}")


def test_a_snapshot_reopened_after_new_data_still_shows_the_old_numbers(engine):
    snapshot_id = snapshots.lock(engine, build_deck(engine, MEETING, 41), LOCKED_AT, by=EDITOR)
    change_the_data(engine)
    live = build_deck(engine, MEETING, 41)
    assert "till 61,0\u00a0%" in statistics_sentence(live)
    assert since_counts(live)["nya iakttagelser"] == "18"
    frozen = snapshots.load_snapshot(engine, snapshot_id).deck
    assert "till 70,0\u00a0%" in statistics_sentence(frozen)
    assert since_counts(frozen)["nya iakttagelser"] == "17"
    assert "Klotter i uppgången" not in frozen.all_text()


def test_the_page_shows_a_snapshot_as_it_was_locked(engine, app_test):
    snapshot_id = snapshots.lock(engine, build_deck(engine, MEETING, 41), LOCKED_AT, by=EDITOR)
    change_the_data(engine)
    at = app_test("pages/radsmote.py", query={"ogonblick": str(snapshot_id), "bild": "12"})
    body = "\n".join(h.proto.body for h in at.get("html"))
    assert "till 70,0\u00a0%" in body and "61,0" not in body
    proto = at.get("vega_lite_chart")[0].proto
    drawn = pd.concat(pa.ipc.open_stream(d.data.data).read_pandas() for d in proto.datasets)
    assert drawn.loc[(drawn["series"] == "Norrmalm") & (drawn["year"] == 2016), "share"].tolist() == [70.0]


def test_round_table_answers_are_kept_with_the_snapshot(engine):
    agenda.add_answer(engine, MEETING, "Fastighetsägarna", "Fler inbrott i källare.", "", "Belysning.", LOCKED_AT, by=EDITOR)
    snapshot_id = snapshots.lock(engine, build_deck(engine, MEETING, 41), LOCKED_AT, by=EDITOR)
    agenda.delete_answer(engine, int(agenda.load_answers(engine, MEETING)["id"].iloc[0]), by=EDITOR)
    assert "Fastighetsägarna" not in build_deck(engine, MEETING, 41).all_text()
    round_table = next(s for s in snapshots.load_snapshot(engine, snapshot_id).deck.slides if s.kind == "laget_runt")
    assert round_table.columns[0][1].content["rows"] == [["Fastighetsägarna", "Fler inbrott i källare.", "",
                                                          "Belysning."]]


def test_a_changed_snapshot_no_longer_matches_its_hash(engine):
    snapshot_id = snapshots.lock(engine, build_deck(engine, MEETING, 41), LOCKED_AT, by=EDITOR)
    with engine.begin() as conn:
        content = conn.execute(select(db.snapshot.c.content)).scalar_one()
        conn.execute(update(db.snapshot).values(content=content.replace("70,0", "75,0")))
    snapshot = snapshots.load_snapshot(engine, snapshot_id)
    assert not snapshot.intact
    assert "VARNING: innehållet stämmer inte längre med kontrollsumman." in snapshot.describe()


def test_snapshots_are_listed_newest_first(engine):
    first = snapshots.lock(engine, build_deck(engine, MEETING, 41), LOCKED_AT, by=EDITOR)
    second = snapshots.lock(engine, build_deck(engine, MEETING, 41), LOCKED_AT + dt.timedelta(hours=1), by=EDITOR)
    assert list(snapshots.list_snapshots(engine)["id"]) == [second, first]
    assert snapshots.load_snapshot(engine, 999) is None
