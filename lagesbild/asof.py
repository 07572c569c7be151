""""Läget per": the one date the dashboard speaks for, and the rule that picks it."""
from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Engine, func, select

from lagesbild import cooperation, db

# The example data recreates the council meeting of this day (see the example-data notice).
EXAMPLE_DATE = dt.date(2016, 12, 14)


# Where a person types real records in a form (rows without a dataset).
TYPED_IN = (db.observation, db.action, db.meeting, db.place, db.pledge, db.pledge_progress)


def only_example_data(engine: Engine) -> bool:
    """Whether the example is stored and nothing else: no other import, nothing typed in a form."""
    with engine.connect() as conn:
        example, real = conn.execute(select(
            func.count().filter(db.dataset.c.is_example.is_(True)),
            func.count().filter(db.dataset.c.is_example.is_(False)))).one()
        if not example or real:
            return False
        return not any(conn.execute(select(table.c.id).where(table.c.dataset_id.is_(None)).limit(1)).first()
                       for table in TYPED_IN)


def as_of(engine: Engine, chosen: dt.date | None = None, today: dt.date | None = None) -> dt.date:
    """The date every status, "sedan senaste rådsmötet", "passerat" and time window is counted from.

    The date the user chose; otherwise today, or the example meeting's own date while only the
    example data is stored, so the example shows the council as it stood that day.
    """
    if chosen is not None:
        return chosen
    today = today or dt.date.today()
    if not only_example_data(engine):
        return today
    return cooperation.last_council_meeting(cooperation.load_meetings(engine)) or EXAMPLE_DATE


def up_to(frame: pd.DataFrame, on: dt.date) -> pd.DataFrame:
    """The rows dated on or before `on` (what was known that day)."""
    return frame[frame["date"] <= on] if len(frame) else frame


def actions_up_to(actions: pd.DataFrame, on: dt.date) -> pd.DataFrame:
    """The actions done on or before `on`, and every planned one (a plan is dated in the future)."""
    if not len(actions):
        return actions
    return actions[(actions["date"] <= on) | (actions["status"] == "planerad")]


def previous_council_meeting(meetings: pd.DataFrame, on: dt.date) -> dt.date | None:
    """The latest council meeting before `on`: what "sedan senaste rådsmötet" counts from on that day."""
    return cooperation.last_council_meeting(meetings[meetings["date"] < on] if len(meetings) else meetings)
