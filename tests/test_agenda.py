"""The council meeting's agenda and slide model, and the Rådsmöte page through AppTest."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import insert, select
from streamlit.testing.v1 import AppTest

from lagesbild import agenda, cooperation, db, pledges, places, surveys
from lagesbild.problems import InputError
from lagesbild.audit import Actor
from roles import as_role

EDITOR = Actor("test.redaktor", "redaktör")
ADMIN = Actor("test.admin", "administratör")

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app.py"
MEETING = dt.date(2016, 12, 14)
NOW = dt.datetime(2016, 12, 14, 10, 30)
HEADER = "nr;typ;rubrik;källa;text\n"


def example_titles() -> list[str]:
    frame = agenda.read_agenda("dagordning.csv", (ROOT / "data" / "dagordning.csv").read_bytes())
    return list(frame["rubrik"])


def slide_of(deck: agenda.Deck, kind: str, index: int = 0) -> agenda.Slide:
    return [s for s in deck.slides if s.kind == kind][index]


def add_rows(engine, table, rows: list[dict]) -> None:
    with engine.begin() as conn:
        conn.execute(insert(table), rows)
        db.bump_version(conn)


def place_id(engine, name: str) -> int:
    with engine.connect() as conn:
        return conn.execute(select(db.place.c.id).where(db.place.c.name == name)).scalar_one()


# --------------------------------------------------------------------------- the agenda as data

def test_the_example_agenda_gives_one_slide_per_item_in_the_decks_order(engine):
    deck = agenda.build_deck(engine, MEETING, 41)
    assert [s.title for s in deck.slides] == example_titles()
    assert [s.number for s in deck.slides] == list(range(1, len(deck.slides) + 1))
    kinds = [s.kind for s in deck.slides]
    # purpose → organisation → activities → places → statistics → qualitative → pledges → round the table
    assert kinds.index("organisation") < kinds.index("aktivitet") < kinds.index("platser") \
        < kinds.index("statistik") < kinds.index("medborgarloften") < kinds.index("laget_runt") == len(kinds) - 1
    assert deck.notice.startswith("Exempeldata.")


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
    titles = [s.title for s in agenda.build_deck(engine, MEETING, 41).slides]
    assert "Otrygga platser i Norrmalm" in titles and "Dagordning" not in titles
    with pytest.raises(InputError) as caught:
        agenda.save_agenda(engine, edited.assign(typ=["titel", *["okänd"] * (len(edited) - 1)]), by=EDITOR)
    assert str(caught.value.problems[0]) == 'dagordningen rad 2, kolumn "typ": välj en av ' + ", ".join(agenda.KIND_LABELS.values())


def test_text_items_become_headings_and_bullets():
    blocks = agenda.text_blocks("# Mål\nMinska brottsligheten.\n\n# Syfte\nSprida.\nFörankra.")
    assert [(b.kind, b.content) for b in blocks] == [
        ("heading", {"text": "Mål"}), ("bullets", {"items": ["Minska brottsligheten."]}),
        ("heading", {"text": "Syfte"}), ("bullets", {"items": ["Sprida.", "Förankra."]})]


# --------------------------------------------------------------------------- what the slides show

def test_internal_material_never_reaches_the_slides_even_when_the_viewer_may_see_it(engine, monkeypatch):
    # The deck is built without any role: nothing a viewer may see reaches the slides unless it is öppen.
    vasaparken = place_id(engine, "Vasaparken")
    for secrecy, word in (("intern", "HEMLIG"), ("öppen", "ÖPPEN")):
        add_rows(engine, db.meeting, [dict(forum_id="ffsp", date=dt.date(2016, 12, 13), done=f"{word} gjort",
                                           next=f"{word} nästa", confidentiality=secrecy)])
        add_rows(engine, db.observation, [dict(place_id=vasaparken, date=dt.date(2016, 12, 12), category="annat",
                                               organisation="Polisen", description=f"{word} iakttagelse",
                                               confidentiality=secrecy)])
        add_rows(engine, db.action, [dict(place_id=vasaparken, date=dt.date(2016, 12, 12), actor="Polisen",
                                          description=f"{word} åtgärd", status="planerad", confidentiality=secrecy)])
    deck_text = agenda.build_deck(engine, MEETING, 41).all_text()
    assert "HEMLIG" not in deck_text
    assert "ÖPPEN gjort" in deck_text  # the open twin of every internal row is shown: the filter, not luck
    for text in example_internal_texts():
        assert text not in deck_text


def example_internal_texts() -> list[str]:
    """Lines of the example data's intern rows that no open row also says."""
    def lines(frame, columns, secrecy):
        rows = frame[frame["sekretess"] == secrecy]
        return {line.strip() for c in columns for text in rows[c] for line in str(text).splitlines() if line.strip()}

    data = ROOT / "data"
    frames = [(cooperation.read_meetings("moten.csv", (data / "moten.csv").read_bytes()),
               ["vad_har_vi_gjort", "hur_fortsatter_vi"]),
              (places.read_observations("observationer.csv", (data / "observationer.csv").read_bytes()),
               ["beskrivning"]),
              (places.read_actions("atgarder.csv", (data / "atgarder.csv").read_bytes()), ["åtgärd"])]
    internal = set().union(*(lines(f, c, "intern") for f, c in frames))
    public = set().union(*(lines(f, c, "öppen") for f, c in frames))
    texts = sorted(internal - public)
    assert texts, "the example data has internal rows to look for"
    return texts


def test_since_the_last_meeting_counts_open_material_from_the_previous_council_meeting(engine):
    deck = agenda.build_deck(engine, MEETING, 41)
    slide = slide_of(deck, "sedan_senast")
    assert deck.since == dt.date(2016, 6, 15) and slide.subtitle == "Från rådsmötet 2016-06-15 till 2016-12-14"
    counts = {label: value for label, value in slide.columns[0][0].content["items"]}
    observations = places.load_observations(engine)
    expected = sum(dt.date(2016, 6, 15) <= d <= MEETING for d in observations["date"])
    assert counts["nya iakttagelser"] == str(expected)
    assert counts["nya undersökningsomgångar"] == "2"
    items = slide.columns[1][1].content["items"]
    assert "Hötorgsfaret (2016-12-06, ny plats)" in items
    # Jarlaplan's latest open entry is from September; its internal school report of 2016-12-05 is not counted.
    assert not any(item.startswith("Jarlaplan (2016-12") for item in items)
    assert ["Medborgarundersökningen 2016, ny omgång", "Stockholmsenkäten 2016, ny omgång"] == \
        slide.columns[1][-1].content["items"]


def test_nothing_after_the_meeting_date_is_shown(engine):
    add_rows(engine, db.observation, [dict(place_id=place_id(engine, "Odenplan"), date=dt.date(2017, 1, 10),
                                           category="annat", organisation="SL", description="Efter mötet",
                                           confidentiality="öppen")])
    assert "Efter mötet" not in agenda.build_deck(engine, MEETING, 41).all_text()
    assert "Odenplan (2017-01-10" in agenda.build_deck(engine, dt.date(2017, 6, 14), 41).all_text()


def test_an_activity_slide_shows_what_was_done_and_how_the_work_continues(engine):
    slide = [s for s in agenda.build_deck(engine, MEETING, 41).slides if s.title == "Ungdomar – Tobakstillsyn"][0]
    done, next_ = slide.columns
    assert done[0].content["text"] == "Vad har vi gjort" and next_[0].content["text"] == "Hur fortsätter vi"
    assert "Totalt har 29 butiker besökts på Norrmalm och Kungsholmen." in done[2].content["items"]
    assert "Fortsätta med samma mötesfrekvens och agenda." in next_[2].content["items"]
    assert slide.source.startswith("Möten: 4 av 4 planerade möten 2016")


def test_a_statistics_slide_carries_the_chart_data_and_the_change_with_its_test(engine):
    slide = slide_of(agenda.build_deck(engine, MEETING, 41), "statistik")
    chart = slide.columns[0][0]
    assert chart.kind == "chart"
    rows = [row for data in chart.content["spec"]["datasets"].values() for row in data]
    norrmalm = {row["year"]: row["share"] for row in rows if row["series"] == "Norrmalm"}
    assert norrmalm[2016] == 70.0 and norrmalm[2015] == 72.0
    sentences = slide.columns[1][-1].content["items"]
    assert sentences[0].startswith("Andelen trygga i Norrmalm minskade med 2,0 procentenheter 2015–2016")
    assert "inte statistiskt säkerställd" in sentences[0]
    assert slide.subtitle == "Medborgarundersökningen 2011–2016"


def test_survey_waves_after_the_meeting_year_wait_for_their_meeting(engine):
    extract = surveys.read_extract("mu2017.csv", ("undersökning;år;område;grupp;indikator;andel;antal_svar\n"
                                                  "Medborgarundersökningen;2017;Norrmalm;Alla;trygg_kvall;66,0;401\n")
                                   .encode())
    surveys.import_extract(engine, extract, by=ADMIN)
    assert slide_of(agenda.build_deck(engine, MEETING, 41), "statistik").subtitle.endswith("2011–2016")
    later = agenda.build_deck(engine, dt.date(2017, 12, 13), 41)
    assert slide_of(later, "statistik").subtitle.endswith("2011–2017")
    waves = slide_of(later, "sedan_senast").columns[1][-1].content["items"]
    assert "Medborgarundersökningen 2017, ny omgång" in waves


def test_pledges_show_the_status_rule_of_the_pledges_module(engine):
    before = slide_of(agenda.build_deck(engine, MEETING, 41), "medborgarloften")
    assert [b.content["status"] for b in before.blocks() if b.kind == "pledge"] == [None, None, None]
    assert before.blocks()[0].content["sentence"] == "Löftesåret 2017 har inte börjat än."
    on = dt.date(2017, 6, 14)
    frame = pledges.with_status(pledges.load_pledges(engine), pledges.load_progress(engine), on)
    during = slide_of(agenda.build_deck(engine, on, 41), "medborgarloften")
    shown = [(b.content["status"], b.content["sentence"]) for b in during.blocks() if b.kind == "pledge"]
    assert shown == list(zip(frame["status"], frame["sentence"]))


# --------------------------------------------------------------------------- laget runt

def test_round_table_answers_are_guarded_for_personal_data(engine):
    with pytest.raises(InputError) as caught:
        agenda.add_answer(engine, MEETING, " ", "Ring mig på 070-123 45 67", "", "anna@example.se", NOW, by=EDITOR)
    problems = [str(p) for p in caught.value.problems]
    assert problems[0] == 'formuläret kolumn "organisation": skriv organisationens namn'
    assert any('kolumn "situation": texten innehåller ett mobilnummer' in p for p in problems)
    assert any('kolumn "behov": texten innehåller en e-postadress' in p for p in problems)
    assert agenda.load_answers(engine, MEETING).empty


def test_recorded_answers_are_on_the_round_table_slide_of_their_meeting_only(engine):
    agenda.add_answer(engine, MEETING, "City i Samverkan", "Oro i Hötorgsfaret.", "Lugnare vid Sergels torg.",
                      "Fortsatt platssamverkan.", NOW, by=EDITOR)
    agenda.add_answer(engine, dt.date(2017, 6, 14), "SL", "Nya stationer.", "", "", NOW, by=EDITOR)
    rows = slide_of(agenda.build_deck(engine, MEETING, 41), "laget_runt").columns[0][1].content["rows"]
    assert rows == [["City i Samverkan", "Oro i Hötorgsfaret.", "Lugnare vid Sergels torg.",
                     "Fortsatt platssamverkan."]]


def test_the_slide_model_survives_json_unchanged(engine):
    deck = agenda.build_deck(engine, MEETING, 41, now=NOW)
    again = agenda.Deck.from_dict(json.loads(deck.to_json()))
    assert again == deck and again.to_json() == deck.to_json()


def test_the_default_meeting_is_the_examples_own_meeting_and_otherwise_today(engine, tmp_path):
    assert agenda.default_meeting_date(engine, dt.date(2026, 3, 1)) == MEETING
    empty = db.connect(str(tmp_path / "empty.sqlite"))
    assert agenda.default_meeting_date(empty, dt.date(2026, 3, 1)) == dt.date(2026, 3, 1)
    assert agenda.build_deck(empty, dt.date(2026, 3, 1), 41).slides == []


def test_a_database_from_before_agendas_gets_the_default_agenda(engine):
    from sqlalchemy import delete

    with engine.begin() as conn:
        conn.execute(delete(db.agenda_item))
    assert agenda.build_deck(engine, MEETING, 41).slides == []
    assert agenda.load_default_agenda(engine, by=EDITOR) == len(example_titles())
    assert [s.title for s in agenda.build_deck(engine, MEETING, 41).slides] == example_titles()


# --------------------------------------------------------------------------- the Rådsmöte page

def run_meeting_page(role: str = "redaktör", **params: str) -> AppTest:
    at = as_role(AppTest.from_file(str(APP), default_timeout=60), role)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    at.switch_page("pages/radsmote.py")
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


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


def test_a_slide_number_out_of_range_shows_the_nearest_slide():
    titles = example_titles()
    assert f"<h1>{titles[-1]}</h1>" in slide_html(run_meeting_page(bild="99"))
    assert f"<h1>{titles[0]}</h1>" in slide_html(run_meeting_page(bild="x"))


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
    at.button(key="answer_delete").click().run()
    assert not at.exception
    assert list(agenda.load_answers(engine, MEETING)["organisation"]) == ["SL"]


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


def test_an_unknown_snapshot_says_so():
    at = run_meeting_page(ogonblick="42", bild="1")
    assert at.error[0].value == "Den låsta lägesbilden finns inte."
