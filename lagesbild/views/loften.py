"""Medborgarlöften as a page shows them: the status pill and meter, one card per pledge, the form's words."""
from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass
from typing import Callable

import pandas as pd

from lagesbild.asof import up_to
from lagesbild.formatting import date as format_date
from lagesbild.formatting import markdown_escape as md
from lagesbild.pledges import (BEHIND, FULFILLED, NOT_FULFILLED, ON_PACE, PROGRESS_FORM, STATUS_MEANINGS, Outcome,
                               add_progress, counted_entries, default_year, history, outcome, with_status)
from lagesbild.places import CONFIDENTIALITY

# Passed on to the page, which imports nothing from the data floor itself:
# CONFIDENTIALITY, PROGRESS_FORM, add_progress, default_year, outcome, up_to, with_status.

# The status colours are Okabe–Ito, safe for colour blindness; the text colour keeps each pill readable.
STATUS_COLOURS = {FULFILLED: "#009E73", ON_PACE: "#0072B2", BEHIND: "#E69F00", NOT_FULFILLED: "#D55E00"}
STATUS_TEXT_COLOURS = {FULFILLED: "#ffffff", ON_PACE: "#ffffff", BEHIND: "#1b1f24", NOT_FULFILLED: "#ffffff"}
NO_STATUS_COLOUR = "#8c959f"

# A pledge outcome fetched for (survey, indicator, area): the page passes a cached lookup.
OutcomeOf = Callable[[str, str, str], "Outcome | None"]


def status_html(status: str) -> str:
    """The status in words on its own colour, large enough to read from the back of the room."""
    return (f'<span class="pledge-status" style="background:{STATUS_COLOURS[status]};'
            f'color:{STATUS_TEXT_COLOURS[status]};padding:0.1rem 0.7rem;border-radius:1rem;font-weight:600;'
            f'font-size:1.1rem;white-space:nowrap">{status.capitalize()}</span>')


def meter_html(done: int, target: int, expected: int, status: str | None, unit: str, show_pace: bool) -> str:
    """The status in words on its colour, and an accessible meter of done against target with a mark
    where an even pace through the year should be on the day; no status (None) before the year begins."""
    filled = min(done / target, 1.0) * 100 if target else 0.0
    pace = min(expected / target, 1.0) * 100 if target else 0.0
    unit = html.escape(unit)
    pill = "" if status is None else status_html(status)
    mark = (f'<div title="I fas" style="position:absolute;left:calc({pace:.2f}% - 0.15rem);top:-0.4rem;'
            'bottom:-0.4rem;width:0.3rem;background:#1b1f24;border-radius:0.1rem"></div>') if show_pace else ""
    pace_text = ""
    if show_pace:
        pace_text = ('<span><span style="display:inline-block;width:0.3rem;height:1.1rem;background:#1b1f24;'
                     f'vertical-align:middle;margin-right:0.4rem"></span>i fas: {expected}</span>')
    return (f'<div class="pledge-meter">{pill}'
            f'<div role="meter" aria-valuemin="0" aria-valuemax="{target}" aria-valuenow="{done}" '
            f'aria-label="{done} av {target} {unit}" style="position:relative;height:1.7rem;background:#e3e7ec;'
            'border-radius:0.35rem;margin:0.9rem 0 0.4rem 0">'
            f'<div style="width:{filled:.2f}%;height:100%;background:{STATUS_COLOURS.get(status, NO_STATUS_COLOUR)};'
            f'border-radius:0.35rem"></div>{mark}</div>'
            '<div style="display:flex;justify-content:space-between;font-size:1.2rem">'
            f'<span><b>{done} av {target}</b> {unit}</span>{pace_text}</div></div>')


def short_text(text: str, limit: int = 110) -> str:
    """The pledge's first sentence, cut at a word boundary when it is longer than `limit` characters."""
    first = re.split(r"(?<=[.!?])\s", text.strip(), maxsplit=1)[0]
    if len(first) <= limit:
        return first
    return first[:limit].rsplit(" ", 1)[0] + " …"


def status_basis(year: int, today: dt.date, include_internal: bool) -> str:
    """What the statuses of a year's pledges rest on, in one Swedish sentence (Markdown)."""
    if year < today.year:
        when = f"Året {year} är slut: statusen visar hur löftena slutade"
    elif year > today.year:
        when = f"Året {year} har inte börjat"
    else:
        when = f"Status per {format_date(today)}"
    scope = "" if include_internal else " (endast öppet material)"
    return f"**{when}**, räknat på de framsteg som är registrerade här{scope}."


def status_legend(on: dt.date) -> str:
    """What each status means and what the black mark on the meter shows (Markdown)."""
    return ("Status: " + " · ".join(f"**{s}** – {meaning}" for s, meaning in STATUS_MEANINGS.items())
            + f". Det svarta strecket visar hur mycket som ska vara gjort {format_date(on)} med jämn takt över året.")


def earlier_years(frame: pd.DataFrame, year: int) -> pd.DataFrame:
    """The pledges of the years before `year` and how they ended, newest year first, with Swedish headings."""
    before = frame[frame["year"] < year].sort_values(["year", "number"], ascending=[False, True])
    return pd.DataFrame({"År": before["year"], "Nr": before["number"], "Löfte": before["text"],
                         "Gjort": [f"{d} av {t}" for d, t in zip(before["done"], before["target"])],
                         "Enhet": before["unit"], "Hur det slutade": before["status"]})


def pledge_years(frame: pd.DataFrame) -> list[int]:
    """The years with pledges, newest first."""
    return sorted((int(y) for y in frame["year"].unique()), reverse=True)


@dataclass(frozen=True)
class PledgeCard:
    """One pledge as its card shows it: Markdown texts and the meter's HTML."""

    heading: str
    target: str
    meter: str
    sentence: str
    done: str
    entries: list[str]
    outcome: str | None
    earlier: str | None


def outcome_text(name: str, area: str, found: Outcome | None) -> str:
    """The survey outcome beside a pledge, as a Markdown line."""
    said = "inga svar ännu." if found is None else found.sentence() + (" Exempeldata." if found.is_example else "")
    return f"**Utfall som löftet ska påverka** – {md(name)}, {md(area)}: {md(said)}"


def pledge_cards(frame: pd.DataFrame, year: int, progress: pd.DataFrame, on: dt.date, indicators: pd.DataFrame,
                 default_area: str, outcome_of: OutcomeOf) -> list[PledgeCard]:
    """The cards of the year's pledges; `frame` is every year's pledges with status (for the earlier years)."""
    names = dict(zip(zip(indicators["survey"], indicators["indicator"]), indicators["name"]))
    cards = []
    for row in frame[frame["year"] == year].itertuples():
        entries = counted_entries(progress, row.id, row.year, on)
        lines = [f"- {format_date(e.date)}: {md(e.description)}"
                 + (f" ({e.amount} {md(row.unit)})" if e.amount != 1 else "")
                 + (" *(intern)*" if e.confidentiality == "intern" else "") for e in entries.itertuples()]
        linked = None
        if isinstance(row.survey, str) and isinstance(row.indicator, str):
            area = row.area or default_area
            linked = outcome_text(names.get((row.survey, row.indicator), row.indicator), area,
                                  outcome_of(row.survey, row.indicator, area))
        before = history(frame, row.text, row.unit, row.year)
        cards.append(PledgeCard(
            heading=f"### {row.number}. {md(row.text)}",
            target=f"**Mål:** {row.target} {md(row.unit)}  \n**Ansvarig:** {md(row.responsible)}",
            meter=meter_html(row.done, row.target, row.expected, row.status if row.year_started else None, row.unit,
                             show_pace=row.year_started and not row.year_over),
            sentence=md(row.sentence),
            done=f"**Gjort hittills:** {'inget registrerat för ' + str(row.year) if entries.empty else ''}",
            entries=lines, outcome=linked,
            earlier=None if before.empty else "**Tidigare år:** " + " · ".join(
                f"{e.year}: {e.done} av {e.target}, {e.status}" for e in before.itertuples())))
    return cards


def pledge_titles(frame: pd.DataFrame, year: int) -> dict[int, str]:
    """The year's pledges as the progress form lists them: id → "1. Polisen ska …"."""
    return {r.id: f"{r.number}. {short_text(r.text, 80)}" for r in frame[frame["year"] == year].itertuples()}


def progress_saved(confidentiality: str | None, include_internal: bool) -> str:
    """What the form says after a save: where the new entry counts."""
    visible = confidentiality == "öppen" or include_internal
    return "Framsteget är sparat." + (
        "" if visible else " Det är märkt intern och räknas bara när internt material visas.")


def progress_choices(progress: pd.DataFrame) -> dict[int, str]:
    """Progress entries as "Ta bort" lists them: id → "2017-05-03 · what was done"."""
    return {int(r.id): f"{format_date(r.date)} · {r.description[:80]}" for r in progress.itertuples()}


def form_date(today: dt.date, year: int) -> dt.date:
    """The date the progress form starts on: today, or the last day of a pledge year that has ended."""
    return min(today, dt.date(year, 12, 31))



def intro(area: str) -> str:
    """What the page is about, for the council's area (Markdown)."""
    return ("Polisens och stadsdelsförvaltningens löften till dem som bor och verkar i "
            f"{md(area)}, med mål som går att räkna och det som är gjort hittills.")
