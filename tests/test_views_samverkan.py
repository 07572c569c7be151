"""Samverkan's view model: meetings held against planned in words, the cards of the council and the activities."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from lagesbild import cooperation, places
from lagesbild.views import samverkan

TODAY = dt.date(2026, 11, 25)
MEETING = dt.date(2016, 12, 14)


def test_a_frequency_without_a_number_is_shown_without_a_planned_count():
    forums = pd.DataFrame([{"id": "ny", "kind": "aktivitet", "name": "Ny", "theme": "", "goal": "", "purpose": "",
                            "participants": "", "frequency": "vid behov", "per_year": None, "excluded_months": ""},
                           {"id": "ffsp", "kind": "aktivitet", "name": "F", "theme": "", "goal": "", "purpose": "",
                            "participants": "", "frequency": "", "per_year": 12, "excluded_months": "7"}])
    meetings = pd.DataFrame([{"id": 1, "forum_id": "ny", "date": dt.date(2016, 3, 1), "done": "Start.", "next": "",
                              "confidentiality": "öppen"}])
    follow = cooperation.follow_up(forums, meetings, 2016, TODAY).set_index("forum_id").loc["ny"]
    assert samverkan.held_of_planned(follow["held"], follow["planned"]) == "1"
    assert samverkan.held_text(follow["held"], follow["planned"], follow["planned_so_far"], 2016, TODAY) == \
        "1 möte 2016 (mötesfrekvensen anger inget antal)"
    assert samverkan.planned_text(follow["planned"], follow["planned_so_far"], 2016, TODAY) == \
        "Mötesfrekvensen anger inget antal möten."
    card = samverkan.activity_cards(forums, meetings, pd.DataFrame(columns=["id", "name", "forum_id"]), 2016, TODAY)[0]
    assert (card.count, card.count_note) == ("1", "Mötesfrekvensen anger inget antal möten.")


def test_held_text_for_a_past_and_a_running_year():
    assert samverkan.held_text(3, 11, 11, 2016, TODAY) == "3 av 11 planerade möten 2016"
    assert samverkan.held_text(1, 11, 2, 2017, dt.date(2017, 3, 15)) == \
        "1 av 11 planerade möten 2017; 2 var planerade till och med 2017-03-15"
    assert samverkan.held_text(1, None, None, 2016, TODAY).startswith("1 möte 2016")


def test_the_page_opens_on_the_latest_year_with_meetings(engine):
    meetings = samverkan.up_to(cooperation.load_meetings(engine), MEETING)
    years, default = samverkan.years(meetings, dt.date(2017, 3, 1))
    assert years[0] == 2017 and default == 2016
    assert samverkan.years(meetings.iloc[0:0], MEETING) == ([2016], 2016)


def test_cards_count_held_against_planned_and_show_the_latest_notes(engine):
    forums, meetings = cooperation.load_forums(engine), cooperation.load_meetings(engine)
    shown = samverkan.activity_cards(forums, meetings, places.load_places(engine), 2016, MEETING)
    assert [c.count for c in shown] == ["3 av 11", "4 av 4", "7 av 12", "9 av 9"]
    council = samverkan.organisation_cards(forums, meetings, 2016, MEETING)
    assert any("**Möten:** 4 av 4 planerade möten 2016" in card for card in council)
    text = "\n".join(c.done + c.next for c in shown).replace("\\", "")
    assert "Genomfört fyra träffar." in text and "Fortsätta med samma mötesfrekvens och agenda." in text
    # The internal meeting of Fält, fritid, socialtjänst och polis stays out of the default view.
    assert "planeringen av en insats" not in text
    klara = next(c for c in shown if c.forum_id == "klara")
    assert [name for _, _, name in klara.places] == ["Garaget vid Mäster Samuelsgatan", "Klarabergsgatan",
                                                     "Sergels torg", "Vasagatan vid Centralen"]


def test_internal_cards_count_and_list_internal_meetings(engine):
    forums, meetings = cooperation.load_forums(engine), cooperation.load_meetings(engine, include_internal=True)
    shown = samverkan.activity_cards(forums, meetings, places.load_places(engine), 2016, MEETING)
    assert shown[0].count == "4 av 11"
    table = next(c.meetings for c in shown if len(c.meetings) == 4)
    assert list(table.columns) == ["Datum", "Vad har vi gjort", "Hur fortsätter vi", "Sekretess"]
    assert "intern" in table["Sekretess"].tolist()
    assert samverkan.counting_note(2016, False).endswith("endast öppna möten räknas och visas.")


def test_typed_notes_are_bullets_shown_as_written():
    assert samverkan.bullet_lines("Första *raden*\n\n  \nAndra <b>raden</b>") == \
        "- Första \\*raden\\*\n- Andra \\<b\\>raden\\</b\\>"
    assert samverkan.meeting_saved(MEETING, "Tobakstillsyn", "intern", False).endswith(
        "visas bara när internt material visas.")
