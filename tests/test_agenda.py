"""The council meeting's agenda and answers as data, and what only the Rådsmöte page does, through AppTest.

The slide model and the page's view are tested in milliseconds in test_views_deck.py."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lagesbild import agenda, db
from lagesbild.problems import InputError
from lagesbild.audit import Actor
from lagesbild.views.deck import build_deck
from roles import open_app

EDITOR = Actor("test.redaktor", "redaktör")

ROOT = Path(__file__).resolve().parents[1]
MEETING = dt.date(2016, 12, 14)
NOW = dt.datetime(2016, 12, 14, 10, 30)
HEADER = "nr;typ;rubrik;källa;text\n"


def example_titles() -> list[str]:
    frame = agenda.read_agenda("dagordning.csv", (ROOT / "data" / "dagordning.csv").read_bytes())
    return list(frame["rubrik"])


# --------------------------------------------------------------------------- the agenda as data

def test_a_bad_agenda_file_reports_every_problem_with_row_and_column():
    data = (HEADER + "1;titel;Rådet;;\n1;bildspel;Fel typ;;\n3;aktivitet;Utan källa;;\n"
            "4;statistik;Trasig källa;medborgarundersokningen;\n5;statistik;Okänd;gallup/trygg;\n"
            "6;text;Text;;Ring 19121212-1212\n7;laget_runt;Laget runt;;\"Fråga ett\nFråga två\"\n").encode()
    with pytest.raises(InputError) as caught:
        agenda.read_agenda("dagordning.csv", data)
    problems = [str(p) for p in caught.value.problems]
    assert 'dagordning.csv rad 3, kolumn "typ": "bildspel" är inte ett tillåtet värde' in problems[0]
    with pytest.raises(InputError) as caught:
        agenda.read_agenda("dagordning.csv", data.replace(b"bildspel", b"text"))
    problems = "\n".join(str(p) for p in caught.value.problems)
    assert 'rad 3, kolumn "nr": nummer 1 finns redan på rad 2' in problems
    assert 'rad 4, kolumn "källa": ange samverkansaktivitetens id' in problems
    assert 'rad 5, kolumn "källa": "medborgarundersokningen" är inte undersökning/indikator' in problems
    assert 'rad 6, kolumn "källa": okänd undersökning "gallup"' in problems
    assert 'rad 7, kolumn "text": texten innehåller ett personnummer' in problems
    assert 'rad 8, kolumn "text": skriv de 3 frågorna' in problems


def test_an_agenda_naming_an_unknown_activity_is_refused_and_changes_nothing(engine):
    frame = agenda.read_agenda("ny.csv", (HEADER + "1;aktivitet;Okänd;grannsamverkan;\n").encode())
    with pytest.raises(InputError, match='ny.csv rad 2, kolumn "källa": okänd samverkansaktivitet "grannsamverkan"'):
        with engine.begin() as conn:
            agenda.store_agenda(conn, frame, None, "ny.csv")
    assert list(agenda.load_agenda(engine)["rubrik"]) == example_titles()


def test_an_edited_agenda_is_saved_and_the_slides_follow_it(engine):
    edited = agenda.load_agenda(engine)
    edited.loc[edited["typ"] == "platser", "rubrik"] = "Otrygga platser i Norrmalm"
    edited = edited[edited["typ"] != "dagordning"]
    agenda.save_agenda(engine, edited, by=EDITOR)
    titles = [s.title for s in build_deck(engine, MEETING, 41).slides]
    assert "Otrygga platser i Norrmalm" in titles and "Dagordning" not in titles
    with pytest.raises(InputError) as caught:
        agenda.save_agenda(engine, edited.assign(typ=["titel", *["okänd"] * (len(edited) - 1)]), by=EDITOR)
    assert str(caught.value.problems[0]) == 'dagordningen rad 2, kolumn "typ": välj en av ' + ", ".join(agenda.KIND_LABELS.values())


# --------------------------------------------------------------------------- laget runt

def test_round_table_answers_are_guarded_for_personal_data(engine):
    with pytest.raises(InputError) as caught:
        agenda.add_answer(engine, MEETING, " ", "Ring mig på 070-123 45 67", "", "anna@example.se", NOW, by=EDITOR)
    problems = [str(p) for p in caught.value.problems]
    assert problems[0] == 'formuläret kolumn "organisation": skriv organisationens namn'
    assert any('kolumn "situation": texten innehåller ett mobilnummer' in p for p in problems)
    assert any('kolumn "behov": texten innehåller en e-postadress' in p for p in problems)
    assert agenda.load_answers(engine, MEETING).empty


def test_a_database_from_before_agendas_gets_the_default_agenda(engine):
    from sqlalchemy import delete

    with engine.begin() as conn:
        conn.execute(delete(db.agenda_item))
    assert build_deck(engine, MEETING, 41).slides == []
    assert agenda.load_default_agenda(engine, by=EDITOR) == len(example_titles())
    assert [s.title for s in build_deck(engine, MEETING, 41).slides] == example_titles()


# --------------------------------------------------------------------------- the Rådsmöte page

def run_meeting_page(role: str = "redaktör", **query: str) -> AppTest:
    return open_app("pages/radsmote.py", role, query=query)


def slide_html(at: AppTest) -> str:
    return "\n".join(h.proto.body for h in at.get("html"))


def test_the_page_opens_on_the_slide_in_the_url_and_steps_through_the_agenda():
    titles = example_titles()
    at = run_meeting_page(bild="12", datum="2016-12-14")
    assert f"<h1>{titles[11]}</h1>" in slide_html(at)
    assert len(at.get("vega_lite_chart")) == 1
    assert any("Exempeldata" in w.value for w in at.warning)
    at.button(key="slide_next").click().run()
    assert not at.exception
    assert at.query_params["bild"] == "13" and f"<h1>{titles[12]}</h1>" in slide_html(at)
    at.button(key="slide_pageup").click().run()
    at.button(key="slide_pageup").click().run()
    assert at.query_params["bild"] == "11" and f"<h1>{titles[10]}</h1>" in slide_html(at)


def test_the_preparation_view_starts_the_presentation_at_the_first_slide():
    at = run_meeting_page()
    assert at.title[0].value == "Rådsmöte"
    assert at.date_input(key="meeting_date").value == MEETING
    at.button(key="start").click().run()
    assert not at.exception
    assert at.query_params["bild"] == "1" and at.query_params["datum"] == "2016-12-14"
    assert f"<h1>{example_titles()[0]}</h1>" in slide_html(at)


def test_answers_typed_in_the_meeting_are_shown_as_text():
    at = run_meeting_page(bild="18")
    at.text_input(key="answer_org").input("Skolan <b>Norra Real</b>")
    at.text_area(key="answer_0").input("Inbrott *på* skolan.")
    at.button(key="answer_save").click().run()
    assert not at.exception
    body = slide_html(at)
    assert "Skolan &lt;b&gt;Norra Real&lt;/b&gt;" in body and "Inbrott *på* skolan." in body
    assert at.text_input(key="answer_org").value == "", "the form is ready for the next organisation"


def test_an_answer_with_personal_data_is_refused_and_kept_for_correcting():
    at = run_meeting_page(bild="18")
    at.text_input(key="answer_org").input("Skolan")
    at.text_area(key="answer_2").input("Kontakta 19121212-1212")
    at.button(key="answer_save").click().run()
    assert not at.exception
    assert "texten innehåller ett personnummer" in at.error[0].value and "Ingenting har sparats" in at.error[0].value
    assert at.text_area(key="answer_2").value == "Kontakta 19121212-1212"
    assert "Inga svar är antecknade än." in slide_html(at)


def test_a_mistaken_answer_can_be_removed_before_the_minutes(engine):
    agenda.add_answer(engine, MEETING, "Fel organisation", "Svar.", "", "", NOW, by=EDITOR)
    agenda.add_answer(engine, MEETING, "SL", "Nya stationer.", "", "", NOW, by=EDITOR)
    at = run_meeting_page()
    assert at.selectbox(key="answer_pick").options == ["Fel organisation", "SL"]
    assert at.selectbox(key="answer_pick").label == "Svar från laget runt 2016-12-14"
    mistaken = int(agenda.load_answers(engine, MEETING)["id"].iloc[0])
    at.selectbox(key="answer_pick").set_value(mistaken).run()
    at.button(key="answer_pick_go").click().run()
    assert not at.exception
    assert list(agenda.load_answers(engine, MEETING)["organisation"]) == ["SL"]
    assert at.success[0].value.startswith("Borttaget.")
    assert at.selectbox(key="answer_pick").options == ["SL"]


def test_locking_from_the_menu_stores_the_deck_that_is_shown(tmp_path):
    at = run_meeting_page(bild="6")
    at.button(key="lock").click().run()
    assert not at.exception
    engine = db.connect(str(tmp_path / "test.sqlite"))
    from lagesbild import snapshots

    (snapshot_id,) = snapshots.list_snapshots(engine)["id"]
    stored = snapshots.load_snapshot(engine, int(snapshot_id))
    assert stored.intact and [s.title for s in stored.deck.slides] == example_titles()
    opened = run_meeting_page(ogonblick=str(snapshot_id), bild="6")
    assert f"<h1>{example_titles()[5]}</h1>" in slide_html(opened)
    assert any("Låst lägesbild från rådsmötet 2016-12-14" in c.value for c in opened.caption)
    assert "lock" not in [b.key for b in opened.button]


