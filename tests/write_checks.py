"""Checks of every write's guarantees, run against SQLite (test_audit.py) and PostgreSQL (test_postgres.py)."""
from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Callable

import pytest
from sqlalchemy import Engine, func, select

from lagesbild import audit, db, places
from lagesbild.audit import Actor, StaleEdit

EDITOR = Actor("anna.andersson", "redaktör")
OTHER = Actor("kommunpolis", "redaktör")
ADMIN = Actor("admin.norrmalm", "administratör")
TODAY = dt.date(2017, 3, 1)


def place_version(engine: Engine, name: str) -> int:
    return int(places.load_places(engine).set_index("name").loc[name, "version"])


def check_an_edit_is_in_the_trail_with_before_and_after(engine: Engine) -> None:
    places.update_place(engine, "Odenplan", "avslutad", "Lugnt sedan hösten.", dt.date(2017, 4, 1), "Avsluta.",
                        today=TODAY, by=EDITOR)
    log = audit.load_log(engine, ADMIN, table_name="place")
    entry = log.iloc[0]
    assert (entry["username"], entry["role"], entry["action"]) == ("anna.andersson", "redaktör", "ändrad")
    before, after = json.loads(entry["before"]), json.loads(entry["after"])
    assert before["name"] == after["name"] == "Odenplan"
    assert after["status"] == "avslutad" and before["status"] != "avslutad"
    assert after["situation"] == "Lugnt sedan hösten." and after["next_followup"] == "2017-04-01"
    assert after["version"] == before["version"] + 1
    assert "status: " in audit.changed_fields(entry["before"], entry["after"])


def check_a_removed_record_is_hidden_and_restorable(engine: Engine) -> None:
    new_id = places.add_observation(engine, "Odenplan", dt.date(2017, 2, 1), "annat", "SL", "Klotter i uppgången.",
                                    "öppen", today=TODAY, by=EDITOR)
    audit.remove(engine, "observation", new_id, EDITOR)
    assert new_id not in set(places.load_observations(engine, include_internal=True)["id"])
    removed = audit.load_removed(engine, ADMIN)
    assert (removed["table"] == "observation").any() and new_id in set(removed["id"])
    with engine.connect() as conn:  # hidden, never deleted
        assert conn.execute(select(func.count()).select_from(db.observation)
                            .where(db.observation.c.id == new_id)).scalar() == 1
    audit.restore(engine, "observation", new_id, ADMIN)
    restored = places.load_observations(engine).set_index("id")
    assert restored.loc[new_id, "description"] == "Klotter i uppgången."
    actions = list(audit.load_log(engine, ADMIN, table_name="observation")["action"])
    assert actions[:3] == ["återställd", "borttagen", "ny"]


def check_a_stale_edit_is_refused(engine: Engine) -> None:
    opened = place_version(engine, "Vasaparken")  # two people open the same place
    places.update_place(engine, "Vasaparken", "bevakas", "Första ändringen.", None, "", today=TODAY, by=EDITOR,
                        version=opened)
    with pytest.raises(StaleEdit) as caught:
        places.update_place(engine, "Vasaparken", "avslutad", "Andra ändringen.", None, "", today=TODAY, by=OTHER,
                            version=opened)
    assert "har ändrats av någon annan" in str(caught.value)
    assert places.load_places(engine).set_index("name").loc["Vasaparken", "situation"] == "Första ändringen."
    observation = places.load_observations(engine).iloc[0]
    version = int(observation["version"])
    places.update_observation(engine, int(observation["id"]), version, observation["date"], "annat", "Polisen",
                              "Rättad beskrivning.", "öppen", today=TODAY, by=EDITOR)
    with pytest.raises(StaleEdit):
        places.update_observation(engine, int(observation["id"]), version, observation["date"], "annat", "SL",
                                  "Skriver över.", "öppen", today=TODAY, by=OTHER)
    assert places.load_observations(engine).set_index("id").loc[observation["id"], "description"] == "Rättad beskrivning."


def check_two_concurrent_writers_lose_nothing(make_engine: Callable[[], Engine], per_writer: int = 25) -> None:
    first, second = make_engine(), make_engine()
    before, version_before = len(places.load_observations(first)), db.data_version(first)
    start, errors = threading.Barrier(2), []

    def write(engine: Engine, who: Actor) -> None:
        try:
            start.wait()
            for n in range(per_writer):
                places.add_observation(engine, "Sergels torg", dt.date(2017, 2, 1), "annat", who.name,
                                       f"{who.name} nr {n}", "öppen", today=TODAY, by=who)
                places.update_place(engine, "Sergels torg", "bevakas", f"{who.name} {n}", None, "", today=TODAY, by=who)
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=write, args=(engine, who)) for engine, who in ((first, EDITOR), (second, OTHER))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [], errors
    after = places.load_observations(first)
    assert len(after) == before + 2 * per_writer
    assert {f"{who.name} nr {n}" for who in (EDITOR, OTHER) for n in range(per_writer)} <= set(after["description"])
    # Every write is in the trail exactly once, and the place's version counted every update.
    log = audit.load_log(first, ADMIN, limit=10_000)
    assert (log["table_name"] == "observation").sum() == 2 * per_writer
    assert (log["table_name"] == "place").sum() == 2 * per_writer
    # And the data version counted every write: a lost bump would leave some app process's cache stale for good.
    assert db.data_version(first) == version_before + 4 * per_writer
    first.dispose()
    second.dispose()
