"""The cooperation structure: forums and activities, and the meetings they hold."""
from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, insert, select

from . import db
from .places import CONFIDENTIALITY
from .privacy import personal_data
from .problems import Problem, raise_if
from .tabular import Field, read_table

FORUM_KINDS = ("organisation", "aktivitet")
FORUM_FIELDS = [
    Field("id"), Field("typ", "choice", choices=FORUM_KINDS), Field("namn"),
    Field("område", allow_empty=True), Field("mål", allow_empty=True), Field("syfte", allow_empty=True),
    Field("deltagare", allow_empty=True), Field("mötesfrekvens", allow_empty=True),
    Field("möten_per_år", "int", allow_empty=True, minimum=0, maximum=366),
    Field("ej_månader", allow_empty=True, required=False),
]
MEETING_FIELDS = [
    Field("forum"), Field("datum", "date"), Field("vad_har_vi_gjort", allow_empty=True),
    Field("hur_fortsatter_vi", allow_empty=True), Field("sekretess", "choice", choices=CONFIDENTIALITY),
]


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
        rows = conn.execute(select(t.c.id, t.c.kind, t.c.name, t.c.theme, t.c.goal, t.c.purpose, t.c.participants,
                                   t.c.frequency, t.c.per_year, t.c.excluded_months)).all()
    return pd.DataFrame(rows, columns=["id", "kind", "name", "theme", "goal", "purpose", "participants",
                                       "frequency", "per_year", "excluded_months"])


def load_meetings(engine: Engine, include_internal: bool = False) -> pd.DataFrame:
    """Meetings held, newest last; internal ones only when asked for."""
    t = db.meeting
    query = select(t.c.id, t.c.forum_id, t.c.date, t.c.done, t.c.next, t.c.confidentiality).order_by(t.c.date, t.c.id)
    if not include_internal:
        query = query.where(t.c.confidentiality == "öppen")
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).all(),
                            columns=["id", "forum_id", "date", "done", "next", "confidentiality"])


COUNCIL = "radet"


def last_council_meeting(meetings: pd.DataFrame):
    """Date of the latest meeting of the council itself, or None."""
    dates = meetings.loc[meetings["forum_id"] == COUNCIL, "date"]
    return None if dates.empty else max(dates)
