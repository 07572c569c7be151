"""The slide model (lagesbild.views.deck) and the Rådsmöte screen's view (lagesbild.views.radsmote), in milliseconds:
what each slide shows, that only open material reaches the room, and what the page's buttons and texts are."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import insert, select

from lagesbild import agenda, cooperation, db, pledges, places, snapshots, surveys
from lagesbild.audit import Actor
from lagesbild.problems import InputError
from lagesbild.views import radsmote as view
from lagesbild.views.deck import Deck, Slide, build_deck, default_meeting_date, editable_text, is_subheading, text_blocks
from test_agenda import example_titles

EDITOR = Actor("test.redaktor", "redaktör")
ADMIN = Actor("test.admin", "administratör")

ROOT = Path(__file__).resolve().parents[1]
MEETING = dt.date(2016, 12, 14)
NOW = dt.datetime(2016, 12, 14, 10, 30)


def slide_of(deck: Deck, kind: str, index: int = 0) -> Slide:
    return [s for s in deck.slides if s.kind == kind][index]


def add_rows(engine, table, rows: list[dict]) -> None:
    with engine.begin() as conn:
        conn.execute(insert(table), rows)
        db.bump_version(conn)


def place_id(engine, name: str) -> int:
    with engine.connect() as conn:
        return conn.execute(select(db.place.c.id).where(db.place.c.name == name)).scalar_one()


def test_the_example_agenda_gives_one_slide_per_item_in_the_decks_order(engine):
    deck = build_deck(engine, MEETING, 41)
    assert [s.title for s in deck.slides] == example_titles()
    assert [s.number for s in deck.slides] == list(range(1, len(deck.slides) + 1))
    kinds = [s.kind for s in deck.slides]
    # purpose → organisation → activities → places → statistics → qualitative → pledges → round the table
    assert kinds.index("organisation") < kinds.index("aktivitet") < kinds.index("platser") \
        < kinds.index("statistik") < kinds.index("medborgarloften") < kinds.index("laget_runt") == len(kinds) - 1
    assert deck.notice.startswith("Exempeldata.")


def test_text_items_become_headings_and_bullets():
    blocks = text_blocks("# Mål\nMinska brottsligheten.\n\n# Syfte\nSprida.\nFörankra.")
    assert [(b.kind, b.content) for b in blocks] == [
        ("heading", {"text": "Mål"}), ("bullets", {"items": ["Minska brottsligheten."]}),
        ("heading", {"text": "Syfte"}), ("bullets", {"items": ["Sprida.", "Förankra."]})]


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
    deck_text = build_deck(engine, MEETING, 41).all_text()
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
    deck = build_deck(engine, MEETING, 41)
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
    assert "Efter mötet" not in build_deck(engine, MEETING, 41).all_text()
    assert "Odenplan (2017-01-10" in build_deck(engine, dt.date(2017, 6, 14), 41).all_text()


def test_an_activity_slide_shows_what_was_done_and_how_the_work_continues(engine):
    slide = [s for s in build_deck(engine, MEETING, 41).slides if s.title == "Ungdomar – Tobakstillsyn"][0]
    done, next_ = slide.columns
    assert done[0].content["text"] == "Vad har vi gjort" and next_[0].content["text"] == "Hur fortsätter vi"
    assert "Totalt har 29 butiker besökts på Norrmalm och Kungsholmen." in done[2].content["items"]
    assert "Fortsätta med samma mötesfrekvens och agenda." in next_[2].content["items"]
    assert slide.source.startswith("Möten: 4 av 4 planerade möten 2016")


def test_a_statistics_slide_carries_the_chart_data_and_the_change_with_its_test(engine):
    slide = slide_of(build_deck(engine, MEETING, 41), "statistik")
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
    assert slide_of(build_deck(engine, MEETING, 41), "statistik").subtitle.endswith("2011–2016")
    later = build_deck(engine, dt.date(2017, 12, 13), 41)
    assert slide_of(later, "statistik").subtitle.endswith("2011–2017")
    waves = slide_of(later, "sedan_senast").columns[1][-1].content["items"]
    assert "Medborgarundersökningen 2017, ny omgång" in waves


def test_pledges_show_the_status_rule_of_the_pledges_module(engine):
    before = slide_of(build_deck(engine, MEETING, 41), "medborgarloften")
    assert [b.content["status"] for b in before.blocks() if b.kind == "pledge"] == [None, None, None]
    assert before.blocks()[0].content["sentence"] == "Löftesåret 2017 har inte börjat än."
    on = dt.date(2017, 6, 14)
    frame = pledges.with_status(pledges.load_pledges(engine), pledges.load_progress(engine), on)
    during = slide_of(build_deck(engine, on, 41), "medborgarloften")
    shown = [(b.content["status"], b.content["sentence"]) for b in during.blocks() if b.kind == "pledge"]
    assert shown == list(zip(frame["status"], frame["sentence"]))


def test_recorded_answers_are_on_the_round_table_slide_of_their_meeting_only(engine):
    agenda.add_answer(engine, MEETING, "City i Samverkan", "Oro i Hötorgsfaret.", "Lugnare vid Sergels torg.",
                      "Fortsatt platssamverkan.", NOW, by=EDITOR)
    agenda.add_answer(engine, dt.date(2017, 6, 14), "SL", "Nya stationer.", "", "", NOW, by=EDITOR)
    rows = slide_of(build_deck(engine, MEETING, 41), "laget_runt").columns[0][1].content["rows"]
    assert rows == [["City i Samverkan", "Oro i Hötorgsfaret.", "Lugnare vid Sergels torg.",
                     "Fortsatt platssamverkan."]]


def test_the_slide_model_survives_json_unchanged(engine):
    deck = build_deck(engine, MEETING, 41, now=NOW)
    again = Deck.from_dict(json.loads(deck.to_json()))
    assert again == deck and again.to_json() == deck.to_json()


def test_the_default_meeting_is_the_examples_own_meeting_and_otherwise_today(engine, tmp_path):
    assert default_meeting_date(engine, dt.date(2026, 3, 1)) == MEETING
    empty = db.connect(str(tmp_path / "empty.sqlite"))
    assert default_meeting_date(empty, dt.date(2026, 3, 1)) == dt.date(2026, 3, 1)
    assert build_deck(empty, dt.date(2026, 3, 1), 41).slides == []


def test_the_agenda_editor_needs_no_markup_and_shows_labels():
    assert editable_text("# Mål\nTrygg stadsdel\n# Syfte med mötet\nDela lägesbilden") == \
        "Mål:\nTrygg stadsdel\nSyfte med mötet:\nDela lägesbilden"
    # What the editor shows is read back the same as the file's "#" lines: a heading and its bullets.
    assert text_blocks("Mål:\nTrygg stadsdel") == text_blocks("# Mål\nTrygg stadsdel")
    assert not is_subheading("Vad har hänt sedan i juni? Se nedan: punkterna")  # colon inside: a bullet
    assert agenda.KIND_LABELS["sedan_senast"] == "Sedan senaste mötet"
    assert set(agenda.KIND_LABELS) == set(agenda.KINDS)


# --------------------------------------------------------------------------- the Rådsmöte screen's view

def test_the_agenda_editor_shows_labels_and_no_markup(engine):
    columns = {name: getattr(st.column_config, kind)(**about) for name, (kind, about) in view.AGENDA_COLUMNS.items()}
    assert list(columns) == list(agenda.load_agenda(engine).columns)
    kinds = {o["value"]: o["label"] for o in columns["typ"]["type_config"]["options"]}
    assert kinds["sedan_senast"] == "Sedan senaste mötet" and set(kinds) == set(agenda.KINDS)
    shown = view.editable_agenda(agenda.load_agenda(engine))
    assert not any(line.startswith("#") for text in shown["text"] for line in text.splitlines())
    assert "- **Statistik** – en indikator med 95 % konfidensintervall" in view.KIND_HELP


def test_a_slide_number_out_of_range_shows_the_nearest_slide_and_the_bar_stays_inside_the_deck():
    assert view.slide_number("99", 18) == 18 and view.slide_number("x", 18) == 1 and view.slide_number(None, 18) == 1
    where = {"datum": "2016-12-14"}
    previous, following, page_up, page_down = view.slide_buttons(where, 1, 18)
    assert previous["disabled"] and previous["kwargs"] == {"datum": "2016-12-14", "bild": "1"}
    assert not following["disabled"] and following["kwargs"]["bild"] == "2" and page_down["kwargs"]["bild"] == "2"
    assert (previous["shortcut"], following["shortcut"], page_up["shortcut"], page_down["shortcut"]) == \
        ("Left", "Right", "PageUp", "PageDown")
    last = view.slide_buttons(where, 18, 18)
    assert last[1]["disabled"] and last[1]["kwargs"]["bild"] == "18" and last[0]["kwargs"]["bild"] == "17"


def test_a_date_in_the_address_that_is_no_date_is_named_in_the_notice():
    assert view.date_notice("2016-12-14", MEETING) is None and view.date_notice(None, MEETING) is None
    assert view.date_notice("fjortonde", MEETING).startswith("Datumet i adressen (fjortonde) är inget datum")


def test_a_locked_lagesbild_is_opened_by_its_address_and_an_unknown_one_is_none(engine):
    deck = build_deck(engine, MEETING, 41, now=NOW)
    assert view.address(deck, None) == {"datum": "2016-12-14"}
    described = view.lock(engine, deck, by=EDITOR, now=NOW)
    assert described.startswith("Låst lägesbild från rådsmötet 2016-12-14, låst 2016-12-14 10:30")
    (snapshot_id,) = snapshots.list_snapshots(engine)["id"]
    opened = view.open_snapshot(engine, str(snapshot_id))
    assert opened.deck == deck and view.address(deck, opened) == {"ogonblick": str(snapshot_id)}
    assert view.open_snapshot(engine, "42") is None and view.open_snapshot(engine, "x") is None
    label = view.snapshot_label(next(snapshots.list_snapshots(engine).itertuples()))
    assert label == f"2016-12-14 – låst 2016-12-14 10:30, kontrollsumma {opened.sha256[:12]}…"
    downloads = view.downloads(deck, opened)
    assert [(d.label, d.file_name) for d in downloads] == [("PowerPoint", "lagesbild-2016-12-14.pptx"),
                                                           ("PDF-underlag", "lagesbild-2016-12-14.pdf")]


def test_the_preparation_view_names_the_previous_meeting_and_lists_the_agenda(engine, tmp_path):
    deck = build_deck(engine, MEETING, 41)
    assert view.previous_meeting_text(deck) == "Föregående rådsmöte: 2016-06-15."
    assert list(view.agenda_titles(deck)["Rubrik"]) == example_titles()
    empty = build_deck(db.connect(str(tmp_path / "empty.sqlite")), MEETING, 41)
    assert view.previous_meeting_text(empty) == "Föregående rådsmöte: inget registrerat."


def test_an_answer_is_read_from_the_form_and_confirmed_and_a_bad_one_saves_nothing(engine):
    form = {"answer_org": " SL ", "answer_0": "Nya stationer.", "answer_2": "Belysning."}
    assert view.save_answer(engine, MEETING, form, by=EDITOR, now=NOW) == "Svaret från SL är antecknat."
    stored = view.load_answers(engine, MEETING)
    assert list(stored[["organisation", "situation", "changes", "needs"]].iloc[0]) == \
        ["SL", "Nya stationer.", "", "Belysning."]
    assert view.answer_choices(stored) == {int(stored["id"].iloc[0]): "SL"}
    with pytest.raises(InputError):
        view.save_answer(engine, MEETING, {"answer_org": "Skolan", "answer_2": "Kontakta 19121212-1212"}, by=EDITOR)
    assert len(view.load_answers(engine, MEETING)) == 1


def test_the_places_slide_shows_what_an_open_action_changed(engine):
    from lagesbild.views import patterns

    slide = slide_of(build_deck(engine, MEETING, 41), "platser")
    expected = patterns.meeting_slide_part(places.load_observations(engine).query("date <= @MEETING"),
                                           places.load_actions(engine).query("date <= @MEETING"), MEETING)
    beside = slide.columns[1]
    assert [b.kind for b in beside] == ["heading", "chart", "bullets"] and slide.widths == [3, 2]
    assert beside[0].content["text"] == expected.heading
    assert beside[1].content["title"] == expected.chart_title
    assert beside[1].content["spec"]["datasets"]  # the numbers travel with the slide (snapshots, handouts)
    assert beside[2].content["items"][-1] == patterns.EFFORT_NOTE
