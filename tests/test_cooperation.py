"""Samverkan: planned meetings with excluded months, follow-up per forum, the meeting form, and the page in
AppTest: the places that link to the map and the meeting form. The cards themselves: test_views_samverkan.py."""
from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from lagesbild import cooperation
from lagesbild.cooperation import add_meeting, planned_by, planned_per_year
from lagesbild.formatting import markdown_escape
from lagesbild.problems import InputError
from lagesbild.audit import Actor
from roles import open_app

EDITOR = Actor("test.redaktor", "redaktör")
ADMIN = Actor("test.admin", "administratör")

TODAY = dt.date(2026, 11, 25)


# --- planned meetings -----------------------------------------------------------------------------

@pytest.mark.parametrize("per_year, excluded, planned", [
    (12, "7", 11),          # "1 gång/månad, ej juli"
    (12, "6,7,8", 9),       # "1 gång/månad, ej juni–augusti"
    (12, " 6, 7 ,8 ", 9),
    (4, "", 4),
    (4, "7", 4),            # four a year still fit in eleven months
    (2, "6,7,8", 2),
    (12, ",".join(str(m) for m in range(1, 13)), 0),
    (None, "7", None),      # "när samverkan initieras": no number to hold it to
])
def test_planned_per_year_leaves_out_excluded_months(per_year, excluded, planned):
    assert planned_per_year(per_year, excluded) == planned


@pytest.mark.parametrize("on, planned", [
    (dt.date(2016, 1, 1), 0),
    (dt.date(2016, 1, 31), 0),    # January's meeting may still be held on its last day
    (dt.date(2016, 2, 1), 1),
    (dt.date(2016, 6, 30), 5),
    (dt.date(2016, 7, 1), 6),
    (dt.date(2016, 8, 1), 6),     # no meeting in July
    (dt.date(2016, 9, 1), 7),
    (dt.date(2017, 1, 1), 11),
    (dt.date(2030, 1, 1), 11),
    (dt.date(2015, 6, 1), 0),
])
def test_planned_so_far_monthly_except_july(on, planned):
    assert planned_by(12, "7", 2016, on) == planned


def test_planned_so_far_monthly_except_summer_and_quarterly():
    assert [planned_by(12, "6,7,8", 2016, dt.date(2016, m, 1)) for m in (6, 7, 8, 9, 10)] == [5, 5, 5, 5, 6]
    assert [planned_by(4, "", 2016, dt.date(2016, m, 1)) for m in (3, 4, 7, 10)] + \
        [planned_by(4, "", 2016, dt.date(2017, 1, 1))] == [0, 1, 2, 3, 4]
    assert planned_by(None, "", 2016, TODAY) is None


# --- follow-up per forum --------------------------------------------------------------------------

def test_follow_up_counts_held_against_planned_and_finds_the_latest_entries(engine):
    forums = cooperation.load_forums(engine)
    follow = cooperation.follow_up(forums, cooperation.load_meetings(engine), 2016, TODAY).set_index("forum_id")
    assert follow.loc["ffsp", ["held", "planned"]].tolist() == [3, 11]  # the internal meeting is not counted
    assert follow.loc["klara", ["held", "planned"]].tolist() == [9, 9]
    assert follow.loc["tobakstillsyn", ["held", "planned"]].tolist() == [4, 4]
    assert follow.loc["klara", "done_date"] == dt.date(2016, 12, 7)
    assert follow.loc["klara", "next"].startswith("Fortsätta med samma mötesfrekvens och agenda.")
    # The beredningsgrupp's latest meeting wrote nothing under "hur fortsätter vi": the one before that did.
    assert follow.loc["beredningsgrupp", ["done_date", "next_date"]].tolist() == [dt.date(2016, 11, 23),
                                                                                 dt.date(2016, 1, 27)]
    internal = cooperation.follow_up(forums, cooperation.load_meetings(engine, include_internal=True), 2016, TODAY)
    assert internal.set_index("forum_id").loc["ffsp", "held"] == 4


def test_follow_up_of_a_year_without_meetings_keeps_the_latest_before_it(engine):
    forums = cooperation.load_forums(engine)
    follow = cooperation.follow_up(forums, cooperation.load_meetings(engine), 2017, dt.date(2017, 3, 15))
    ffsp = follow.set_index("forum_id").loc["ffsp"]
    assert (ffsp["held"], ffsp["planned"], ffsp["planned_so_far"]) == (0, 11, 2)
    assert ffsp["done_date"] == dt.date(2016, 12, 6)


def test_places_active_since_a_date_newest_first():
    active = cooperation.places_active_since(
        pd.DataFrame({"place": ["A", "B", "A"], "date": [dt.date(2016, 6, 1), dt.date(2016, 6, 20), dt.date(2016, 7, 1)]}),
        pd.DataFrame({"place": ["C"], "date": [dt.date(2016, 5, 1)]}), dt.date(2016, 6, 15))
    assert active.to_dict() == {"A": dt.date(2016, 7, 1), "B": dt.date(2016, 6, 20)}
    everything = cooperation.places_active_since(
        pd.DataFrame({"place": ["A"], "date": [dt.date(2016, 6, 1)]}),
        pd.DataFrame({"place": ["C"], "date": [dt.date(2016, 5, 1)]}), None)
    assert list(everything.index) == ["A", "C"]
    empty = pd.DataFrame({"place": pd.Series(dtype=str), "date": pd.Series(dtype=object)})
    assert cooperation.places_active_since(empty, empty, dt.date(2016, 1, 1)).empty


def test_markdown_escape_shows_typed_text_as_written():
    assert markdown_escape("**fet** [länk](http://x) <b>") == r"\*\*fet\*\* \[länk\]\(http\://x\) \<b\>"
    assert markdown_escape("1. punkt") == r"1\. punkt"
    assert markdown_escape(None) == ""


# --- the form -------------------------------------------------------------------------------------

def test_a_meeting_from_the_form_is_saved(engine):
    add_meeting(engine, "klara", dt.date(2017, 1, 18), "Lägesbild från fastighetsägarna.\nGaraget följdes upp.",
                " ", "öppen", TODAY, by=EDITOR)
    meetings = cooperation.load_meetings(engine)
    last = meetings.iloc[-1]
    assert (last["forum_id"], last["date"], last["next"]) == ("klara", dt.date(2017, 1, 18), "")
    assert last["done"] == "Lägesbild från fastighetsägarna.\nGaraget följdes upp."


def test_the_meeting_form_reports_every_problem_at_once(engine):
    before = len(cooperation.load_meetings(engine, include_internal=True))
    with pytest.raises(InputError) as caught:
        add_meeting(engine, "okänt", TODAY + dt.timedelta(days=1), "", "", "hemlig", TODAY, by=EDITOR)
    assert {p.column for p in caught.value.problems} == {"Forum eller aktivitet", "Datum", "Vad har vi gjort", "Sekretess"}
    with pytest.raises(InputError) as caught:
        add_meeting(engine, "ffsp", TODAY, "Ring 070-123 45 67", "Mejla ola@example.se", "öppen", TODAY, by=EDITOR)
    assert [(p.column, "mobilnummer" in p.message or "e-postadress" in p.message) for p in caught.value.problems] == \
        [("Vad har vi gjort", True), ("Hur fortsätter vi", True)]
    assert len(cooperation.load_meetings(engine, include_internal=True)) == before


# --- the page -------------------------------------------------------------------------------------

def open_cooperation(role: str = "redaktör", internal: bool = False) -> AppTest:
    return open_app("pages/samverkan.py", role, internal)


def visible_text(at: AppTest) -> str:
    parts = [re.sub(r"\\(.)", r"\1", m.value) for m in at.markdown]
    return "\n".join(parts + [c.value for c in at.caption] + [s.value for s in at.success])


def test_place_button_opens_the_map_on_that_place():
    at = open_cooperation()
    assert at.selectbox(key="coop_year").value == 2016  # the latest year with meetings
    labels = [b.label for b in at.button if b.key.startswith("map_klara_")]
    assert labels == ["Garaget vid Mäster Samuelsgatan", "Klarabergsgatan", "Sergels torg",
                      "Vasagatan vid Centralen"]
    key = next(b.key for b in at.button if b.key.startswith("map_klara_") and b.label == "Klarabergsgatan")
    at.button(key=key).click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.title[0].value == "Otrygga platser"
    assert at.selectbox(key="map_place").value == "Klarabergsgatan"


def test_meeting_recorded_through_the_form_becomes_the_latest_follow_up():
    at = open_cooperation()
    at.selectbox(key="meeting_forum").set_value("tobakstillsyn")
    at.date_input(key="meeting_date").set_value(dt.date(2016, 12, 12))
    at.text_area(key="meeting_done").input("Utvärdering av tillsynsbesöken: *inga* beslag.")
    at.text_area(key="meeting_next").input("Fortsätta med civilklädd polis.")
    at.radio(key="meeting_secrecy").set_value("öppen")
    at.button(key="meeting_save").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.metric[1].value == "5 av 4"
    text = visible_text(at)
    assert "Mötet 2016-12-12 i Tobakstillsyn är sparat." in text
    assert "Vad har vi gjort (2016-12-12)" in text.replace("**", "")
    assert "Utvärdering av tillsynsbesöken: *inga* beslag." in text


def test_meeting_form_errors_are_listed():
    at = open_cooperation()
    at.text_area(key="meeting_done").input("Ring 070-123 45 67")
    at.button(key="meeting_save").click().run()
    assert not at.exception
    error = at.error[0].value
    assert "2 saker behöver rättas" in error and "mobilnummer" in error and "Välj sekretess: öppen eller intern" in error
    assert "formuläret" not in error and "kolumn" not in error
