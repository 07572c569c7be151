"""Samverkan as a page shows it: who meets and how often, meetings held against planned, what was done and next."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from lagesbild import cooperation
from lagesbild.asof import up_to
from lagesbild.cooperation import MEETING_FORM, add_meeting
from lagesbild.formatting import date as format_date
from lagesbild.formatting import markdown_escape as md
from lagesbild.places import CONFIDENTIALITY

# Passed on to the page, which imports nothing from the data floor itself:
# CONFIDENTIALITY, MEETING_FORM, add_meeting, up_to.

MEETING_COLUMNS = {"date": "Datum", "done": "Vad har vi gjort", "next": "Hur fortsätter vi",
                   "confidentiality": "Sekretess"}


def _unknown(value) -> bool:
    return value is None or pd.isna(value)


def held_of_planned(held: int, planned: int | None) -> str:
    """"3 av 11", or just "3" when the frequency names no number."""
    return f"{held}" if _unknown(planned) else f"{held} av {int(planned)}"


def held_text(held: int, planned: int | None, planned_so_far: int | None, year: int, on: dt.date) -> str:
    """Meetings held against planned, in Swedish, e.g. "4 av 11 planerade möten 2016"."""
    word = "möte" if held == 1 else "möten"
    if _unknown(planned):
        return f"{held} {word} {year} (mötesfrekvensen anger inget antal)"
    if year != on.year or planned_so_far == planned:
        return f"{held} av {int(planned)} planerade möten {year}"
    return (f"{held} av {int(planned)} planerade möten {year}; "
            f"{int(planned_so_far)} var planerade till och med {format_date(on)}")


def planned_text(planned: int | None, planned_so_far: int | None, year: int, on: dt.date) -> str:
    """What the planned count rests on, and how many were due by `on` while the year runs."""
    if _unknown(planned):
        return "Mötesfrekvensen anger inget antal möten."
    if year == on.year:
        return f"Planerade enligt mötesfrekvensen; {int(planned_so_far)} av dem till och med {format_date(on)}."
    return "Planerade enligt mötesfrekvensen" + (" (året har inte börjat)." if year > on.year else ".")


def bullet_lines(text: str) -> str:
    """Typed text with one bullet per line, escaped so that it is shown exactly as written."""
    return "\n".join(f"- {md(line)}" for line in text.splitlines() if line.strip())


def intro(area: str) -> str:
    """What the page is about, for the council's area (Markdown)."""
    return (f"Samverkansöverenskommelsen mellan stadsdelsförvaltningen och lokalpolisområde {md(area)}: "
            "vem som träffas och hur ofta, vad har vi gjort och hur fortsätter vi.")


def years(meetings: pd.DataFrame, on: dt.date) -> tuple[list[int], int]:
    """The years to choose from, newest first, and the default: the latest year with meetings, so that the
    page opens on a year with something to show."""
    held = cooperation.meeting_years(meetings)
    choices = sorted(set(held) | {on.year}, reverse=True)
    return choices, (held or choices)[0]


def counting_note(year: int, include_internal: bool) -> str:
    """What the counts of a year rest on."""
    return (f"Möten {year}: hållna mot planerade enligt mötesfrekvensen"
            f"{'' if include_internal else '; endast öppna möten räknas och visas'}.")


@dataclass(frozen=True)
class ActivityCard:
    """One samverkansaktivitet as its card shows it (Markdown texts)."""

    forum_id: str
    about: str
    count_label: str
    count: str
    count_note: str
    done: str
    next: str
    places: list[tuple[str, str, str]]  # (button key, button label, place name)
    meetings: pd.DataFrame
    meetings_title: str


def cards(forums: pd.DataFrame, meetings: pd.DataFrame, place_frame: pd.DataFrame, year: int,
          on: dt.date) -> tuple[list[str], list[ActivityCard]]:
    """The organisation's cards and each activity's, from the loaded tables as of `on` (the page keeps them per data version)."""
    meetings = up_to(meetings, on)
    return organisation_cards(forums, meetings, year, on), activity_cards(forums, meetings, place_frame, year, on)


def organisation_cards(forums: pd.DataFrame, meetings: pd.DataFrame, year: int, on: dt.date) -> list[str]:
    """The council and its working groups, each as a Markdown card with meetings held against planned."""
    bodies = forums[forums["kind"] == "organisation"]
    summary = cooperation.follow_up(bodies, meetings, year, on).set_index("forum_id")
    cards = []
    for row in bodies.itertuples():
        follow = summary.loc[row.id]
        held = held_text(follow.held, follow.planned, follow.planned_so_far, year, on)
        cards.append(f"#### {md(row.name)}\n{md(row.purpose)}\n\n**Deltagare:** {md(row.participants)}  \n"
                     f"**Mötesfrekvens:** {md(row.frequency)}  \n**Möten:** {held}")
    return cards


def _entry(title: str, when: dt.date | None, text: str) -> str:
    return f"**{title}** ({format_date(when) or 'inget registrerat'})\n\n{bullet_lines(text)}"


def activity_cards(forums: pd.DataFrame, meetings: pd.DataFrame, place_frame: pd.DataFrame, year: int,
                   on: dt.date) -> list[ActivityCard]:
    """The samverkansaktiviteter: what each is for, meetings held against planned, the latest notes and places."""
    activities = forums[forums["kind"] == "aktivitet"]
    summary = cooperation.follow_up(activities, meetings, year, on).set_index("forum_id")
    cards = []
    for row in activities.itertuples():
        follow = summary.loc[row.id]
        theme = f"*{md(row.theme)}*\n\n" if row.theme and row.theme != row.name else ""
        held = cooperation.meetings_in(meetings, row.id, year)
        cards.append(ActivityCard(
            forum_id=row.id,
            about=(f"### {md(row.name)}\n{theme}**Mål:** {md(row.goal)}\n\n**Syfte:**\n{bullet_lines(row.purpose)}"
                   f"\n\n**Deltagare:** {md(row.participants)}  \n**Mötesfrekvens:** {md(row.frequency)}"),
            count_label=f"Möten {year}", count=held_of_planned(follow.held, follow.planned),
            count_note=planned_text(follow.planned, follow.planned_so_far, year, on),
            done=_entry("Vad har vi gjort", follow.done_date, follow.done),
            next=_entry("Hur fortsätter vi", follow.next_date, follow.next),
            places=[(f"map_{row.id}_{p.id}", md(p.name), p.name)
                    for p in place_frame[place_frame["forum_id"] == row.id].itertuples()],
            meetings=held.rename(columns=MEETING_COLUMNS)[list(MEETING_COLUMNS.values())],
            meetings_title=f"Alla möten {year} ({len(held)})"))
    return cards


def meeting_saved(when: dt.date, forum: str, confidentiality: str | None, include_internal: bool) -> str:
    """What the form says after a save: which meeting, and where it is shown."""
    visible = confidentiality == "öppen" or include_internal
    return f"Mötet {format_date(when)} i {forum} är sparat." + (
        "" if visible else " Det är märkt intern och visas bara när internt material visas.")


def meeting_choices(meetings: pd.DataFrame, names: dict[str, str]) -> dict[int, str]:
    """Meetings as "Ta bort" lists them: id → "2016-12-14 · forum · what was done"."""
    return {int(r.id): f"{format_date(r.date)} · {names.get(r.forum_id, r.forum_id)} · {(r.done or r.next)[:70]}"
            for r in meetings.itertuples()}
