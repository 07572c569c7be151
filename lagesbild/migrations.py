"""Versioned schema migrations: an ordered list, each applied in one transaction and recorded by version.

Version 1 creates today's schema (every table in db.metadata). A later migration changes a database
made by an earlier version (add a column, fill it in) and must also be declared in db.py, because a
fresh database gets the whole current schema from migration 1 and is recorded at the latest version
straight away. Never change or remove a migration once it has run anywhere: add a new one.
Version 2 adds the observations' time of day. (`atomic`, the transaction every migration runs in, lives in db.)
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import (Column, Connection, DateTime, Engine, Integer, MetaData, String, Table, func, inspect,
                        insert, select, text)

from . import db, submissions  # noqa: F401 - submissions declares its tables on db.metadata

# Kept out of db.metadata on purpose: it describes the schema, it is not data, and backups leave it out.
bookkeeping = MetaData()
schema_migration = Table(
    "schema_migration", bookkeeping,
    Column("version", Integer, primary_key=True),
    Column("description", String(300), nullable=False),
    Column("applied_at", DateTime, nullable=False),
)

# Any constant will do: it only has to be the same for every process migrating the same PostgreSQL database.
_POSTGRES_LOCK = 7_041_955_001


@dataclass(frozen=True)
class Migration:
    """One step of the schema: its version number, what it does (in Swedish), and the change itself."""

    version: int
    description: str
    apply: Callable[[Connection], None]


class MigrationError(RuntimeError):
    """A migration failed or the database is newer than this program; the message is in Swedish."""


def _create_schema(conn: Connection) -> None:
    db.metadata.create_all(conn)


def _add_observation_time(conn: Connection) -> None:
    # 'HH:MM' text, as schema.OBSERVATION declares it; existing observations have no time of day. A database
    # created before migrations existed, by a program that already knew the column, has it already.
    if "time" not in {c["name"] for c in inspect(conn).get_columns("observation")}:
        conn.execute(text("ALTER TABLE observation ADD COLUMN time VARCHAR(5)"))


def _add_submissions(conn: Connection) -> None:
    submissions.create_tables(conn)


MIGRATIONS: list[Migration] = [
    Migration(1, "Grundschemat: undersökningar, platser, samverkan, medborgarlöften, dagordning och metadata",
              _create_schema),
    Migration(2, "Iakttagelser får klockslag (kolumnen time)", _add_observation_time),
    Migration(3, "Inskick från samverkansparter: inskick, stopp och bilder, som granskas innan de räknas",
              _add_submissions),
]


def latest_version(migrations: Sequence[Migration] = MIGRATIONS) -> int:
    """The version a database has once every migration has run."""
    return max(m.version for m in migrations)


def current_version(bind: Engine | Connection) -> int:
    """The database's schema version; 0 for a database no migration has touched."""
    if isinstance(bind, Engine):
        with bind.connect() as conn:
            return current_version(conn)
    if not inspect(bind).has_table(schema_migration.name):
        return 0
    return int(bind.execute(select(func.max(schema_migration.c.version))).scalar() or 0)


def history(engine: Engine) -> list[tuple[int, str, dt.datetime]]:
    """Every applied migration: version, description and when it ran, oldest first."""
    if current_version(engine) == 0:
        return []
    t = schema_migration
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(select(t.c.version, t.c.description, t.c.applied_at)
                                                    .order_by(t.c.version))]


def migrate(engine: Engine, migrations: Sequence[Migration] = MIGRATIONS) -> list[int]:
    """Bring the database to the latest version; returns the versions recorded now (empty when up to date)."""
    _check_order(migrations)
    latest = latest_version(migrations)
    if current_version(engine) == latest:
        return []
    recorded: list[int] = []
    while True:
        with db.atomic(engine) as conn:
            # Another process may have migrated while this one waited for the lock: look again under it.
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _POSTGRES_LOCK})
            version = current_version(conn)
            if version > latest:
                raise MigrationError(
                    f"Databasen har schemaversion {version}, men den här versionen av Lägesbild känner bara till "
                    f"version {latest}. Uppdatera programmet innan det används mot den här databasen.")
            pending = [m for m in migrations if m.version > version]
            if not pending:
                return recorded
            schema_migration.create(conn, checkfirst=True)
            fresh = version == 0 and not set(inspect(conn).get_table_names()) & set(db.metadata.tables)
            steps = list(migrations) if fresh else pending[:1]
            _apply(conn, steps[0], version)
            for step in steps:
                conn.execute(insert(schema_migration).values(
                    version=step.version, description=step.description,
                    applied_at=dt.datetime.now().replace(microsecond=0)))
        recorded += [step.version for step in steps]


def _apply(conn: Connection, migration: Migration, version: int) -> None:
    try:
        migration.apply(conn)
    except Exception as error:
        raise MigrationError(
            f"Migrering {migration.version} ({migration.description}) misslyckades: {error}. "
            f"Ingenting ändrades; databasen är kvar på schemaversion {version}.") from error


def _check_order(migrations: Sequence[Migration]) -> None:
    versions = [m.version for m in migrations]
    if not versions or versions != list(range(1, len(versions) + 1)):
        raise ValueError(f"migrations must be numbered 1, 2, 3, … in order, got {versions}")

