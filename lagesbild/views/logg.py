"""The change log as the Logg page shows it: what can be restored, and the changes in Swedish columns."""
from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Engine

from lagesbild import audit
from lagesbild.audit import ACTIONS, TABLE_NAMES, Actor, load_log, load_removed, log_people
from lagesbild.formatting import date as format_date

# Passed on to the page, which imports nothing from the data floor itself:
# ACTIONS, TABLE_NAMES, load_log, load_removed, log_people.

DEFAULT_DAYS = 90
COLUMNS = ["När", "Vem", "Roll", "Vad", "Post", "Händelse", "Ändring"]


def removed_choices(removed: pd.DataFrame) -> dict[str, str]:
    """What can be restored: "table:id" → "kind id · text · borttagen when av whom"."""
    return {f"{r.table}:{r.id}": f"{r.kind} {r.id} · {r.text} · borttagen {r.removed_at:%Y-%m-%d %H:%M} av {r.removed_by}"
            for r in removed.itertuples()}


def restore(engine: Engine, choice: str, label: str, by: Actor) -> str:
    """Restore the chosen record ("table:id") and say so in Swedish."""
    table, record_id = choice.split(":")
    audit.restore(engine, table, int(record_id), by)
    return f"{label.split(' · ')[0].capitalize()} är återställd."


def default_span(today: dt.date) -> tuple[dt.date, dt.date]:
    """The dates the log opens on: the last 90 days."""
    return today - dt.timedelta(days=DEFAULT_DAYS), today


def chosen_span(span) -> tuple[dt.date | None, dt.date | None]:
    """The chosen from and to dates; (None, None) while only one end is picked."""
    return span if isinstance(span, tuple) and len(span) == 2 else (None, None)


def log_table(log: pd.DataFrame) -> pd.DataFrame:
    """The changes with Swedish headings, newest first; each change as the fields it changed."""
    shown = log.assign(
        När=log["at"].map(lambda t: f"{format_date(t)} {t:%H:%M}"), Vem=log["username"], Roll=log["role"],
        Vad=log["table_name"].map(lambda t: TABLE_NAMES.get(t, t)), Post=log["record_id"].fillna(""),
        Händelse=log["action"], Ändring=[audit.changed_fields(b, a) for b, a in zip(log["before"], log["after"])])
    return shown[COLUMNS]


def count_text(log: pd.DataFrame) -> str:
    """How many changes are shown."""
    return f"{len(log)} ändringar, nyast först (högst 1 000)."
