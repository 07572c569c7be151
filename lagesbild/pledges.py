"""Citizen pledges (medborgarlöften): each year's pledges, their targets and the progress toward them."""
from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, func, insert, select

from . import db
from .places import CONFIDENTIALITY
from .problems import Problem, raise_if
from .privacy import personal_data
from .surveys import survey_id
from .tabular import Field, read_table

PLEDGE_FIELDS = [
    Field("år", "int", minimum=2000, maximum=2100), Field("nr", "int", minimum=1), Field("löfte"),
    Field("ansvarig"), Field("mål", "int", minimum=1), Field("enhet"), Field("område", allow_empty=True),
    Field("undersökning", allow_empty=True, required=False), Field("indikator", allow_empty=True, required=False),
]
PROGRESS_FIELDS = [
    Field("år", "int", minimum=2000, maximum=2100), Field("nr", "int", minimum=1), Field("datum", "date"),
    Field("beskrivning"), Field("antal", "int", minimum=1), Field("sekretess", "choice", choices=CONFIDENTIALITY),
]


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
        area=r.område or "", survey=r.undersökning, indicator=r.indikator or None, dataset_id=dataset_id)
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


def load_pledges(engine: Engine, include_internal: bool = False) -> pd.DataFrame:
    """Every pledge with the progress counted so far (only open entries unless asked for)."""
    p, g = db.pledge, db.pledge_progress
    done = select(g.c.pledge_id, func.sum(g.c.amount).label("done"))
    if not include_internal:
        done = done.where(g.c.confidentiality == "öppen")
    done = done.group_by(g.c.pledge_id).subquery()
    query = (select(p.c.id, p.c.year, p.c.number, p.c.text, p.c.responsible, p.c.target, p.c.unit, p.c.area,
                    p.c.survey, p.c.indicator, func.coalesce(done.c.done, 0))
             .select_from(p.outerjoin(done, done.c.pledge_id == p.c.id)).order_by(p.c.year, p.c.number))
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).all(),
                            columns=["id", "year", "number", "text", "responsible", "target", "unit", "area",
                                     "survey", "indicator", "done"])
