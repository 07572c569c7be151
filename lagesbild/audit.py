"""The audit trail: who changed what and when, with the record before and after; removal and restore.

Every write in the data layer goes through record() inside its own transaction, so the trail and
the data can never disagree. Removing a record only hides it (removed_at, removed_by); an
administrator can restore it, and both steps are in the trail.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any, Callable

import pandas as pd
from sqlalchemy import Engine, Table, insert, select, update

from . import auth, db, logs
from .db import atomic
from .problems import InputError, Problem


@dataclass(frozen=True)
class Actor:
    """The person acting: the name the trail shows and the role their permissions come from."""

    name: str
    role: str


PUBLIC = Actor("", auth.PUBLIC)

# Action names as the trail stores them, and as an administrator reads them.
ACTIONS = {"ny": "ny", "ändrad": "ändrad", "import": "import", "borttagen": "borttagen",
           "återställd": "återställd", "låst": "låst"}

# The records a "Ta bort" applies to, with the words the app uses for them.
REMOVABLE: dict[str, tuple[Table, str]] = {
    "observation": (db.observation, "iakttagelse"),
    "action": (db.action, "åtgärd"),
    "place": (db.place, "plats"),
    "meeting": (db.meeting, "möte"),
    "pledge_progress": (db.pledge_progress, "framsteg"),
    "round_answer": (db.round_answer, "svar i laget runt"),
}
TABLE_NAMES = {"observation": "iakttagelser", "action": "åtgärder", "place": "platser", "meeting": "möten",
               "pledge_progress": "framsteg", "round_answer": "laget runt", "agenda_item": "dagordning",
               "snapshot": "låsta lägesbilder", "survey_result": "undersökningar", "boundary": "områdesgränser",
               "dataset": "importer", "submission": "inskick"}


class StaleEdit(InputError):
    """Someone else changed the record after it was opened; the message says so in Swedish."""


def _json(value: object) -> str | None:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=_plain)


def _plain(value: object) -> object:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def row_values(conn, table: Table, record_id: object) -> dict | None:
    """The record as a plain dict, or None when there is none."""
    row = conn.execute(select(table).where(table.c.id == record_id)).mappings().first()
    return None if row is None else dict(row)


def record(conn, by: Actor, table: Table | str, record_id: object, action: str,
           before: dict | None = None, after: dict | None = None) -> None:
    """Write one entry of the trail inside the caller's transaction."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    conn.execute(insert(db.audit_log).values(
        at=dt.datetime.now().replace(microsecond=0), username=by.name or "(utan inloggning)", role=by.role,
        table_name=table if isinstance(table, str) else table.name,
        record_id=None if record_id is None else str(record_id), action=action,
        before=_json(before), after=_json(after)))
    logs.write(by.name, by.role, action, table if isinstance(table, str) else table.name, record_id, conn)


def _removable(table_name: str) -> tuple[Table, str]:
    if table_name not in REMOVABLE:
        raise ValueError(f"{table_name!r} cannot be removed; removable: {', '.join(REMOVABLE)}")
    return REMOVABLE[table_name]


def remove(engine: Engine, table_name: str, record_id: int, by: Actor) -> None:
    """Hide a record (it stays restorable); raises NotAllowed or InputError in Swedish."""
    auth.require(by.role, "ta_bort")
    table, word = _removable(table_name)
    with atomic(engine) as conn:
        before = row_values(conn, table, record_id)
        if before is None or before["removed_at"] is not None:
            raise InputError([Problem("formuläret", f"{word} {record_id} finns inte eller är redan borttagen")])
        values = {"removed_at": dt.datetime.now().replace(microsecond=0), "removed_by": by.name}
        if "version" in table.c:
            values["version"] = table.c.version + 1
        conn.execute(update(table).where(table.c.id == record_id).values(**values))
        record(conn, by, table, record_id, "borttagen", before, row_values(conn, table, record_id))
        db.bump_version(conn)


def restore(engine: Engine, table_name: str, record_id: int, by: Actor) -> None:
    """Bring back a removed record; only an administrator may."""
    auth.require(by.role, "återställa")
    table, word = _removable(table_name)
    with atomic(engine) as conn:
        before = row_values(conn, table, record_id)
        if before is None or before["removed_at"] is None:
            raise InputError([Problem("formuläret", f"{word} {record_id} är inte borttagen")])
        values = {"removed_at": None, "removed_by": None}
        if "version" in table.c:
            values["version"] = table.c.version + 1
        conn.execute(update(table).where(table.c.id == record_id).values(**values))
        record(conn, by, table, record_id, "återställd", before, row_values(conn, table, record_id))
        db.bump_version(conn)


def load_removed(engine: Engine, by: Actor) -> pd.DataFrame:
    """Every removed record, newest removal first: kind, id, a short text, when and by whom."""
    auth.require(by.role, "återställa")
    rows = []
    with engine.connect() as conn:
        for name, (table, word) in REMOVABLE.items():
            for row in conn.execute(select(table).where(table.c.removed_at.is_not(None))).mappings():
                text = next((str(row[c]) for c in ("description", "name", "done", "organisation") if c in row
                             and row[c]), "")
                rows.append((name, word, row["id"], text[:120], row["removed_at"], row["removed_by"]))
    frame = pd.DataFrame(rows, columns=["table", "kind", "id", "text", "removed_at", "removed_by"])
    return frame.sort_values("removed_at", ascending=False, ignore_index=True)


def load_log(engine: Engine, by: Actor, username: str | None = None, table_name: str | None = None,
             action: str | None = None, since: dt.date | None = None, until: dt.date | None = None,
             limit: int = 1000) -> pd.DataFrame:
    """The trail, newest first, filtered; only an administrator may read it."""
    auth.require(by.role, "läsa_logg")
    t = db.audit_log
    query = select(t.c.id, t.c.at, t.c.username, t.c.role, t.c.table_name, t.c.record_id, t.c.action,
                   t.c.before, t.c.after)
    if username:
        query = query.where(t.c.username == username)
    if table_name:
        query = query.where(t.c.table_name == table_name)
    if action:
        query = query.where(t.c.action == action)
    if since:
        query = query.where(t.c.at >= dt.datetime.combine(since, dt.time()))
    if until:
        query = query.where(t.c.at < dt.datetime.combine(until + dt.timedelta(days=1), dt.time()))
    with engine.connect() as conn:
        rows = conn.execute(query.order_by(t.c.id.desc()).limit(limit)).all()
    frame = pd.DataFrame(rows, columns=["id", "at", "username", "role", "table_name", "record_id", "action",
                                        "before", "after"])
    # NULL stays None (not NaN) so that the JSON columns hold text or nothing.
    for column in ("before", "after"):
        frame[column] = [value if isinstance(value, str) else None for value in frame[column]]
    return frame


def log_people(engine: Engine) -> list[str]:
    """Everyone who appears in the trail, for the filter."""
    with engine.connect() as conn:
        return sorted(n for (n,) in conn.execute(select(db.audit_log.c.username).distinct()))


def _loaded(value: object) -> dict:
    # A "ny" entry has no before and a removal's neighbour may have no after: pandas reads NULL as NaN.
    if not isinstance(value, (str, bytes)) or not value:
        return {}
    loaded = json.loads(value)
    return loaded if isinstance(loaded, dict) else {}


def changed_fields(before: str | None, after: str | None) -> str:
    """The fields that differ between the two JSON values, as "fält: före → efter" lines."""
    old, new = _loaded(before), _loaded(after)
    if not old:
        return "; ".join(f"{k}: {v}" for k, v in new.items() if v not in (None, "") and k != "id")[:400]
    return "; ".join(f"{k}: {old.get(k)} → {new.get(k)}" for k in sorted(set(old) | set(new))
                     if old.get(k) != new.get(k))[:400]


def edit_guarded(conn, table: Table, record_id: int, version: int, values: dict, word: str) -> int:
    """Update the record only if nobody changed it since `version` was read; returns the new version.

    Raises StaleEdit when another edit came first, so that it is never silently overwritten.
    """
    result = conn.execute(update(table).where(table.c.id == record_id, table.c.version == version,
                                              table.c.removed_at.is_(None))
                          .values(**values, version=version + 1))
    if result.rowcount != 1:
        raise StaleEdit([Problem("formuläret", f"{word} har ändrats av någon annan sedan du öppnade den. "
                                               "Ingenting har sparats: läs in sidan igen och gör ändringen på nytt.")])
    return version + 1


def import_file(engine: Engine, by: Actor, kind: str, file_name: str, rows: int,
                store: Callable[[Any, int], Any], **details: Any) -> Any:
    """Store one validated file as a dataset in one transaction, logged; returns what `store` returns.

    `store(conn, dataset_id)` writes the rows; a failure anywhere leaves the database as it was.
    """
    auth.require(by.role, "importera")
    with atomic(engine) as conn:
        dataset_id = db.add_dataset(conn, kind, file_name, rows)
        result = store(conn, dataset_id)
        record(conn, by, db.dataset, dataset_id, "import", None,
               {"slag": kind, "fil": file_name, "rader": rows, **details})
        db.bump_version(conn)
    return result
