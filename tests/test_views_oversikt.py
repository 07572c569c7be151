"""Översikt's view model: each tile's number, lines and source, computed from loaded frames in milliseconds."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from lagesbild import cooperation, pledges, places, surveys
from lagesbild.audit import Actor
from lagesbild.config import load_settings
from lagesbild.views import oversikt

EDITOR = Actor("test.redaktor", "redaktör")
MEETING = dt.date(2016, 12, 14)  # the example's council meeting: "Läget per" while only example data is stored
ROOT = Path(__file__).resolve().parents[1]


def known(engine, today: dt.date = MEETING) -> oversikt.Known:
    return oversikt.known_on(today, cooperation.load_meetings(engine), pledges.load_progress(engine),
                             places.load_observations(engine), places.load_actions(engine))


def plain(line: str) -> str:
    return line.replace("*", "").replace("\\", "")


def test_pledge_tile_lists_each_2017_pledge_and_says_the_year_has_not_begun(engine):
    tile = oversikt.pledge_tile(pledges.load_pledges(engine), known(engine).progress, MEETING, "Endast öppet material.")
    assert tile.title == "Medborgarlöften 2017" and tile.empty is None
    assert tile.not_started == "**Löftesåret 2017 har inte börjat än.**"
    assert not any("pledge-status" in line for line in tile.lines)  # no status before the year begins
    assert plain(tile.lines[0]).startswith("0 av 2 riktade insatser") and "kriminella nätverk" in tile.lines[0]
    assert "0 av 3" in tile.lines[2] and "samverkansforum" in tile.lines[2]
    assert tile.caption == ("Källa: medborgarlöftena 2017 och de framsteg som registrerats, inga registrerade än. "
                            "Status per 2016-12-14. Endast öppet material.")


def test_recorded_progress_gives_the_pledges_their_status(engine):
    frame = pledges.load_pledges(engine)
    first = int(frame.loc[(frame["number"] == 1) & (frame["year"] == 2017), "id"].iloc[0])
    pledges.add_progress(engine, first, dt.date(2017, 3, 1), "Riktad insats.", 2, "öppen", dt.date(2017, 3, 2),
                         by=EDITOR)
    on = dt.date(2018, 1, 10)
    tile = oversikt.pledge_tile(frame, known(engine, on).progress, on, "")
    assert tile.not_started is None
    assert "Uppfyllt" in tile.lines[0] and "2 av 2" in tile.lines[0]
    assert sum("Ej uppfyllt" in line for line in tile.lines) == 2
    assert "senast 2017-03-01" in tile.caption and "(året är slut)" in tile.caption


def test_no_pledges_is_a_state():
    empty = pd.DataFrame(columns=["id", "year", "number", "text", "target", "unit"])
    assert oversikt.pledge_tile(empty, pd.DataFrame(columns=["pledge_id", "date", "amount"]), MEETING, "").empty == \
        "Inga medborgarlöften är registrerade."


def test_headlines_name_source_interval_test_and_example_data(engine):
    results = surveys.load_results(engine)
    series = oversikt.headline_series(surveys.load_indicators(engine), "Norrmalm")
    shown = [oversikt.headline(label, oversikt.outcome(results, survey, indicator, "Norrmalm", 41))
             for survey, indicator, label in series]
    safety, pupils = shown
    assert safety.label.endswith(", Norrmalm") and safety.value == "70,0\u00a0%"
    assert safety.delta == "\u22122,0 procentenheter sedan 2015" and safety.arrow == "down"
    assert "Medborgarundersökningen 2016 (senaste mätningen), 398 svar" in safety.caption
    assert "95 % konfidensintervall 65,3\u00a0%–74,3\u00a0%" in safety.caption
    assert "inte statistiskt säkerställd" in safety.caption and safety.caption.endswith("Exempeldata.")
    assert "Stockholmsenkäten 2016" in pupils.caption
    assert oversikt.headline("Trygg, Kungsholmen", None).missing == "Trygg, Kungsholmen: inga svar ännu."


def test_places_tile_counts_activity_since_the_last_council_meeting(engine):
    tile = oversikt.activity_tile(known(engine), MEETING, "Endast öppet material.")
    assert tile.label == "Platser med ny aktivitet sedan rådsmötet 2016-06-15" and tile.count == 11
    assert plain(tile.places).startswith("Bosättningar i parker och på förskolegårdar (2016-12-07)")
    assert "den senaste 2016-12-07" in tile.caption and "Senaste rådsmöte före 2016-12-14: 2016-06-15" in tile.caption
    places.add_observation(engine, "Vasaparken", dt.date(2017, 1, 10), "alkohol/narkotika", "Fält och fritid",
                           "Cannabisrökning igen sena kvällar.", "öppen", by=EDITOR)
    later = oversikt.activity_tile(known(engine, dt.date(2017, 1, 20)), dt.date(2017, 1, 20), "")
    assert later.count == 1 and "Vasaparken (2017-01-10)" in plain(later.places)
    assert later.label == "Platser med ny aktivitet sedan rådsmötet 2016-12-14"


def test_next_followups_are_soonest_first_with_passed_dates_marked(engine):
    frame = places.load_places(engine)
    assert not oversikt.next_followups(frame, MEETING)["passed"].any()
    soonest = oversikt.next_followups(frame, dt.date(2017, 1, 20), limit=6)
    assert len(soonest) == 6 and list(soonest["next_followup"]) == sorted(soonest["next_followup"])
    assert soonest["passed"].tolist()[:4] == [True] * 4 and soonest.iloc[0]["name"] == "Vasaparken"
    tile = oversikt.followup_tile(frame, dt.date(2017, 1, 20))
    assert plain(tile.lines[0]).startswith("2017-01-11 (passerat) · Vasaparken – ")
    assert sum("(passerat)" in line for line in tile.lines) == 4
    assert "11 platser har ett datum satt" in tile.caption and "Alla datum har passerat" not in tile.caption
    late = oversikt.followup_tile(frame, dt.date(2030, 1, 1))
    assert late.caption.endswith("Alla datum har passerat: registret behöver uppdateras.")
    assert oversikt.followup_tile(frame.iloc[0:0], MEETING).empty == "Inga uppföljningar är planerade."


def test_the_councils_area_and_name_are_settings():
    settings = load_settings({"LAGESBILD_AREA": "Kungsholmen"}, {"rad": {"namn": "Kungsholmens brottsförebyggande råd"}})
    assert oversikt.title(settings.area) == "Lägesbild Kungsholmen"
    assert oversikt.intro(settings.council).startswith("Kungsholmens brottsförebyggande råd: ")
    default = load_settings({}, None)
    assert (default.area, default.council) == ("Norrmalm", "Norrmalms trygghets- och säkerhetsråd")
    assert load_settings({}, {"rad": "Kungsholmen", "databas": {"url": "x.sqlite"}}).area == "Norrmalm"  # malformed
    assert load_settings({}, {"rad": {"omrade": "  "}}).area == "Norrmalm"
    assert load_settings({"LAGESBILD_AREA": "Östermalm"}, {"rad": {"omrade": "Kungsholmen"}}).area == "Östermalm"


def test_the_example_notice_is_plain_for_slides_and_bold_for_the_screen():
    from lagesbild.views import notices

    assert notices.example_notice([]) is None
    plain_notice = notices.example_notice(["undersökningar", "platser"])
    assert plain_notice.startswith("Exempeldata. Siffrorna och texterna för undersökningar, platser är exempel")
    assert notices.example_notice(["platser"], markdown=True).startswith("**Exempeldata.** Siffrorna")
