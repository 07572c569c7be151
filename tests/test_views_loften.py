"""Medborgarlöften's view model: the status meter, one card per pledge and the earlier years, in milliseconds."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from lagesbild import pledges, surveys
from lagesbild.audit import Actor
from lagesbild.pledges import FULFILLED, NOT_FULFILLED
from lagesbild.views import loften

EDITOR = Actor("test.redaktor", "redaktör")
MEETING = dt.date(2016, 12, 14)


def plain(markdown: str) -> str:
    """Escaped Markdown as a reader sees it."""
    return markdown.replace("\\", "")


def cards(engine, on: dt.date, include_internal: bool = False, year: int = 2017) -> list[loften.PledgeCard]:
    progress = loften.up_to(pledges.load_progress(engine, include_internal=include_internal), on)
    frame = loften.with_status(pledges.load_pledges(engine), progress, on)
    results = surveys.load_results(engine)
    return loften.pledge_cards(frame, year, progress, on, surveys.load_indicators(engine), "Norrmalm",
                               lambda s, i, a: loften.outcome(results, s, i, a, 41))


def test_meter_escapes_the_unit_and_caps_the_bar():
    meter = loften.meter_html(3, 2, 1, FULFILLED, "<script>x</script>", show_pace=True)
    assert "<script>" not in meter and "&lt;script&gt;" in meter
    assert 'aria-valuenow="3"' in meter and "width:100.00%" in meter
    assert "Uppfyllt" in meter and "i fas: 1" in meter
    assert "i fas:" not in loften.meter_html(0, 2, 2, NOT_FULFILLED, "insatser", show_pace=False)


def test_every_status_has_a_colour_and_a_readable_text_colour():
    assert set(loften.STATUS_COLOURS) == set(loften.STATUS_TEXT_COLOURS) == set(pledges.STATUSES)
    assert "background:#E69F00;color:#1b1f24" in loften.status_html(pledges.BEHIND)


def test_cards_of_the_three_2017_pledges_before_the_year_begins(engine):
    shown = cards(engine, MEETING)
    headings = [plain(card.heading) for card in shown]
    for heading, start in zip(headings, ("### 1. Polisen ska genomföra minst två riktade insatser mot kriminella nätverk",
                                         "### 2. Polisen ska genomföra minst två riktade insatser mot unga, ostraffade",
                                         "### 3. Polisen ska vara en central och pådrivande kraft i tre olika")):
        assert heading.startswith(start)
    assert shown[0].target.startswith("**Mål:** 2 riktade insatser") and "**Mål:** 3 samverkansforum" in shown[2].target
    assert all('aria-valuenow="0"' in c.meter and "pledge-status" not in c.meter for c in shown)
    assert [plain(c.sentence) for c in shown] == ["Löftesåret 2017 har inte börjat än."] * 3
    assert shown[0].done == "**Gjort hittills:** inget registrerat för 2017" and shown[0].entries == []
    assert loften.status_basis(2017, MEETING, False).startswith("**Året 2017 har inte börjat**")


def test_cards_after_the_year_show_how_it_ended_and_the_linked_outcome(engine):
    shown = cards(engine, dt.date(2018, 1, 15))
    assert all("Ej uppfyllt" in c.meter and 'aria-valuenow="0"' in c.meter for c in shown)
    assert [plain(c.sentence) for c in shown] == ["Året 2017 är slut och målet nåddes inte."] * 3
    assert loften.status_basis(2017, dt.date(2018, 1, 15), False).startswith(
        "**Året 2017 är slut: statusen visar hur löftena slutade**")
    # Pledge 3 is linked to perceived safety: the outcome stands beside it, with interval and test.
    assert [c.outcome is not None for c in shown] == [False, False, True]
    assert shown[2].outcome.startswith("**Utfall som löftet ska påverka** – ") and ", Norrmalm: " in shown[2].outcome
    assert "inte statistiskt säkerställd" in shown[2].outcome and "Exempeldata" in shown[2].outcome


def test_internal_progress_counts_only_in_the_internal_cards(engine):
    pledge_id = int(pledges.load_pledges(engine).query("year == 2017 and number == 1")["id"].iloc[0])
    pledges.add_progress(engine, pledge_id, dt.date(2017, 5, 3), "Riktad insats mot *nätverk*.", 2, "intern",
                         dt.date(2017, 6, 1), by=EDITOR)
    on = dt.date(2017, 6, 1)
    assert 'aria-valuenow="0"' in cards(engine, on)[0].meter
    first = cards(engine, on, include_internal=True)[0]
    assert 'aria-valuenow="2"' in first.meter and "Uppfyllt" in first.meter
    assert plain(first.sentence) == "Målet nåddes 2017-05-03, före årets slut."
    # Typed text is shown as written: Markdown escaped, not interpreted.
    assert first.entries == ["- 2017-05-03: Riktad insats mot \\*nätverk\\*\\. (2 riktade insatser) *(intern)*"]
    assert loften.progress_saved("intern", False).endswith("räknas bara när internt material visas.")
    assert loften.progress_saved("intern", True) == "Framsteget är sparat."


def test_earlier_years_show_how_they_ended(engine):
    frame = pd.DataFrame([{"år": 2026, "nr": 1, "löfte": "Polisen ska genomföra minst tre riktade insatser mot "
                           "kriminella nätverk som vistas i Stockholms innerstad.", "ansvarig": "Lokalpolisområde Norrmalm",
                           "mål": 3, "enhet": "riktade insatser", "område": "Norrmalm", "undersökning": None,
                           "indikator": None}])
    with engine.begin() as conn:
        pledges.store_pledges(conn, frame, None)
    on = dt.date(2026, 11, 25)
    assert loften.default_year(loften.pledge_years(pledges.load_pledges(engine)), on) == 2026
    shown = cards(engine, on, year=2026)
    assert shown[0].earlier.replace("**", "") == "Tidigare år: 2017: 0 av 2, ej uppfyllt"
    table = loften.earlier_years(loften.with_status(pledges.load_pledges(engine), pledges.load_progress(engine), on),
                                 2026)
    assert table["Hur det slutade"].tolist() == ["ej uppfyllt"] * 3 and table["År"].tolist() == [2017] * 3


def test_the_form_lists_the_years_pledges_shortly():
    frame = pd.DataFrame([{"id": 7, "year": 2017, "number": 1, "text": "Polisen ska genomföra minst två riktade "
                           "insatser mot kriminella nätverk som vistas i Stockholms innerstad. Mer text."}])
    assert loften.pledge_titles(frame, 2017) == {
        7: "1. Polisen ska genomföra minst två riktade insatser mot kriminella nätverk som …"}
    assert loften.pledge_titles(frame, 2018) == {}
    assert loften.form_date(dt.date(2026, 11, 25), 2017) == dt.date(2017, 12, 31)
