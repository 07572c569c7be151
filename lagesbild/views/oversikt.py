"""Översikt, the manager's glance: four tiles, each with its number, a few lines and where they come from."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from lagesbild.asof import actions_up_to, previous_council_meeting, up_to
from lagesbild.cooperation import places_active_since
from lagesbild.formatting import date as format_date
from lagesbild.formatting import markdown_escape as md
from lagesbild.formatting import number, percent
from lagesbild.pledges import Outcome, default_year, outcome, with_status
from lagesbild.surveys import SURVEY_BY_ID
from lagesbild.views.loften import short_text, status_html

# Passed on to the page, which imports nothing from the data floor itself:
# outcome.

# The two headline series; each is named by the indicator catalogue, as on Trender (one name per indicator).
HEADLINES = [("medborgarundersokningen", "trygg_kvall"), ("stockholmsenkaten", "trygg_ute_sent")]
FOLLOWUPS_SHOWN = 6


def title(area: str) -> str:
    """The page's title."""
    return f"Lägesbild {area}"


def intro(council: str) -> str:
    """Whose lägesbild this is (Markdown)."""
    return f"{md(council)}: stadsdelsförvaltningens och lokalpolisens gemensamma lägesbild."


def scope_text(include_internal: bool) -> str:
    """Which material the tiles count."""
    return "Även internt material." if include_internal else "Endast öppet material."


@dataclass(frozen=True)
class Known:
    """What was known on the chosen day: nothing dated after it, "sedan rådsmötet" from the meeting before it."""

    meetings: pd.DataFrame
    progress: pd.DataFrame
    observations: pd.DataFrame
    actions: pd.DataFrame
    last_meeting: dt.date | None


def known_on(today: dt.date, meetings: pd.DataFrame, progress: pd.DataFrame, observations: pd.DataFrame,
             actions: pd.DataFrame) -> Known:
    """The dated tables as they stood on `today`, and the council meeting before it."""
    meetings = up_to(meetings, today)
    return Known(meetings, up_to(progress, today), up_to(observations, today), actions_up_to(actions, today),
                 previous_council_meeting(meetings, today))


@dataclass(frozen=True)
class PledgeTile:
    """The pledge tile: one Markdown line per pledge (the status pill is HTML), or an empty state."""

    title: str
    empty: str | None = None
    not_started: str | None = None
    lines: tuple[str, ...] = ()
    caption: str = ""


def pledge_tile(pledges: pd.DataFrame, progress: pd.DataFrame, today: dt.date, scope: str) -> PledgeTile:
    """This year's pledges (or the latest before it) with what is done and their status on `today`."""
    if pledges.empty:
        return PledgeTile("Medborgarlöften", empty="Inga medborgarlöften är registrerade.")
    year = default_year(pledges["year"], today)
    status = with_status(pledges[pledges["year"] == year], progress, today)
    lines = tuple((status_html(row.status) + " " if row.year_started else "")
                  + f"**{row.done} av {row.target}** {md(row.unit)}  \n{row.number}\\. {md(short_text(row.text))}"
                  for row in status.itertuples())
    latest = progress[progress["pledge_id"].isin(status["id"])]["date"]
    caption = (f"Källa: medborgarlöftena {year} och de framsteg som registrerats, "
               f"{'senast ' + format_date(max(latest)) if len(latest) else 'inga registrerade än'}. "
               f"Status per {format_date(today)}{' (året är slut)' if year < today.year else ''}. {scope}")
    started = bool(status["year_started"].all())
    # As slide 17 says: no status before the year begins.
    return PledgeTile(f"Medborgarlöften {year}", not_started=None if started else
                      f"**Löftesåret {year} har inte börjat än.**", lines=lines, caption=caption)


@dataclass(frozen=True)
class Headline:
    """One headline survey series: the metric, or a sentence when there is nothing to show."""

    label: str
    missing: str | None = None
    value: str = ""
    delta: str | None = None
    arrow: str = "off"
    caption: str = ""


def headline_series(indicators: pd.DataFrame, area: str) -> list[tuple[str, str, str]]:
    """(survey, indicator, label) of each headline series in the council's area."""
    names = dict(zip(zip(indicators["survey"], indicators["indicator"]), indicators["name"]))
    return [(survey, indicator, f"{names.get((survey, indicator), indicator)}, {area}")
            for survey, indicator in HEADLINES]


def headline(label: str, found: Outcome | None) -> Headline:
    """The latest wave as a metric with its change, interval, test and source."""
    if found is None:
        return Headline(label, missing=f"{label}: inga svar ännu.")
    delta = None if found.change is None else \
        f"{number(found.change, 1)} procentenheter sedan {found.previous_year}"
    # The delta has a real minus sign ("−2,0"), which Streamlit does not read as negative: say the arrow.
    arrow = "off" if not found.change else ("down" if found.change < 0 else "up")
    verdict = "" if found.significant is None else \
        (" Förändringen är statistiskt säkerställd." if found.significant else
         " Förändringen är inte statistiskt säkerställd.")
    caption = (f"Källa: {SURVEY_BY_ID[found.survey].name} {found.year} (senaste mätningen), "
               f"{number(found.n)} svar, 95 % konfidensintervall {percent(found.low)}–{percent(found.high)}."
               f"{verdict}{' Exempeldata.' if found.is_example else ''}")
    return Headline(label, value=percent(found.share), delta=delta, arrow=arrow, caption=caption)


@dataclass(frozen=True)
class ActivityTile:
    """The places tile: how many places saw activity since the last council meeting, and which."""

    label: str
    count: int
    places: str | None
    caption: str


def activity_tile(known: Known, today: dt.date, scope: str) -> ActivityTile:
    """Places with an observation or action since the council meeting before `today` (else the latest active)."""
    recent = places_active_since(known.observations, known.actions, known.last_meeting)
    shown = recent if len(recent) else places_active_since(known.observations, known.actions, None).head(4)
    places = None if not len(shown) else ("" if len(recent) else "Senast aktiva: ") + " · ".join(
        f"**{md(name)}** ({format_date(when)})" for name, when in shown.items())
    newest = max([*known.observations["date"], *known.actions["date"]], default=None)
    label = (f"Platser med ny aktivitet sedan rådsmötet {format_date(known.last_meeting)}" if known.last_meeting
             else "Platser med aktivitet")
    caption = (f"Källa: iakttagelser och åtgärder i platsregistret, den senaste {format_date(newest) or '–'}. "
               f"Senaste rådsmöte före {format_date(today)}: {format_date(known.last_meeting) or 'inget registrerat'}. "
               f"{scope}")
    return ActivityTile(label, len(recent), places, caption)


def next_followups(place_frame: pd.DataFrame, today: dt.date, limit: int | None = None) -> pd.DataFrame:
    """The places with a next follow-up date, soonest first (at most `limit`), each marked whether it has passed."""
    dated = place_frame[place_frame["next_followup"].notna()].sort_values("next_followup", kind="stable")
    if limit is not None:
        dated = dated.head(limit)
    return dated.assign(passed=[when < today for when in dated["next_followup"]])


def first_step(next_step: str | None, limit: int = 90) -> str:
    """The first line of a place's next step, cut to fit a list line."""
    return short_text(next_step.splitlines()[0] if next_step else "", limit)


@dataclass(frozen=True)
class FollowupTile:
    """The follow-up tile: the soonest follow-ups as Markdown lines, or an empty state."""

    lines: tuple[str, ...]
    empty: str | None
    caption: str


def followup_tile(place_frame: pd.DataFrame, today: dt.date, limit: int = FOLLOWUPS_SHOWN) -> FollowupTile:
    """The next follow-ups, passed dates marked, and whether the register needs updating."""
    dated = next_followups(place_frame, today)
    lines = tuple(f"**{format_date(row.next_followup)}**{' *(passerat)*' if row.passed else ''} · **{md(row.name)}** – "
                  f"{md(first_step(row.next_step))}" for row in dated.head(limit).itertuples())
    all_passed = len(dated) and bool(dated["passed"].all())
    caption = (f"Källa: platsregistret, nästa uppföljning per plats; {len(dated)} platser har ett datum satt."
               + (" Alla datum har passerat: registret behöver uppdateras." if all_passed else ""))
    return FollowupTile(lines, None if len(dated) else "Inga uppföljningar är planerade.", caption)
