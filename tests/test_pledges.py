"""Medborgarlöften: the status rule at its edges, the progress form's rules, the outcome beside the pledge,
and the page in AppTest: the progress form moves the meter. The cards themselves: test_views_loften.py."""
from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from lagesbild import pledges, surveys
from lagesbild.pledges import (BEHIND, FULFILLED, NOT_FULFILLED, ON_PACE, add_progress, due_date, expected_by,
                               pledge_status)
from lagesbild.problems import InputError
from lagesbild.stats import two_proportion_test, wilson_interval
from lagesbild.audit import Actor
from roles import open_app

EDITOR = Actor("test.redaktor", "redaktör")
ADMIN = Actor("test.admin", "administratör")

TODAY = dt.date(2026, 11, 25)
PERSONNUMMER = "19811218-9876"  # valid check digit


def day(month: int, date: int, year: int = 2017) -> dt.date:
    return dt.date(year, month, date)


# --- the status rule -------------------------------------------------------------------------------

def test_start_of_year_nothing_done_is_on_pace():
    state = pledge_status(2, 2017, [], day(1, 1))
    assert (state.status, state.done, state.expected) == (ON_PACE, 0, 0)
    assert "nästa vara gjord senast 2017-07-02" in state.sentence()


def test_exactly_on_pace_is_on_pace_and_one_day_later_without_it_is_behind():
    first_due = due_date(2, 2017, 1)
    assert first_due == day(7, 2)
    # By the due day nothing is asked for yet; the day after, one unit is.
    assert pledge_status(2, 2017, [], first_due).status == ON_PACE
    after = first_due + dt.timedelta(days=1)
    assert pledge_status(2, 2017, [], after).status == BEHIND
    on_pace = pledge_status(2, 2017, [(day(5, 3), 1)], after)
    assert (on_pace.status, on_pace.done, on_pace.expected) == (ON_PACE, 1, 1)
    behind = pledge_status(2, 2017, [], after)
    assert behind.sentence() == ("Med jämn takt över året skulle 1 av 2 vara gjord 2017-07-03, "
                                 "men bara 0 är gjorda.")


def test_target_met_early_is_fulfilled_with_the_day_it_was_met():
    state = pledge_status(2, 2017, [(day(3, 1), 1), (day(4, 12), 1), (day(9, 1), 1)], day(6, 1))
    assert (state.status, state.done, state.met_on) == (FULFILLED, 2, day(4, 12))
    assert state.sentence() == "Målet nåddes 2017-04-12, före årets slut."
    # An entry worth several units can meet the target on its own.
    assert pledge_status(3, 2017, [(day(2, 1), 3)], day(2, 1)).status == FULFILLED


def test_year_end_short_of_target_is_not_fulfilled():
    entries = [(day(3, 1), 1)]
    assert pledge_status(2, 2017, entries, day(12, 31)).status == ON_PACE  # the last day still counts
    state = pledge_status(2, 2017, entries, dt.date(2018, 1, 1))
    assert (state.status, state.done) == (NOT_FULFILLED, 1)
    assert state.sentence() == "Året 2017 är slut och målet nåddes inte."
    # Today (2026) a 2017 pledge with nothing recorded ended unfulfilled.
    assert pledge_status(2, 2017, [], TODAY).status == NOT_FULFILLED


def test_only_the_pledge_years_entries_up_to_the_date_count():
    entries = [(dt.date(2016, 12, 20), 1), (day(3, 1), 1), (day(10, 1), 1), (dt.date(2018, 1, 2), 1)]
    assert pledge_status(3, 2017, entries, day(6, 1)).done == 1
    assert pledge_status(3, 2017, entries, dt.date(2019, 1, 1)).done == 2


def test_a_year_not_begun_asks_for_nothing():
    state = pledge_status(2, 2027, [], TODAY)
    assert (state.status, state.expected, state.year_started) == (ON_PACE, 0, False)
    assert state.sentence() == "Löftesåret 2027 har inte börjat än."


@pytest.mark.parametrize("target", [1, 2, 3, 8, 12, 365])
@pytest.mark.parametrize("year", [2016, 2017])  # 2016 is a leap year
def test_each_units_due_date_is_the_last_day_before_pace_asks_for_it(target, year):
    for unit in range(1, target + 1):
        due = due_date(target, year, unit)
        assert due.year == year
        assert expected_by(target, year, due) == unit - 1
        assert expected_by(target, year, due + dt.timedelta(days=1)) == unit


def test_default_year_is_this_year_else_the_latest_before_it():
    assert pledges.default_year([2017], TODAY) == 2017
    assert pledges.default_year([2017, 2026, 2027], TODAY) == 2026
    assert pledges.default_year([2030], TODAY) == 2030


# --- the form ------------------------------------------------------------------------------------

def pledge_id(engine, number: int = 1, year: int = 2017) -> int:
    frame = pledges.load_pledges(engine)
    return int(frame.loc[(frame["year"] == year) & (frame["number"] == number), "id"].iloc[0])


def test_progress_from_the_form_is_saved_and_counts(engine):
    add_progress(engine, pledge_id(engine), day(5, 3), "  Riktad insats mot nätverk vid Sergels torg. ", 1,
                 "öppen", TODAY, by=EDITOR)
    progress = pledges.load_progress(engine)
    assert progress[["date", "description", "amount"]].values.tolist() == [
        [day(5, 3), "Riktad insats mot nätverk vid Sergels torg.", 1]]
    status = pledges.with_status(pledges.load_pledges(engine), progress, TODAY).set_index("number")
    assert status.loc[1, "done"] == 1 and status.loc[2, "done"] == 0


def test_internal_progress_counts_only_in_the_internal_view(engine):
    add_progress(engine, pledge_id(engine), day(5, 3), "Insats som inte ska redovisas öppet.", 1, "intern", TODAY, by=EDITOR)
    assert pledges.load_progress(engine).empty
    assert len(pledges.load_progress(engine, include_internal=True)) == 1
    assert pledges.load_pledges(engine)["done"].sum() == 0


def test_the_form_reports_every_problem_at_once_and_saves_nothing(engine):
    with pytest.raises(InputError) as caught:
        add_progress(engine, pledge_id(engine), dt.date(2018, 2, 1), "  ", 0, None, TODAY, by=EDITOR)
    messages = {p.column: p.message for p in caught.value.problems}
    assert messages == {
        "Datum": "2018-02-01 ligger utanför löftesåret 2017; bara det som görs under 2017 räknas",
        "Vad har gjorts": "värde saknas",
        "Antal": '"0" är inte ett heltal från 1',
        "Sekretess": "välj öppen eller intern",
    }
    assert pledges.load_progress(engine, include_internal=True).empty


def test_the_form_refuses_a_future_date_an_unknown_pledge_and_personal_data(engine):
    with pytest.raises(InputError) as caught:
        add_progress(engine, None, TODAY + dt.timedelta(days=1), f"Kontakt {PERSONNUMMER}, anna@example.se", 1,
                     "öppen", TODAY, by=EDITOR)
    text = [str(p) for p in caught.value.problems]
    assert 'formuläret kolumn "Medborgarlöfte": välj ett medborgarlöfte' in text
    assert any("har inte inträffat än" in t for t in text)
    assert any("personnummer" in t for t in text) and any("e-postadress" in t for t in text)
    assert pledges.load_progress(engine, include_internal=True).empty


# --- outcome beside the pledge, history, meter -------------------------------------------------------

def test_outcome_has_interval_and_test_of_the_change(engine):
    results = surveys.load_results(engine)
    outcome = pledges.outcome(results, "medborgarundersokningen", "trygg_kvall", "Norrmalm", 41)
    assert (outcome.year, outcome.share, outcome.n, outcome.previous_year) == (2016, 70.0, 398, 2015)
    assert outcome.change == pytest.approx(-2.0)
    assert (outcome.low, outcome.high) == pytest.approx(wilson_interval(70.0, 398))
    assert outcome.p_value == pytest.approx(two_proportion_test(72.0, 412, 70.0, 398)[1])
    assert outcome.significant is False and outcome.is_example
    assert outcome.sentence() == ("70,0\u00a0% i Medborgarundersökningen 2016 (95 % konfidensintervall "
                                  "65,3\u00a0%–74,3\u00a0%, 398 svar), \u22122,0 procentenheter sedan 2015; "
                                  "förändringen är inte statistiskt säkerställd.")


def test_outcome_of_a_first_wave_and_of_suppressed_groups():
    results = pd.DataFrame([{"survey": "ntu", "year": 2017, "area": "Norrmalm", "grp": "Alla", "indicator": "otrygg",
                             "share": 20.0, "missing": None, "n": 500, "is_example": False}])
    first = pledges.outcome(results, "ntu", "otrygg", "Norrmalm", 41)
    assert first.previous_year is None and first.sentence().endswith("Första mätningen: inget att jämföra med.")
    assert pledges.outcome(results, "ntu", "otrygg", "Norrmalm", 501) is None  # too few answers: ".." not a value


def test_a_renewed_pledge_finds_its_earlier_years():
    frame = pd.DataFrame([
        {"year": 2016, "text": "Polisen ska genomföra minst två riktade insatser mot unga, ostraffade "
                               "narkotikamissbrukare i Norrmalms stadsdel.", "unit": "riktade insatser"},
        {"year": 2016, "text": "Polisen ska genomföra minst två riktade insatser mot kriminella nätverk som "
                               "vistas i Stockholms innerstad.", "unit": "riktade insatser"},
        {"year": 2017, "text": "Stadsdelsförvaltningen ska genomföra minst åtta trygghetsvandringar.",
         "unit": "trygghetsvandringar"},
    ])
    renewed = pledges.history(frame, "Polisen ska genomföra minst tre riktade insatser mot unga "
                                     "narkotikamissbrukare i Norrmalm.", "riktade insatser", 2018)
    assert renewed["text"].str.contains("narkotikamissbrukare").tolist() == [True]
    assert pledges.history(frame, "Minst åtta trygghetsvandringar med boende i Vasastan.",
                           "trygghetsvandringar", 2018).empty


# --- the page ----------------------------------------------------------------------------------------

def open_pledges(role: str = "redaktör", internal: bool = False) -> AppTest:
    return open_app("pages/medborgarloften.py", role, internal)


def meters(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown if 'role="meter"' in m.value]


def visible_text(at: AppTest) -> str:
    """What a reader sees: our own HTML reduced to its text, escaped Markdown shown as written."""
    parts = [re.sub(r"<[^>]+>", " ", m.value) if m.value.startswith("<") else re.sub(r"\\(.)", r"\1", m.value)
             for m in at.markdown]
    return "\n".join(parts + [c.value for c in at.caption] + [s.value for s in at.success])


def fill_progress(at: AppTest, description: str, secrecy: str | None, when: dt.date = day(5, 3)) -> AppTest:
    at.date_input(key="progress_date").set_value(when)
    at.text_area(key="progress_description").input(description)
    if secrecy:
        at.radio(key="progress_secrecy").set_value(secrecy)
    return at.button(key="progress_save").click().run()


def test_progress_added_through_the_form_moves_the_meter():
    at = open_pledges()
    assert at.selectbox(key="progress_pledge").options[0].startswith("1. Polisen ska genomföra")
    fill_progress(at, "Riktad insats mot <b>nätverk</b> vid *Sergels torg*.", "öppen")
    assert not at.exception, [e.message for e in at.exception]
    first = meters(at)[0]
    assert 'aria-valuenow="1"' in first and "<b>1 av 2</b>" in first
    assert all('aria-valuenow="0"' in m for m in meters(at)[1:])
    text = visible_text(at)
    assert "Framsteget är sparat." in text
    # Typed text is shown as written: Markdown and HTML escaped, not interpreted.
    assert "2017-05-03: Riktad insats mot <b>nätverk</b> vid *Sergels torg*." in text
    md = next(m.value for m in at.markdown if "Sergels torg" in m.value)
    assert "\\<b\\>" in md and "\\*Sergels torg\\*" in md
    # The form is empty again, ready for the next entry.
    assert at.text_area(key="progress_description").value == ""


def test_form_errors_are_listed_and_nothing_moves():
    at = open_pledges()
    fill_progress(at, f"Anmälan från {PERSONNUMMER}", None)
    assert not at.exception
    error = at.error[0].value
    assert "2 saker behöver rättas" in error and "personnummer" in error and "Välj sekretess: öppen eller intern" in error
    assert "Ingenting har sparats." in error
    assert all('aria-valuenow="0"' in m for m in meters(at))


def test_internal_progress_is_saved_but_not_shown_in_the_default_view():
    at = open_pledges()
    fill_progress(at, "Riktad insats under planering.", "intern")
    assert not at.exception
    assert all('aria-valuenow="0"' in m for m in meters(at))
    assert "under planering" not in visible_text(at)
    assert "räknas bara när internt material visas" in visible_text(at)
