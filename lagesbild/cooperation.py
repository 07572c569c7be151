"""The cooperation structure: forums and activities, and the meetings they hold."""
from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Engine, insert, select

from . import audit, auth, db, schema
from .audit import Actor
from .formatting import date as format_date
from .places import CONFIDENTIALITY
from .privacy import personal_data
from .db import atomic
from .problems import Problem, raise_if
from .tabular import read_table

FORUM_KINDS = ("organisation", "aktivitet")
FORUM_FIELDS = schema.FORUM.fields({"typ": FORUM_KINDS})
MEETING_FIELDS = schema.MEETING.fields({"sekretess": CONFIDENTIALITY})


def read_forums(file_name: str, data: bytes) -> pd.DataFrame:
    """Validated forums and activities; excluded months must be month numbers 1–12."""
    frame = read_table(file_name, data, FORUM_FIELDS)
    problems = []
    for number, months in zip(frame["rad"], frame["ej_månader"]):
        for part in (months or "").split(","):
            if part.strip() and not (part.strip().isdigit() and 1 <= int(part) <= 12):
                problems.append(Problem(file_name, f'"{part.strip()}" är inte ett månadsnummer 1–12', number, "ej_månader"))
    raise_if(problems)
    return frame


def read_meetings(file_name: str, data: bytes) -> pd.DataFrame:
    """Validated meetings with what was done and how the work continues."""
    frame = read_table(file_name, data, MEETING_FIELDS)
    raise_if([Problem(file_name, reason, int(number), column)
              for column in ("vad_har_vi_gjort", "hur_fortsatter_vi")
              for number, text in zip(frame["rad"], frame[column]) for reason in personal_data(text or "")])
    return frame


def store_forums(conn, frame: pd.DataFrame, dataset_id: int | None) -> None:
    """Insert forums inside the caller's transaction."""
    conn.execute(insert(db.forum), [dict(
        id=r.id, kind=r.typ, name=r.namn, theme=r.område or "", goal=r.mål or "", purpose=r.syfte or "",
        participants=r.deltagare or "", frequency=r.mötesfrekvens or "",
        per_year=None if pd.isna(r.möten_per_år) else int(r.möten_per_år),
        excluded_months=r.ej_månader or "", dataset_id=dataset_id) for r in frame.itertuples(index=False)])


def store_meetings(conn, frame: pd.DataFrame, dataset_id: int | None, file_name: str) -> None:
    """Insert meetings inside the caller's transaction; each must belong to a known forum."""
    forums = {fid for (fid,) in conn.execute(select(db.forum.c.id))}
    raise_if([Problem(file_name, f'okänt forum "{f}"', int(n), "forum")
              for n, f in zip(frame["rad"], frame["forum"]) if f not in forums])
    conn.execute(insert(db.meeting), [dict(
        forum_id=r.forum, date=r.datum, done=r.vad_har_vi_gjort or "", next=r.hur_fortsatter_vi or "",
        confidentiality=r.sekretess, dataset_id=dataset_id) for r in frame.itertuples(index=False)])


def load_forums(engine: Engine) -> pd.DataFrame:
    """Every forum and activity in the order of the agreement."""
    t = db.forum
    with engine.connect() as conn:
        result = conn.execute(select(*schema.FORUM.selected(t)))
        return pd.DataFrame(result.all(), columns=list(result.keys()))


def load_meetings(engine: Engine, include_internal: bool = False) -> pd.DataFrame:
    """Meetings held, newest last; internal ones only when asked for."""
    t = db.meeting
    query = select(*schema.MEETING.selected(t)).where(t.c.removed_at.is_(None)).order_by(t.c.date, t.c.id)
    if not include_internal:
        query = query.where(t.c.confidentiality == "öppen")
    with engine.connect() as conn:
        result = conn.execute(query)
        return pd.DataFrame(result.all(), columns=list(result.keys()))


COUNCIL = "radet"
# The meeting form's fields as the user sees them; problems name the field by its label.
MEETING_FORM = {"forum": "Forum eller aktivitet", "date": "Datum", "done": "Vad har vi gjort",
                "next": "Hur fortsätter vi", "confidentiality": "Sekretess"}


def last_council_meeting(meetings: pd.DataFrame):
    """Date of the latest meeting of the council itself, or None."""
    dates = meetings.loc[meetings["forum_id"] == COUNCIL, "date"]
    return None if dates.empty else max(dates)


def places_active_since(observations: pd.DataFrame, actions: pd.DataFrame, since: dt.date | None) -> pd.Series:
    """The places with an observation or action on or after `since` (ever, without a date), each with its
    latest date, newest first."""
    dated = pd.concat([observations[["place", "date"]], actions[["place", "date"]]], ignore_index=True)
    keep = pd.Series([since is None or d >= since for d in dated["date"]], index=dated.index, dtype=bool)
    recent = dated[keep]
    return recent.groupby("place")["date"].max().sort_values(ascending=False)


def excluded(months: str | None) -> set[int]:
    """The month numbers a forum does not meet in, from text such as "6,7,8"."""
    return {int(part) for part in (months or "").split(",") if part.strip().isdigit()}


def planned_per_year(per_year: int | None, excluded_months: str | None) -> int | None:
    """Meetings planned in a whole year: the yearly frequency less the months without meetings."""
    if per_year is None or pd.isna(per_year):
        return None
    active = 12 - len(excluded(excluded_months) & set(range(1, 13)))
    # Rounded half up (Python's round() goes half to even): twice a year but never June–August is still 2.
    return (int(per_year) * active * 2 + 12) // 24


def planned_by(per_year: int | None, excluded_months: str | None, year: int, on: dt.date) -> int | None:
    """Meetings planned in `year` up to the day `on`: the year's meetings spread over its meeting months,
    each month's share due once that month has ended."""
    total = planned_per_year(per_year, excluded_months)
    if total is None:
        return None
    skip = excluded(excluded_months)
    active = [m for m in range(1, 13) if m not in skip]
    if not active:
        return 0
    ended = [m for m in active if _month_end(year, m) < on]
    return total * len(ended) // len(active)


def _month_end(year: int, month: int) -> dt.date:
    return (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1))


def add_meeting(engine: Engine, forum_id: str | None, date: dt.date | None, done: str, next_: str,
                confidentiality: str | None, today: dt.date, *, by: Actor) -> int:
    """Save one meeting from the form and return its id; raises InputError naming every field at fault."""
    auth.require(by.role, "registrera")
    form, label = "formuläret", MEETING_FORM
    done, next_ = (done or "").strip(), (next_ or "").strip()
    forums = {fid for (fid,) in _rows(engine, select(db.forum.c.id))}
    problems = []
    if forum_id not in forums:
        problems.append(Problem(form, "välj ett forum eller en samverkansaktivitet", None, label["forum"]))
    if date is None:
        problems.append(Problem(form, "värde saknas", None, label["date"]))
    elif date > today:
        problems.append(Problem(form, f"{format_date(date)} har inte inträffat än; registrera möten som har "
                                      "hållits", None, label["date"]))
    if not done and not next_:
        problems.append(Problem(form, "skriv vad ni har gjort, hur ni fortsätter eller båda", None, label["done"]))
    for column, text in ((label["done"], done), (label["next"], next_)):
        problems += [Problem(form, reason, None, column) for reason in personal_data(text)]
    if confidentiality not in CONFIDENTIALITY:
        problems.append(Problem(form, f"välj {' eller '.join(CONFIDENTIALITY)}", None, label["confidentiality"]))
    raise_if(problems)
    with atomic(engine) as conn:
        new_id = conn.execute(insert(db.meeting).values(forum_id=forum_id, date=date, done=done, next=next_,
                                                        confidentiality=confidentiality, dataset_id=None)
                              ).inserted_primary_key[0]
        audit.record(conn, by, db.meeting, new_id, "ny", None, audit.row_values(conn, db.meeting, new_id))
        db.bump_version(conn)
    return int(new_id)


def _rows(engine: Engine, query) -> list:
    with engine.connect() as conn:
        return conn.execute(query).all()


def meeting_years(meetings: pd.DataFrame) -> list[int]:
    """The years with meetings, newest first."""
    return sorted({d.year for d in meetings["date"]}, reverse=True)


def meetings_in(meetings: pd.DataFrame, forum_id: str, year: int) -> pd.DataFrame:
    """One forum's meetings in one year, oldest first."""
    keep = [f == forum_id and d.year == year for f, d in zip(meetings["forum_id"], meetings["date"])]
    return meetings[pd.Series(keep, index=meetings.index, dtype=bool)]


def _latest_entry(held: pd.DataFrame, column: str) -> tuple[dt.date | None, str]:
    filled = held[held[column].str.strip() != ""]
    if filled.empty:
        return None, ""
    last = filled.iloc[-1]
    return last["date"], last[column]


def follow_up(forums: pd.DataFrame, meetings: pd.DataFrame, year: int, on: dt.date) -> pd.DataFrame:
    """Per forum: meetings held in `year`, planned in the year and by `on`, and the latest
    "vad har vi gjort" and "hur fortsätter vi" up to the end of the year."""
    rows = []
    for forum in forums.itertuples():
        own = meetings[meetings["forum_id"] == forum.id].sort_values(["date", "id"])
        years = pd.Series([d.year for d in own["date"]], index=own.index, dtype="int64")
        in_year, until = own[years == year], own[years <= year]
        done_date, done = _latest_entry(until, "done")
        next_date, next_ = _latest_entry(until, "next")
        per_year = None if pd.isna(forum.per_year) else int(forum.per_year)
        rows.append(dict(forum_id=forum.id, held=len(in_year),
                         planned=planned_per_year(per_year, forum.excluded_months),
                         planned_so_far=planned_by(per_year, forum.excluded_months, year, on),
                         done_date=done_date, done=done, next_date=next_date, next=next_))
    return pd.DataFrame(rows, columns=["forum_id", "held", "planned", "planned_so_far", "done_date", "done",
                                       "next_date", "next"])
