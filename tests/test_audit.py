"""The audit trail, removal and restore, optimistic locking and two writers at once (SQLite)."""
from __future__ import annotations

import datetime as dt

import pytest

from lagesbild import agenda, audit, cooperation, db, places, pledges
from lagesbild.auth import NotAllowed
from lagesbild.example import open_database
from lagesbild.problems import InputError
from write_checks import (ADMIN, EDITOR, TODAY, check_a_removed_record_is_hidden_and_restorable,
                          check_a_stale_edit_is_refused, check_an_edit_is_in_the_trail_with_before_and_after,
                          check_two_concurrent_writers_lose_nothing)


def test_an_edit_is_in_the_trail_with_before_and_after(engine):
    check_an_edit_is_in_the_trail_with_before_and_after(engine)


def test_a_removed_record_is_hidden_and_restorable(engine):
    check_a_removed_record_is_hidden_and_restorable(engine)


def test_a_stale_edit_is_refused(engine):
    check_a_stale_edit_is_refused(engine)


def test_two_concurrent_writers_lose_nothing(engine, tmp_path):
    check_two_concurrent_writers_lose_nothing(lambda: db.connect(tmp_path / "test.sqlite"))


def test_the_sqlite_database_runs_in_wal_mode(engine):
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_every_kind_of_record_can_be_removed_and_leaves_the_views(engine):
    meeting_id = cooperation.add_meeting(engine, "radet", dt.date(2017, 2, 1), "Möte hölls.", "", "öppen", TODAY, by=EDITOR)
    pledge_id = int(pledges.load_pledges(engine)["id"].iloc[0])
    progress_id = pledges.add_progress(engine, pledge_id, dt.date(2017, 2, 1), "Insats.", 1, "öppen", TODAY, by=EDITOR)
    answer_id = agenda.add_answer(engine, TODAY, "SL", "Lugnt.", "", "", dt.datetime(2017, 3, 1, 10), by=EDITOR)
    action_id = places.add_action(engine, "Odenplan", dt.date(2017, 2, 1), "Polisen", "Patrull.", "genomförd", "öppen",
                                  today=TODAY, by=EDITOR)
    place_id = places.add_place(engine, "Tegnérlunden", 59.33786, 18.05865, "Norrmalm", None, "ny", None, by=EDITOR)
    for table, record_id in (("meeting", meeting_id), ("pledge_progress", progress_id), ("round_answer", answer_id),
                             ("action", action_id), ("place", place_id)):
        audit.remove(engine, table, record_id, EDITOR)
    assert meeting_id not in set(cooperation.load_meetings(engine, include_internal=True)["id"])
    assert progress_id not in set(pledges.load_progress(engine, include_internal=True)["id"])
    assert agenda.load_answers(engine, TODAY).empty
    assert action_id not in set(places.load_actions(engine, include_internal=True)["id"])
    assert "Tegnérlunden" not in set(places.load_places(engine)["name"])
    assert len(audit.load_removed(engine, ADMIN)) == 5
    audit.restore(engine, "place", place_id, ADMIN)
    assert "Tegnérlunden" in set(places.load_places(engine)["name"])


def test_removing_twice_or_restoring_what_is_there_is_refused_in_swedish(engine):
    observation_id = int(places.load_observations(engine)["id"].iloc[0])
    with pytest.raises(InputError, match="är inte borttagen"):
        audit.restore(engine, "observation", observation_id, ADMIN)
    audit.remove(engine, "observation", observation_id, EDITOR)
    with pytest.raises(InputError, match="redan borttagen"):
        audit.remove(engine, "observation", observation_id, EDITOR)


def test_an_editor_may_remove_but_only_an_administrator_may_restore_or_read_the_trail(engine):
    observation_id = int(places.load_observations(engine)["id"].iloc[0])
    audit.remove(engine, "observation", observation_id, EDITOR)
    with pytest.raises(NotAllowed, match="återställa"):
        audit.restore(engine, "observation", observation_id, EDITOR)
    with pytest.raises(NotAllowed, match="ändringsloggen"):
        audit.load_log(engine, EDITOR)


def test_an_import_is_in_the_trail(engine):
    frame = places.read_observations("obs.csv", (
        "plats;datum;kategori;organisation;beskrivning;sekretess\n"
        "Odenplan;2016-12-01;annat;SL;Klotter.;öppen\n").encode())
    places.import_observations(engine, "obs.csv", frame, by=ADMIN)
    entry = audit.load_log(engine, ADMIN, action="import").iloc[0]
    assert entry["username"] == "admin.norrmalm" and '"fil": "obs.csv"' in entry["after"]


def test_an_agenda_edit_keeps_the_agenda_before_and_after(engine):
    frame = agenda.load_agenda(engine)
    frame.loc[0, "rubrik"] = "Ny rubrik"
    agenda.save_agenda(engine, frame, by=EDITOR)
    entry = audit.load_log(engine, ADMIN, table_name="agenda_item").iloc[0]
    assert "Ny rubrik" in entry["after"] and "Ny rubrik" not in entry["before"]


def test_the_trail_filters_by_person_and_date(engine):
    places.update_place(engine, "Odenplan", "bevakas", "A.", None, "", today=TODAY, by=EDITOR)
    places.update_place(engine, "Jarlaplan", "bevakas", "B.", None, "", today=TODAY, by=ADMIN)
    assert set(audit.load_log(engine, ADMIN, username="anna.andersson")["record_id"]) == {
        str(places.load_places(engine).set_index("name").loc["Odenplan", "id"])}
    assert audit.load_log(engine, ADMIN, until=dt.date(2000, 1, 1)).empty
    assert audit.log_people(engine) == ["admin.norrmalm", "anna.andersson"]


# --- the forms on Karta -------------------------------------------------------------------------------------

def open_map_at(place: str, role: str = "redaktör"):
    from roles import open_app

    at = open_app(None, role)  # the start page first: the place is chosen before Karta runs
    at.session_state["map_place"] = place
    at.switch_page("pages/karta.py").run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_the_place_form_refuses_a_save_on_top_of_someone_elses(engine):
    at = open_map_at("Odenplan")
    suffix = next(s.key for s in at.selectbox if s.key.startswith("upd_status_")).removeprefix("upd_status_")
    # Meanwhile, someone else saves the same place.
    places.update_place(engine, "Odenplan", "avslutad", "Någon annans lägesbild.", None, "", today=TODAY, by=ADMIN)
    at.text_area(key=f"upd_situation_{suffix}").input("Min lägesbild.")
    at.button(key="upd_save").click().run()
    assert not at.exception
    assert any("har ändrats av någon annan" in e.value for e in at.error)
    assert places.load_places(engine).set_index("name").loc["Odenplan", "situation"] == "Någon annans lägesbild."


def test_an_observation_is_edited_and_removed_on_the_map_and_both_are_in_the_trail(engine):
    at = open_map_at("Vasaparken")
    chosen = at.selectbox(key="edit_obs_id").value
    tag = next(t.key for t in at.text_area if t.key.startswith("edit_text_")).removeprefix("edit_text_")
    at.text_area(key=f"edit_text_{tag}").input("Rättad: cannabisrökning sena kvällar.")
    at.button(key="edit_save").click().run()
    assert not at.exception
    assert places.load_observations(engine).set_index("id").loc[chosen, "description"] == \
        "Rättad: cannabisrökning sena kvällar."
    at.radio(key="remove_kind").set_value("observation").run()
    at.selectbox(key="remove").set_value(chosen).run()
    at.button(key="remove_go").click().run()
    assert not at.exception
    assert chosen not in set(places.load_observations(engine)["id"])
    log = audit.load_log(engine, ADMIN, table_name="observation")
    assert list(log["action"][:2]) == ["borttagen", "ändrad"] and set(log["username"][:2]) == {"test.redaktör"}


def test_an_administrator_restores_on_the_log_page(engine):
    from roles import open_app

    observation_id = int(places.load_observations(engine)["id"].iloc[0])
    audit.remove(engine, "observation", observation_id, EDITOR)
    at = open_app("pages/logg.py", "administratör")
    table = at.dataframe[0].value
    assert "borttagen" in set(table["Händelse"]) and "anna.andersson" in set(table["Vem"])
    at.button(key="restore_go").click().run()
    assert not at.exception
    assert observation_id in set(places.load_observations(engine)["id"])
    assert any("återställd" in s.value for s in at.success)


def test_a_meeting_removed_on_samverkan_leaves_the_count_and_is_in_the_trail(engine):
    from roles import open_app

    at = open_app("pages/samverkan.py", "redaktör")
    assert at.metric[1].value == "4 av 4"  # the Tobakstillsyn meetings
    tobacco = cooperation.load_meetings(engine).query("forum_id == 'tobakstillsyn'")
    at.selectbox(key="meeting_remove").set_value(int(tobacco["id"].iloc[0])).run()
    at.button(key="meeting_remove_go").click().run()
    assert not at.exception
    assert at.metric[1].value == "3 av 4"
    assert audit.load_log(engine, ADMIN, table_name="meeting").iloc[0]["action"] == "borttagen"
