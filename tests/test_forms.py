"""Forms people can use: one save per submit, a busy database waited out, nothing typed is lost, plain messages."""
from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError
from streamlit.testing.v1 import AppTest

import ui
from lagesbild import cooperation, db, places
from lagesbild.problems import InputError, Problem
from roles import open_app





def fill_observation(at: AppTest, text: str = "Klotter i uppgången.") -> AppTest:
    at.selectbox(key="obs_place").set_value("Odenplan")
    at.selectbox(key="obs_category").set_value("annat")
    at.text_input(key="obs_org").input("SL")
    at.text_area(key="obs_text").input(text)
    at.radio(key="obs_secrecy").set_value("öppen")
    return at


def observation_count(text: str) -> int:
    engine = db.connect(os.environ["LAGESBILD_DATABASE"])
    try:
        return int((places.load_observations(engine)["description"] == text).sum())
    finally:
        engine.dispose()


def messages_in_form(at: AppTest, tab: int = 0) -> str:
    form = at.tabs[tab]
    return "\n".join(str(e.value) for kind in ("success", "warning", "error") for e in form.get(kind))


def test_a_save_clears_the_form_and_confirms_next_to_its_button():
    at = fill_observation(open_app("pages/karta.py", "redaktör"))
    at.button(key="obs_save").click().run()
    assert not at.exception
    assert "Iakttagelsen vid Odenplan är sparad" in messages_in_form(at)  # inside the form's tab, by the button
    assert at.text_area(key="obs_text").value == "" and at.text_input(key="obs_org").value == ""
    assert observation_count("Klotter i uppgången.") == 1


def test_the_same_observation_submitted_twice_is_saved_once():
    at = fill_observation(open_app("pages/karta.py", "redaktör"))
    at.button(key="obs_save").click().run()
    fill_observation(at)  # a second identical submit (a double click, or typed again at once)
    at.button(key="obs_save").click().run()
    assert not at.exception
    assert "Det här sparades nyss. Ingenting har sparats en gång till." in messages_in_form(at)
    assert observation_count("Klotter i uppgången.") == 1
    fill_observation(at, "Klotter i uppgången, igen på kvällen.")  # something new is saved as usual
    at.button(key="obs_save").click().run()
    assert observation_count("Klotter i uppgången, igen på kvällen.") == 1


def test_a_repeated_meeting_is_refused_and_a_different_one_saved():
    at = open_app("pages/samverkan.py", "redaktör")

    def submit(done: str) -> None:
        at.radio(key="meeting_secrecy").set_value("öppen")
        at.text_area(key="meeting_done").input(done)
        at.button(key="meeting_save").click().run()
        assert not at.exception

    submit("Genomgång av läget.")
    assert any("är sparat" in s.value for s in at.success)
    submit("Genomgång av läget.")
    assert any("Ingenting har sparats en gång till" in w.value for w in at.warning)
    engine = db.connect(os.environ["LAGESBILD_DATABASE"])
    assert (cooperation.load_meetings(engine)["done"] == "Genomgång av läget.").sum() == 1
    engine.dispose()


@pytest.fixture
def no_waiting(monkeypatch):
    """A busy database is found out at once, and the waits between tries are recorded instead of slept."""
    waits: list[float] = []
    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 20)
    monkeypatch.setattr(db, "_sleep", waits.append)
    return waits


def test_a_save_waits_for_a_busy_database_says_so_and_keeps_what_was_typed(no_waiting):
    at = fill_observation(open_app("pages/karta.py", "redaktör"), "Trasig belysning vid entrén.")
    blocker = sqlite3.connect(os.environ["LAGESBILD_DATABASE"], isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # a long import holds the write lock
    try:
        at.button(key="obs_save").click().run()
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert not at.exception
    assert no_waiting == list(db.RETRY_WAITS)  # it waited and tried again, more than once
    assert any("Väntar och försöker igen" in t.value for t in at.toast)  # and said so while waiting
    assert ui.BUSY_TEXT in messages_in_form(at)
    assert "Traceback" not in messages_in_form(at) and "locked" not in messages_in_form(at)
    assert at.text_area(key="obs_text").value == "Trasig belysning vid entrén."  # nothing typed is lost
    assert observation_count("Trasig belysning vid entrén.") == 0
    at.button(key="obs_save").click().run()  # the lock is gone: the same form saves
    assert observation_count("Trasig belysning vid entrén.") == 1


def test_retry_when_busy_tries_again_and_gives_up_with_a_named_error(no_waiting):
    calls, told = [], []

    def busy_twice() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise OperationalError("INSERT", {}, sqlite3.OperationalError("database is locked"))
        return "sparat"

    assert db.retry_when_busy(busy_twice, on_wait=lambda n, s: told.append(n)) == "sparat"
    assert len(calls) == 3 and told == [1, 2]

    def always_busy() -> None:
        raise OperationalError("INSERT", {}, sqlite3.OperationalError("database is locked"))

    with pytest.raises(db.DatabaseBusy):
        db.retry_when_busy(always_busy)

    def wrong() -> None:
        raise ValueError("not a busy database")

    with pytest.raises(ValueError):  # anything else is not retried
        db.retry_when_busy(wrong)


@pytest.mark.parametrize("problem, shown", [
    (Problem("formuläret", "värde saknas", None, "plats"), "Välj en plats"),
    (Problem("formuläret", "värde saknas", None, "beskrivning"), "Skriv en beskrivning"),
    (Problem("formuläret", "välj öppen eller intern", None, "sekretess"), "Välj sekretess: öppen eller intern"),
    (Problem("formuläret", "2030-01-01 har inte inträffat än", None, "datum"), "2030-01-01 har inte inträffat än"),
])
def test_form_problems_speak_to_the_person(problem, shown):
    assert ui.form_message(problem) == shown


def test_a_stale_edit_says_nothing_was_saved_once(monkeypatch):
    from lagesbild.audit import StaleEdit

    shown = []
    monkeypatch.setattr(ui.st, "error", lambda text, **_: shown.append(text))
    ui.show_input_error(StaleEdit([Problem("formuläret", "Platsen har ändrats av någon annan sedan du öppnade den. "
                                                         "Ingenting har sparats: läs in sidan igen.")]))
    assert shown[0].count("Ingenting har sparats") == 1
    assert "formuläret" not in shown[0]


def test_missing_fields_in_a_form_are_one_message_each():
    from roles import actor

    with pytest.raises(InputError) as caught:
        places.add_place(db.connect(os.environ["LAGESBILD_DATABASE"]), "", None, None, "", None, "ny", None,
                         by=actor("redaktör"))
    lines = [ui.form_message(p) for p in caught.value.problems]
    assert "Skriv platsens namn" in lines and "Välj en punkt på kartan eller skriv koordinaterna" in lines


def test_the_agenda_editor_on_the_meeting_page_uses_labels():
    at = open_app("pages/radsmote.py", "redaktör")
    import json

    columns = json.loads(next(e for e in at.dataframe if '"typ"' in e.proto.columns).proto.columns)
    assert columns["typ"]["label"] == "Typ av bild"
    assert {"value": "sedan_senast", "label": "Sedan senaste mötet"} in columns["typ"]["type_config"]["options"]
    assert "kolon" in columns["text"]["help"] and "#" not in columns["text"]["help"]
