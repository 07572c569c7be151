"""Citizen pledges (medborgarlöften): each year's pledges, their targets and the progress toward them."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Iterable

import pandas as pd
from sqlalchemy import Engine, func, insert, select

from . import audit, auth, db, schema
from .audit import Actor
from .formatting import date as format_date, number, percent
from .places import CONFIDENTIALITY
from .db import atomic
from .problems import Problem, raise_if
from .privacy import personal_data
from .stats import ALPHA, compare, with_intervals
from .surveys import ALL, SURVEY_BY_ID, latest_change, survey_id
from .tabular import read_table

PLEDGE_FIELDS = schema.PLEDGE.fields()
PROGRESS_FIELDS = schema.PLEDGE_PROGRESS.fields({"sekretess": CONFIDENTIALITY})

# The progress form's fields as the user sees them; problems name the field by its label.
PROGRESS_FORM = {"pledge": "Medborgarlöfte", "date": "Datum", "amount": "Antal", "confidentiality": "Sekretess",
                 "description": "Vad har gjorts"}

# The status of a pledge and what it means in words (its colours are presentation: lagesbild.views.loften).
FULFILLED, ON_PACE, BEHIND, NOT_FULFILLED = "uppfyllt", "i fas", "efter plan", "ej uppfyllt"
STATUSES = (FULFILLED, ON_PACE, BEHIND, NOT_FULFILLED)
STATUS_MEANINGS = {
    FULFILLED: "målet är nått",
    ON_PACE: "det som är gjort räcker för att nå målet med jämn takt över året",
    BEHIND: "mindre är gjort än vad jämn takt över året kräver",
    NOT_FULFILLED: "året är slut och målet nåddes inte",
}
# Two texts are taken for the same pledge renewed when this share of their words match in order.
RENEWAL_SIMILARITY = 0.7


@dataclass(frozen=True)
class PledgeStatus:
    """Where a pledge stands on a date: its status, what counts and what an even pace asks for."""

    status: str
    done: int
    target: int
    expected: int  # whole units an even pace through the year asks for by the date
    year: int
    on: dt.date
    met_on: dt.date | None  # the day the target was reached, if it was

    @property
    def year_over(self) -> bool:
        """Whether the pledge year has ended on the date."""
        return self.on > dt.date(self.year, 12, 31)

    @property
    def year_started(self) -> bool:
        """Whether the pledge year has begun on the date."""
        return self.on >= dt.date(self.year, 1, 1)

    def sentence(self) -> str:
        """One Swedish sentence that says why the pledge has its status; the meter shows the counts."""
        if self.status == FULFILLED:
            early = ", före årets slut" if self.met_on and self.met_on < dt.date(self.year, 12, 31) else ""
            return f"Målet nåddes {format_date(self.met_on)}{early}."
        if self.status == NOT_FULFILLED:
            return f"Året {self.year} är slut och målet nåddes inte."
        if not self.year_started:
            return f"Löftesåret {self.year} har inte börjat än."
        if self.status == ON_PACE:
            return (f"Arbetet ligger i fas: med jämn takt över året ska nästa vara gjord senast "
                    f"{format_date(due_date(self.target, self.year, self.done + 1))}.")
        return (f"Med jämn takt över året skulle {self.expected} av {self.target} vara {_done_word(self.expected)} "
                f"{format_date(self.on)}, men bara {self.done} är {_done_word(self.done)}.")


def _done_word(count: int) -> str:
    return "gjord" if count == 1 else "gjorda"


def expected_by(target: int, year: int, on: dt.date) -> int:
    """Whole units an even pace through the year asks for before the day `on`."""
    start, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    elapsed = min(max((on - start).days, 0), (end - start).days)
    # Integer arithmetic: a unit is due only once its full share of the year has passed.
    return target * elapsed // (end - start).days


def due_date(target: int, year: int, unit: int) -> dt.date:
    """The last day by which an even pace through the year asks for `unit` units to be done."""
    start, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    days = -(-unit * (end - start).days // target)  # ceiling: expected_by reaches `unit` the day after
    return start + dt.timedelta(days=days - 1)


def pledge_status(target: int, year: int, entries: Iterable[tuple[dt.date, int]], on: dt.date) -> PledgeStatus:
    """The status on `on` from the target and the (date, amount) progress entries; only the year's entries count."""
    counted = sorted((when, amount) for when, amount in entries if when.year == year and when <= on)
    done, met_on = 0, None
    for when, amount in counted:
        done += int(amount)
        if met_on is None and done >= target:
            met_on = when
    expected = expected_by(target, year, on)
    if done >= target:
        status = FULFILLED
    elif on > dt.date(year, 12, 31):
        status = NOT_FULFILLED
    elif done >= expected:
        status = ON_PACE
    else:
        status = BEHIND
    return PledgeStatus(status, done, target, expected, year, on, met_on)


def read_pledges(file_name: str, data: bytes) -> pd.DataFrame:
    """Validated pledges; a linked survey must be a known one."""
    frame = read_table(file_name, data, PLEDGE_FIELDS)
    problems = [Problem(file_name, f'okänd undersökning "{s}"', int(n), "undersökning")
                for n, s in zip(frame["rad"], frame["undersökning"]) if s and survey_id(s) is None]
    problems += [Problem(file_name, f"medborgarlöfte {nr} för {year} finns redan på en tidigare rad", int(n), "nr")
                 for n, year, nr, dup in zip(frame["rad"], frame["år"], frame["nr"],
                                             frame.duplicated(["år", "nr"])) if dup]
    raise_if(problems)
    frame["undersökning"] = [survey_id(s) if s else None for s in frame["undersökning"]]
    return frame


def read_progress(file_name: str, data: bytes) -> pd.DataFrame:
    """Validated progress entries, each naming the year and number of its pledge."""
    frame = read_table(file_name, data, PROGRESS_FIELDS)
    raise_if([Problem(file_name, reason, int(n), "beskrivning")
              for n, text in zip(frame["rad"], frame["beskrivning"]) for reason in personal_data(text or "")])
    return frame


def store_pledges(conn, frame: pd.DataFrame, dataset_id: int | None) -> None:
    """Insert pledges inside the caller's transaction."""
    if frame.empty:
        return
    conn.execute(insert(db.pledge), [dict(
        year=r.år, number=r.nr, text=r.löfte, responsible=r.ansvarig, target=r.mål, unit=r.enhet,
        area=r.område or "", survey=None if pd.isna(r.undersökning) else r.undersökning,
        indicator=r.indikator or None, dataset_id=dataset_id)
        for r in frame.itertuples(index=False)])


def store_progress(conn, frame: pd.DataFrame, dataset_id: int | None, file_name: str) -> None:
    """Insert progress entries inside the caller's transaction; each pledge must exist."""
    if frame.empty:
        return
    ids = {(y, n): pid for pid, y, n in conn.execute(select(db.pledge.c.id, db.pledge.c.year, db.pledge.c.number))}
    raise_if([Problem(file_name, f"det finns inget medborgarlöfte {nr} för {year}", int(n), "nr")
              for n, year, nr in zip(frame["rad"], frame["år"], frame["nr"]) if (year, nr) not in ids])
    conn.execute(insert(db.pledge_progress), [dict(
        pledge_id=ids[(r.år, r.nr)], date=r.datum, description=r.beskrivning, amount=r.antal,
        confidentiality=r.sekretess, dataset_id=dataset_id) for r in frame.itertuples(index=False)])


def add_progress(engine: Engine, pledge_id: int | None, date: dt.date | None, description: str,
                 amount: int | None, confidentiality: str | None, today: dt.date, *, by: Actor) -> int:
    """Save one progress entry from the form and return its id; raises InputError naming every field at fault."""
    auth.require(by.role, "registrera")
    form, label = "formuläret", PROGRESS_FORM
    description = (description or "").strip()
    with engine.connect() as conn:
        found = None if pledge_id is None else conn.execute(
            select(db.pledge.c.year, db.pledge.c.number).where(db.pledge.c.id == pledge_id)).first()
    problems = []
    if found is None:
        problems.append(Problem(form, "välj ett medborgarlöfte", None, label["pledge"]))
    if date is None:
        problems.append(Problem(form, "värde saknas", None, label["date"]))
    elif date > today:
        problems.append(Problem(form, f"{format_date(date)} har inte inträffat än; registrera det som är gjort",
                                None, label["date"]))
    elif found is not None and date.year != found.year:
        problems.append(Problem(form, f"{format_date(date)} ligger utanför löftesåret {found.year}; "
                                      f"bara det som görs under {found.year} räknas", None, label["date"]))
    if not description:
        problems.append(Problem(form, "värde saknas", None, label["description"]))
    problems += [Problem(form, reason, None, label["description"]) for reason in personal_data(description)]
    if amount is None or int(amount) != amount or amount < 1:
        shown = "" if amount is None else amount
        problems.append(Problem(form, f'"{shown}" är inte ett heltal från 1', None, label["amount"]))
    if confidentiality not in CONFIDENTIALITY:
        problems.append(Problem(form, f"välj {' eller '.join(CONFIDENTIALITY)}", None, label["confidentiality"]))
    raise_if(problems)
    with atomic(engine) as conn:
        new_id = conn.execute(insert(db.pledge_progress).values(
            pledge_id=pledge_id, date=date, description=description, amount=int(amount),
            confidentiality=confidentiality, dataset_id=None)).inserted_primary_key[0]
        audit.record(conn, by, db.pledge_progress, new_id, "ny", None,
                     audit.row_values(conn, db.pledge_progress, new_id))
        db.bump_version(conn)
    return int(new_id)


def load_pledges(engine: Engine, include_internal: bool = False) -> pd.DataFrame:
    """Every pledge with the progress counted so far (only open entries unless asked for)."""
    p, g = db.pledge, db.pledge_progress
    done = select(g.c.pledge_id, func.sum(g.c.amount).label("done")).where(g.c.removed_at.is_(None))
    if not include_internal:
        done = done.where(g.c.confidentiality == "öppen")
    done = done.group_by(g.c.pledge_id).subquery()
    query = (select(*schema.PLEDGE.selected(p), func.coalesce(done.c.done, 0).label("done"))
             .select_from(p.outerjoin(done, done.c.pledge_id == p.c.id)).order_by(p.c.year, p.c.number))
    with engine.connect() as conn:
        result = conn.execute(query)
        return pd.DataFrame(result.all(), columns=list(result.keys()))


def load_progress(engine: Engine, include_internal: bool = False) -> pd.DataFrame:
    """Every progress entry, oldest first; internal ones only when asked for."""
    g = db.pledge_progress
    query = select(*schema.PLEDGE_PROGRESS.selected(g)).where(g.c.removed_at.is_(None))
    if not include_internal:
        query = query.where(g.c.confidentiality == "öppen")
    with engine.connect() as conn:
        result = conn.execute(query.order_by(g.c.date, g.c.id))
        return pd.DataFrame(result.all(), columns=list(result.keys()))


def with_status(pledges: pd.DataFrame, progress: pd.DataFrame, on: dt.date) -> pd.DataFrame:
    """The pledges with done, expected, status, met_on and the sentence explaining the status on `on`."""
    frame = pledges.drop(columns=["done"], errors="ignore").copy()
    entries = {pid: list(zip(group["date"], group["amount"])) for pid, group in progress.groupby("pledge_id")}
    states = [pledge_status(int(row.target), int(row.year), entries.get(row.id, []), on)
              for row in frame.itertuples()]
    frame["done"] = [s.done for s in states]
    frame["expected"] = [s.expected for s in states]
    frame["status"] = [s.status for s in states]
    frame["met_on"] = [s.met_on for s in states]
    frame["year_over"] = [s.year_over for s in states]
    frame["year_started"] = [s.year_started for s in states]
    frame["sentence"] = [s.sentence() for s in states]
    return frame


def counted_entries(progress: pd.DataFrame, pledge_id: int, year: int, on: dt.date) -> pd.DataFrame:
    """The progress entries that count toward one pledge on `on`: inside its year and not after `on`."""
    keep = [pid == pledge_id and when.year == year and when <= on
            for pid, when in zip(progress["pledge_id"], progress["date"])]
    return progress[pd.Series(keep, index=progress.index, dtype=bool)]


def default_year(years: Iterable[int], today: dt.date) -> int:
    """This year's pledges when there are any, else the latest year before it, else the earliest."""
    years = sorted(set(int(y) for y in years))
    past = [y for y in years if y <= today.year]
    return past[-1] if past else years[0]


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def is_renewal(earlier: str, later: str) -> bool:
    """Whether two pledge texts read as the same pledge renewed (most words the same, in order)."""
    return SequenceMatcher(None, _words(earlier), _words(later)).ratio() >= RENEWAL_SIMILARITY


def history(pledges: pd.DataFrame, text: str, unit: str, year: int) -> pd.DataFrame:
    """The earlier years' pledges that the pledge renews: the closest match per year, oldest first."""
    rows = []
    earlier = pledges[(pledges["year"] < year) & (pledges["unit"].str.casefold() == unit.casefold())]
    for _, group in earlier.groupby("year"):
        scores = group["text"].map(lambda t: SequenceMatcher(None, _words(t), _words(text)).ratio())
        best = scores.idxmax()
        if scores[best] >= RENEWAL_SIMILARITY:
            rows.append(best)
    return pledges.loc[rows].sort_values("year")


@dataclass(frozen=True)
class Outcome:
    """The latest wave of a survey indicator beside a pledge: share, interval and change since the wave before."""

    survey: str
    indicator: str
    area: str
    year: int
    share: float
    n: int | None
    low: float | None
    high: float | None
    previous_year: int | None
    change: float | None
    p_value: float | None
    is_example: bool

    @property
    def significant(self) -> bool | None:
        """Whether the change is statistically significant at the 5 % level; None when it cannot be tested."""
        return None if self.p_value is None else self.p_value < ALPHA

    def sentence(self) -> str:
        """The outcome as a Swedish official writes it, interval and test included."""
        source = SURVEY_BY_ID[self.survey].name if self.survey in SURVEY_BY_ID else self.survey
        text = f"{percent(self.share)} i {source} {self.year}"
        if self.low is not None:
            text += f" (95 % konfidensintervall {percent(self.low)}–{percent(self.high)}, {number(self.n)} svar)"
        if self.previous_year is None:
            return text + ". Första mätningen: inget att jämföra med."
        text += f", {number(self.change, 1)} procentenheter sedan {self.previous_year}"
        if self.significant is None:
            return text + "; antalet svar saknas, så förändringen kan inte prövas."
        verdict = "statistiskt säkerställd" if self.significant else "inte statistiskt säkerställd"
        return text + f"; förändringen är {verdict}."


def outcome(results: pd.DataFrame, survey: str, indicator: str, area: str, min_answers: int,
            group: str = ALL) -> Outcome | None:
    """The indicator's latest wave with its 95 % interval and a test of the change, or None without data."""
    if results.empty:
        return None
    series = with_intervals(results[(results["survey"] == survey) & (results["indicator"] == indicator)
                                    & (results["area"] == area) & (results["grp"] == group)], min_answers)
    head = latest_change(series, survey, indicator, area, group)
    if head is None:
        return None
    last = series[series["year"] == head["year"]].iloc[0]
    n = None if pd.isna(last["n"]) else int(last["n"])
    p_value = None
    if head["previous_year"] is not None:
        before = series[series["year"] == head["previous_year"]].iloc[0]
        p_value = compare(float(before["share"]), before["n"], head["share"], n).p
    return Outcome(survey, indicator, area, head["year"], head["share"], n,
                   None if pd.isna(last["low"]) else float(last["low"]),
                   None if pd.isna(last["high"]) else float(last["high"]),
                   head["previous_year"], head["change"], p_value,
                   bool(series["is_example"].any()) if "is_example" in series else False)
