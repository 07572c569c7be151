"""The database schema and connection: SQLite by default, any SQLAlchemy URL (PostgreSQL) by choice."""
from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from sqlalchemy import (Boolean, Column, Connection, Date, DateTime, Engine, Float, ForeignKey, Integer,
                        MetaData, String, Table, Text, UniqueConstraint, cast, create_engine, event, func,
                        insert, select, update)

metadata = MetaData()

# Where rows came from: every import and the example data are a dataset; rows typed in a form have none.
dataset = Table(
    "dataset", metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(40), nullable=False),
    Column("file_name", String(300), nullable=False),
    Column("imported_at", DateTime, nullable=False),
    Column("rows", Integer, nullable=False),
    Column("is_example", Boolean, nullable=False, default=False),
)

survey_indicator = Table(
    "survey_indicator", metadata,
    Column("survey", String(60), primary_key=True),
    Column("indicator", String(100), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("question", Text, nullable=False, default=""),
    Column("scale", Text, nullable=False, default=""),
    Column("definition", Text, nullable=False, default=""),
    Column("source", Text, nullable=False, default=""),
    Column("dataset_id", ForeignKey("dataset.id")),
)

survey_result = Table(
    "survey_result", metadata,
    Column("id", Integer, primary_key=True),
    Column("survey", String(60), nullable=False),
    Column("year", Integer, nullable=False),
    Column("area", String(100), nullable=False),
    Column("grp", String(100), nullable=False),
    Column("indicator", String(100), nullable=False),
    Column("share", Float),
    Column("missing", String(4)),
    Column("n", Integer),
    Column("note", Text, nullable=False, default=""),
    Column("dataset_id", ForeignKey("dataset.id")),
    UniqueConstraint("survey", "year", "area", "grp", "indicator"),
)

boundary = Table(
    "boundary", metadata,
    Column("area", String(100), primary_key=True),
    Column("geojson", Text, nullable=False),
    Column("source", Text, nullable=False, default=""),
    Column("dataset_id", ForeignKey("dataset.id")),
)

forum = Table(
    "forum", metadata,
    Column("id", String(60), primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("name", String(200), nullable=False),
    Column("theme", String(200), nullable=False, default=""),
    Column("goal", Text, nullable=False, default=""),
    Column("purpose", Text, nullable=False, default=""),
    Column("participants", Text, nullable=False, default=""),
    Column("frequency", String(200), nullable=False, default=""),
    Column("per_year", Integer),
    Column("excluded_months", String(40), nullable=False, default=""),
    Column("dataset_id", ForeignKey("dataset.id")),
)

meeting = Table(
    "meeting", metadata,
    Column("id", Integer, primary_key=True),
    Column("forum_id", ForeignKey("forum.id"), nullable=False),
    Column("date", Date, nullable=False),
    Column("done", Text, nullable=False, default=""),
    Column("next", Text, nullable=False, default=""),
    Column("confidentiality", String(10), nullable=False),
    Column("dataset_id", ForeignKey("dataset.id")),
    Column("removed_at", DateTime),
    Column("removed_by", String(200)),
)

place = Table(
    "place", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("lat", Float, nullable=False),
    Column("lon", Float, nullable=False),
    Column("area", String(100), nullable=False),
    Column("forum_id", ForeignKey("forum.id")),
    Column("status", String(20), nullable=False),
    # Empty: the map shows the most common category among the place's observations.
    Column("category", String(60)),
    Column("situation", Text, nullable=False, default=""),
    Column("situation_date", Date),
    Column("next_followup", Date),
    Column("next_step", Text, nullable=False, default=""),
    Column("dataset_id", ForeignKey("dataset.id")),
    Column("removed_at", DateTime),
    Column("removed_by", String(200)),
    Column("version", Integer, nullable=False, default=1, server_default="1"),
)

observation = Table(
    "observation", metadata,
    Column("id", Integer, primary_key=True),
    Column("place_id", ForeignKey("place.id"), nullable=False),
    Column("date", Date, nullable=False),
    Column("category", String(60), nullable=False),
    Column("organisation", String(200), nullable=False),
    Column("description", Text, nullable=False),
    Column("confidentiality", String(10), nullable=False),
    Column("lat", Float),
    Column("lon", Float),
    Column("dataset_id", ForeignKey("dataset.id")),
    Column("removed_at", DateTime),
    Column("removed_by", String(200)),
    Column("version", Integer, nullable=False, default=1, server_default="1"),
)

action = Table(
    "action", metadata,
    Column("id", Integer, primary_key=True),
    Column("place_id", ForeignKey("place.id"), nullable=False),
    Column("date", Date, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("description", Text, nullable=False),
    Column("status", String(20), nullable=False),
    Column("confidentiality", String(10), nullable=False),
    Column("dataset_id", ForeignKey("dataset.id")),
    Column("removed_at", DateTime),
    Column("removed_by", String(200)),
)

pledge = Table(
    "pledge", metadata,
    Column("id", Integer, primary_key=True),
    Column("year", Integer, nullable=False),
    Column("number", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("responsible", String(200), nullable=False),
    Column("target", Integer, nullable=False),
    Column("unit", String(100), nullable=False),
    Column("area", String(100), nullable=False, default=""),
    Column("survey", String(60)),
    Column("indicator", String(100)),
    Column("dataset_id", ForeignKey("dataset.id")),
    UniqueConstraint("year", "number"),
)

pledge_progress = Table(
    "pledge_progress", metadata,
    Column("id", Integer, primary_key=True),
    Column("pledge_id", ForeignKey("pledge.id"), nullable=False),
    Column("date", Date, nullable=False),
    Column("description", Text, nullable=False),
    Column("amount", Integer, nullable=False, default=1),
    Column("confidentiality", String(10), nullable=False),
    Column("dataset_id", ForeignKey("dataset.id")),
    Column("removed_at", DateTime),
    Column("removed_by", String(200)),
)

# The council meeting's agenda: one slide per item in `position` order; agenda.py says what each kind shows.
agenda_item = Table(
    "agenda_item", metadata,
    Column("id", Integer, primary_key=True),
    Column("position", Integer, nullable=False, unique=True),
    Column("kind", String(30), nullable=False),
    Column("title", String(300), nullable=False),
    Column("source", String(200), nullable=False, default=""),
    Column("text", Text, nullable=False, default=""),
    Column("dataset_id", ForeignKey("dataset.id")),
)

# "Lås lägesbilden": exactly what the council was shown, the slide model as JSON, with its SHA-256.
snapshot = Table(
    "snapshot", metadata,
    Column("id", Integer, primary_key=True),
    Column("meeting_date", Date, nullable=False),
    Column("locked_at", DateTime, nullable=False),
    Column("content", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
)

# Laget runt: each organisation's answers to the council's three questions at one meeting.
round_answer = Table(
    "round_answer", metadata,
    Column("id", Integer, primary_key=True),
    Column("meeting_date", Date, nullable=False),
    Column("organisation", String(200), nullable=False),
    Column("situation", Text, nullable=False, default=""),
    Column("changes", Text, nullable=False, default=""),
    Column("needs", Text, nullable=False, default=""),
    Column("recorded_at", DateTime, nullable=False),
    Column("removed_at", DateTime),
    Column("removed_by", String(200)),
)

# Every write: who, when, which record, what was done, and the record before and after (JSON).
audit_log = Table(
    "audit_log", metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime, nullable=False),
    Column("username", String(200), nullable=False),
    Column("role", String(20), nullable=False),
    Column("table_name", String(40), nullable=False),
    Column("record_id", String(100)),
    Column("action", String(20), nullable=False),
    Column("before", Text),
    Column("after", Text),
)

# Key/value facts about the database itself: whether the example data was loaded, the data version.
meta = Table(
    "meta", metadata,
    Column("key", String(60), primary_key=True),
    Column("value", String(200), nullable=False),
)
# The meta row that counts committed writes (bump_version, data_version).
VERSION_KEY = "version"


def database_url(path_or_url: str | Path) -> str:
    """An SQLAlchemy URL from either a URL or a path to an SQLite file."""
    text = str(path_or_url)
    return text if "://" in text else f"sqlite:///{Path(text).expanduser().resolve()}"


# How long SQLite itself waits for another writer, then how long retry_when_busy waits between its tries.
BUSY_TIMEOUT_MS = 5000
RETRY_WAITS = (1.0, 2.0)
_sleep = time.sleep  # replaced in tests: no test sleeps
T = TypeVar("T")


def connect(path_or_url: str | Path) -> Engine:
    """An engine with the schema in place (the database is created if it does not exist)."""
    from . import migrations  # imports this module

    url = database_url(path_or_url)
    # A database server may restart under a running app: test pooled connections before use.
    engine = create_engine(url, pool_pre_ping=not url.startswith("sqlite"))
    if url.startswith("sqlite"):
        event.listen(engine, "connect", _sqlite_pragmas)
    elif engine.dialect.driver == "psycopg":
        event.listen(engine, "connect", _nan_as_null)
    migrations.migrate(engine)
    return engine


def _sqlite_pragmas(connection, _record) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # Two people saving at once: readers never block the writer, and a writer waits for the other.
    cursor.execute("PRAGMA journal_mode=WAL")
    # Short: a save that finds the database busy comes back to retry_when_busy, which says so and tries again.
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.close()


def _nan_as_null(connection, _record) -> None:
    # pandas marks a missing value with NaN, and SQLite stores NaN as NULL; PostgreSQL would keep NaN
    # (in a text column as the text 'NaN'), so the same code would store different data. Send NULL.
    import math

    from psycopg.types.numeric import FloatBinaryDumper, FloatDumper

    class NanAsNull(FloatDumper):
        def dump(self, value):
            return None if math.isnan(value) else super().dump(value)

    class NanAsNullBinary(FloatBinaryDumper):
        def dump(self, value):
            return None if math.isnan(value) else super().dump(value)

    connection.adapters.register_dumper(float, NanAsNull)
    connection.adapters.register_dumper(float, NanAsNullBinary)


def get_meta(engine: Engine, key: str, default: str | None = None) -> str | None:
    """A value from the meta table."""
    with engine.connect() as conn:
        value = conn.execute(select(meta.c.value).where(meta.c.key == key)).scalar()
    return default if value is None else value


def set_meta(conn, key: str, value: str) -> None:
    """Store a meta value inside the caller's transaction."""
    if conn.execute(select(meta.c.key).where(meta.c.key == key)).first():
        conn.execute(update(meta).where(meta.c.key == key).values(value=value))
    else:
        conn.execute(insert(meta).values(key=key, value=value))


def bump_version(conn) -> None:
    """Mark that the data changed, inside the caller's write transaction, so that cached views are recomputed.

    The version lives in the database, so every app process sees another's write on its next rerun. The
    increment is one UPDATE: two processes writing at once both count (a read-then-write would lose one, and
    a cache filled after the first commit would then never see the second).
    """
    bumped = conn.execute(update(meta).where(meta.c.key == VERSION_KEY)
                          .values(value=cast(cast(meta.c.value, Integer) + 1, String))).rowcount
    if not bumped:
        conn.execute(insert(meta).values(key=VERSION_KEY, value="1"))


def data_version(bind: Engine | Connection) -> int:
    """A number that grows with every committed write; cache keys use it. Read it before the data it keys."""
    if isinstance(bind, Engine):
        with bind.connect() as conn:
            return data_version(conn)
    return int(bind.execute(select(meta.c.value).where(meta.c.key == VERSION_KEY)).scalar() or 0)


def add_dataset(conn, kind: str, file_name: str, rows: int, is_example: bool = False) -> int:
    """Register an import inside the caller's transaction and return its id."""
    result = conn.execute(insert(dataset).values(
        kind=kind, file_name=file_name, rows=rows, is_example=is_example,
        imported_at=dt.datetime.now().replace(microsecond=0)))
    return int(result.inserted_primary_key[0])


def example_kinds(engine: Engine) -> list[str]:
    """The kinds of data for which example rows are still in the database."""
    tables = {"undersökningar": survey_result, "platser": place, "samverkan": forum,
              "medborgarlöften": pledge, "områdesgränser": boundary}
    kinds = []
    with engine.connect() as conn:
        for kind, table in tables.items():
            count = conn.execute(select(func.count()).select_from(table.join(dataset))
                                 .where(dataset.c.is_example.is_(True))).scalar()
            if count:
                kinds.append(kind)
    return kinds


def load_datasets(engine: Engine):
    """Every import so far, newest first."""
    import pandas as pd

    t = dataset
    with engine.connect() as conn:
        rows = conn.execute(select(t.c.imported_at, t.c.kind, t.c.file_name, t.c.rows, t.c.is_example)
                            .order_by(t.c.id.desc())).all()
    return pd.DataFrame(rows, columns=["imported_at", "kind", "file_name", "rows", "is_example"])


# --- when the database fails ---------------------------------------------------------------------------

class DatabaseBusy(RuntimeError):
    """Another write held the database for longer than a save may wait; nothing was saved."""


def is_busy(error: BaseException) -> bool:
    """Whether the error only means that another write holds the database (worth waiting and retrying)."""
    text = str(getattr(error, "orig", None) or error).lower()
    return any(part in text for part in ("database is locked", "database table is locked", "could not obtain lock",
                                         "lock timeout", "could not serialize", "deadlock detected"))


def failure_reason(error: BaseException) -> str | None:
    """Why the database cannot be used, in Swedish and without paths, hosts or users; None when it is not that."""
    from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

    from .migrations import MigrationError

    if isinstance(error, MigrationError):
        return str(error)
    if isinstance(error, (ArgumentError, NoSuchModuleError)):
        return "databasadressen i inställningarna går inte att tolka"
    if not isinstance(error, DBAPIError):
        return None
    text = str(error.orig or error).lower()
    if is_busy(error):
        return "databasen är upptagen av en annan ändring"
    reasons = [("file is not a database", "filen är ingen databas (den kan vara skadad eller av fel slag)"),
               ("database disk image is malformed", "databasfilen är skadad"),
               ("unable to open database file", "databasfilen går inte att öppna (finns mappen, och får appen skriva där?)"),
               ("readonly database", "appen får inte skriva i databasfilen"),
               ("password authentication failed", "databasservern godtog inte användarnamnet eller lösenordet"),
               ("no password supplied", "databasservern kräver ett lösenord"),
               ("does not exist", "databasen eller kontot finns inte på databasservern"),
               ("connection refused", "databasservern svarar inte"),
               ("could not translate host name", "databasserverns namn går inte att slå upp"),
               ("name or service not known", "databasserverns namn går inte att slå upp"),
               ("timeout", "databasservern svarar inte"),
               ("permission denied", "kontot saknar behörighet i databasen"),
               ("no such table", "databasen saknar tabeller som appen behöver"),
               ("no such column", "databasen har ett äldre eller annat schema än appen")]
    return next((swedish for english, swedish in reasons if english in text), "databasen gav ett oväntat fel")


def retry_when_busy(write: Callable[[], T], on_wait: Callable[[int, float], None] | None = None,
                    waits: tuple[float, ...] | None = None) -> T:
    """Run a write, and while the database is busy wait and try again; returns what the write returns.

    `on_wait(attempt, seconds)` is told before each wait, so that the person saving can be told too.
    Raises DatabaseBusy when the last try still found the database busy; the write is one transaction,
    so nothing of it was saved.
    """
    waits = RETRY_WAITS if waits is None else waits
    for attempt in range(len(waits) + 1):
        try:
            return write()
        except Exception as error:  # noqa: BLE001 - only "busy" is retried; everything else goes up as it was
            if not is_busy(error):
                raise
            if attempt == len(waits):
                raise DatabaseBusy("databasen är upptagen av en annan ändring") from error
            if on_wait is not None:
                on_wait(attempt + 1, waits[attempt])
            _sleep(waits[attempt])
    raise AssertionError("unreachable")
