"""When problems happen and what an action changed: counts, calendar, before/after and their sentences, on small frames."""
from __future__ import annotations

import datetime as dt
import json
import math

import pandas as pd
import pytest

from lagesbild.views import patterns
from lagesbild.views.patterns import NO_TIME

D = dt.date


def observations(rows: list[tuple], with_time: bool = True) -> pd.DataFrame:
    """(date, time, place) rows as the map's filtered observations frame."""
    frame = pd.DataFrame(rows, columns=["date", "time", "place"]).assign(category="annat")
    return frame if with_time else frame.drop(columns="time")


def meetings() -> pd.DataFrame:
    return pd.DataFrame({"forum_id": ["radet", "chefsamrad", "radet"],
                         "date": [D(2016, 12, 14), D(2017, 1, 10), D(2016, 6, 8)]})


KNOWN = observations([
    (D(2016, 12, 2), dt.time(21, 30), "Hötorget"),   # a Friday
    (D(2016, 12, 2), dt.time(21, 5), "Hötorget"),
    (D(2016, 12, 2), None, "Hötorget"),
    (D(2016, 12, 5), dt.time(8, 0), "Odenplan"),     # a Monday
    (D(2017, 2, 1), None, "Hötorget"),               # a Wednesday
])


def cell(grid: pd.DataFrame, day: str, hour: str) -> int:
    return int(grid.loc[(grid["day"] == day) & (grid["hour"] == hour), "count"].iloc[0])


def test_weekday_by_hour_counts_every_observation_and_missing_times_as_tid_saknas():
    grid = patterns.weekday_hour_counts(KNOWN)
    assert len(grid) == 7 * 25 and grid["count"].sum() == len(KNOWN)
    assert list(dict.fromkeys(grid["day"])) == ["Måndag", "Tisdag", "Onsdag", "Torsdag", "Fredag", "Lördag", "Söndag"]
    assert list(dict.fromkeys(grid["hour"]))[0] == "00" and list(dict.fromkeys(grid["hour"]))[-1] == NO_TIME
    assert cell(grid, "Fredag", "21") == 2
    assert cell(grid, "Fredag", NO_TIME) == 1
    assert cell(grid, "Måndag", "08") == 1
    assert cell(grid, "Onsdag", NO_TIME) == 1
    assert cell(grid, "Fredag", "22") == 0


def test_without_a_time_column_every_observation_is_tid_saknas():
    grid = patterns.weekday_hour_counts(observations([(D(2016, 12, 2), None, "A"), (D(2016, 12, 3), None, "A")],
                                                     with_time=False))
    assert cell(grid, "Fredag", NO_TIME) == 1 and cell(grid, "Lördag", NO_TIME) == 1
    assert grid.loc[grid["hour"] != NO_TIME, "count"].sum() == 0


def test_times_as_text_or_datetime_give_the_hour():
    frame = observations([(D(2016, 12, 2), "21:30", "A"), (D(2016, 12, 2), dt.datetime(2016, 12, 2, 7, 15), "A"),
                          (D(2016, 12, 2), "", "A"), (D(2016, 12, 2), float("nan"), "A")])
    assert list(patterns.hour_labels(frame)) == ["21", "07", NO_TIME, NO_TIME]


def test_month_counts_list_empty_months_and_the_chosen_period():
    months = patterns.month_counts(KNOWN)
    assert list(months["label"]) == ["december 2016", "januari 2017", "februari 2017"]
    assert list(months["count"]) == [4, 0, 1]
    wider = patterns.month_counts(KNOWN, D(2016, 10, 15), D(2017, 3, 31))
    assert list(wider["count"]) == [0, 0, 4, 0, 1, 0]
    assert patterns.month_counts(KNOWN.iloc[0:0]).empty


def test_calendar_marks_the_council_meetings_and_the_year_wheel():
    marks = patterns.calendar_marks(meetings(), D(2016, 5, 1), D(2017, 3, 31))
    meeting_days = list(marks.loc[marks["kind"] == "rådsmöte", "start"])
    assert meeting_days == [D(2016, 6, 8), D(2016, 12, 14)]  # the chefsamråd is not a council meeting
    by_label = {r.label: (r.start, r.end) for r in marks.itertuples() if r.kind == "årshjul"}
    assert by_label["Sommar"] == (D(2016, 6, 1), D(2016, 8, 31))
    assert by_label["Skolstart"] == (D(2016, 8, 20), None)
    assert by_label["Höstlov"] == (D(2016, 10, 31), D(2016, 11, 6))  # week 44
    assert by_label["Nyår"] == (D(2016, 12, 31), None)
    assert by_label["Sportlov"] == (D(2017, 2, 27), D(2017, 3, 5))  # week 9
    assert "Valborg" not in by_label  # 2016-04-30 is before the period and 2017's after it


def test_patterns_say_how_many_lack_a_time_and_draw_both_charts():
    found = patterns.build_patterns(KNOWN, meetings(), "Hötorget")
    assert found.total == 5 and found.without_time == 2
    assert found.lines[0].startswith("5 iakttagelser. 2 av dem saknar klockslag")
    assert "fredagar kl. 21–22 (2 st)" in found.lines[1]
    assert found.lines[2] == ("Flest per veckodag: fredag (3 st); "
                              "färst: tisdag, torsdag, lördag och söndag (0 st var).")
    heat = json.dumps(found.weekday_hour_chart.to_dict(), ensure_ascii=False)
    assert NO_TIME in heat and "Veckodag och klockslag – Hötorget" in heat
    month = found.month_chart.to_dict()
    text = json.dumps(month, ensure_ascii=False)
    assert "Rådsmöte" in text and "Nyår" in text and "Sportlov" in text
    assert month["config"]["locale"]["time"]["shortMonths"][0] == "jan"


def test_many_observations_in_one_cell_still_draw():
    many = observations([(D(2016, 12, 2), dt.time(22, 10), "A")] * 40)
    found = patterns.build_patterns(many, meetings())
    assert cell(found.weekday_hour, "Fredag", "22") == 40 and found.without_time == 0
    assert json.dumps(found.weekday_hour_chart.to_dict()) and json.dumps(found.month_chart.to_dict())


def test_no_observations_is_a_state_not_an_error():
    found = patterns.build_patterns(KNOWN.iloc[0:0], meetings())
    assert found.lines == ["Inga iakttagelser i urvalet."] and found.month_chart is None


# --------------------------------------------------------------------------- before and after an action

ACTION = D(2016, 7, 1)


def around(before: int, after: int, same_day: int = 0, place: str = "Hötorget") -> pd.DataFrame:
    """`before` observations in June 2016, `after` in August 2016 and some on the action's day, at one place."""
    rows = [(D(2016, 6, 1 + i % 28), None, place) for i in range(before)]
    rows += [(D(2016, 8, 1 + i % 28), None, place) for i in range(after)]
    rows += [(ACTION, None, place)] * same_day
    rows += [(D(2015, 1, 1), None, "Odenplan"), (D(2016, 6, 3), None, "Odenplan")]  # register start, other place
    return observations(rows)


def test_before_after_rate_ratio_and_interval_by_hand():
    # Before 2015-07-01 – 2016-06-30 (366 days), after 2016-07-02 – 2017-07-01 (365 days):
    # RR = (6/365)/(20/366) = 0.30082; se = sqrt(1/6 + 1/20) = 0.465475 → 0.1208 – 0.7491
    c = patterns.before_after(around(20, 6, same_day=2), "Hötorget", ACTION, D(2017, 7, 1), title="Belysning")
    assert (c.result.before, c.result.after, c.same_day) == (20, 6, 2)
    assert c.before == (D(2015, 7, 1), D(2016, 6, 30)) and c.after == (D(2016, 7, 2), D(2017, 7, 1))
    assert c.result.ratio == pytest.approx(6 * 366 / (20 * 365), rel=1e-9)
    assert c.result.low == pytest.approx(0.300822 * math.exp(-1.959964 * 0.465475), abs=1e-4)
    assert c.result.high == pytest.approx(0.300822 * math.exp(1.959964 * 0.465475), abs=1e-4)
    assert c.enough
    text = " ".join(c.lines)
    assert "Kvoten efter/före är 0,30 (95\u00a0% konfidensintervall 0,12–0,75)" in text
    assert "70\u00a0% färre per månad; minskningen är statistiskt säkerställd" in text
    assert "2 iakttagelser samma dag som åtgärden räknas varken före eller efter" in text
    assert c.lines[-1] == patterns.EFFORT_NOTE


def test_fewer_than_five_on_either_side_gives_no_conclusion():
    few = patterns.before_after(around(20, 4), "Hötorget", ACTION, D(2017, 7, 1))
    assert not few.enough
    assert any(line.startswith(patterns.TOO_FEW) for line in few.lines)
    assert not any("Kvoten" in line for line in few.lines)
    assert few.lines[-1] == patterns.EFFORT_NOTE
    five = patterns.before_after(around(5, 5), "Hötorget", ACTION, D(2017, 7, 1))
    assert five.enough and "inte statistiskt säkerställd" in " ".join(five.lines)


def test_the_window_stops_at_the_register_start_and_at_the_as_of_day():
    c = patterns.before_after(around(6, 6), "Hötorget", ACTION, D(2016, 9, 30), record_start=D(2016, 5, 1))
    assert c.before == (D(2016, 5, 1), D(2016, 6, 30)) and c.after == (D(2016, 7, 2), D(2016, 9, 30))
    assert c.result.before_exposure == pytest.approx(61 / (365.25 / 12))


def test_an_action_on_the_as_of_day_is_too_new():
    c = patterns.before_after(around(8, 0), "Hötorget", ACTION, ACTION)
    assert c.after is None and not c.enough
    assert "Åtgärden är för ny för en jämförelse" in " ".join(c.lines)


def test_action_effects_are_per_done_action_newest_first_and_name_other_actions():
    actions = pd.DataFrame({
        "place": ["Hötorget", "Hötorget", "Hötorget", "Odenplan"],
        "date": [D(2016, 3, 1), ACTION, D(2017, 1, 1), ACTION],
        "description": ["Ny belysning", "Väktare på kvällarna", "Planerad vandring", "Annat"],
        "status": ["genomförd", "pågående", "planerad", "genomförd"]})
    effects = patterns.action_effects(around(20, 6), actions, "Hötorget", D(2016, 12, 31))
    assert [e.title for e in effects] == ["2016-07-01 – Väktare på kvällarna", "2016-03-01 – Ny belysning"]
    assert "gjordes också 1 annan åtgärd på platsen" in " ".join(effects[0].lines)
    assert patterns.action_effects(around(1, 1), actions, "Vasaparken", D(2016, 12, 31)) == []


def test_the_slide_part_carries_lines_and_a_self_contained_chart():
    part = patterns.slide_part(patterns.before_after(around(20, 6), "Hötorget", ACTION, D(2017, 7, 1),
                                                     title="2016-07-01 – Väktare"))
    assert part.heading == "Hötorget: 2016-07-01 – Väktare"
    assert part.lines[-1] == patterns.EFFORT_NOTE
    spec = json.dumps(part.chart_spec, ensure_ascii=False)
    assert part.chart_title == "Före och efter 2016-07-01" and '"Efter"' in spec and "title" not in part.chart_spec
    assert part.lines[0].startswith("Före: 20 iakttagelser") and " Efter: 6 iakttagelser" in part.lines[0]
    assert "20 före och 6 efter" in part.chart_description


def test_the_places_slide_shows_the_action_that_says_the_most_or_nothing():
    actions = pd.DataFrame({"place": ["Hötorget", "Hötorget", "Odenplan"], "date": [D(2016, 3, 1), ACTION, D(2017, 6, 1)],
                            "description": ["Ny belysning", "Väktare", "Ny skylt"],
                            "status": ["genomförd", "genomförd", "genomförd"]})
    # Väktare has 20 before and 6 after (enough); Odenplan's action has nothing around it, though it is the latest.
    assert patterns.meeting_slide_part(around(20, 6), actions, D(2017, 7, 1)).heading == "Hötorget: 2016-07-01 – Väktare"
    assert patterns.meeting_slide_part(around(20, 6), actions[actions["place"] == "Odenplan"],
                                       D(2017, 7, 1)).heading == "Odenplan: 2017-06-01 – Ny skylt"
    planned = actions.assign(status="planerad")
    assert patterns.meeting_slide_part(around(20, 6), planned, D(2017, 7, 1)) is None
