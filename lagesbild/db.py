"""The database schema and connection: SQLite by default, any SQLAlchemy URL (PostgreSQL) by choice."""
from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from sqlalchemy import (Boolean, Column, Connection, Date, DateTime, Engine, Integer, MetaData, String, Table, Text,
                        cast, create_engine, event, func, insert, select, text, update)

from . import logs, schema

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

# The tables files fill are declared once, in schema.py; the others are plain tables here.
survey_indicator = schema.SURVEY_INDICATOR.table(metadata)
survey_result = schema.SURVEY_RESULT.table(metadata)
boundary = schema.BOUNDARY.table(metadata)
forum = schema.FORUM.table(metadata)
meeting = schema.MEETING.table(metadata)
place = schema.PLACE.table(metadata)
observation = schema.OBSERVATION.table(metadata)
action = schema.ACTION.table(metadata)
pledge = schema.PLEDGE.table(metadata)
pledge_progress = schema.PLEDGE_PROGRESS.table(metadata)
# The council meeting's agenda: one slide per item in `position` order; agenda.py says what each kind shows.
agenda_item = schema.AGENDA_ITEM.table(metadata)

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
# Any constant will do, as long as it differs from the migrations' lock (migrations._POSTGRES_LOCK).
EXAMPLE_LOCK = 7_041_955_002
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


def open_database(path_or_url: str | Path) -> Engine:
    """Connect, and on the very first start fill the database with the example data."""
    from . import example  # imports this module

    engine = connect(path_or_url)
    if get_meta(engine, "example_loaded") is None:
        with atomic(engine) as conn:
            # Several app processes may start at once on a new database: one loads, the others wait and see it done.
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": EXAMPLE_LOCK})
            if conn.execute(select(meta.c.value).where(meta.c.key == "example_loaded")).first() is None:
                example.load_example(conn)
                set_meta(conn, "example_loaded", "1")
                bump_version(conn)
    return engine


@contextmanager
def atomic(engine: Engine, write: bool = True) -> Iterator[Connection]:
    """A connection inside one real transaction (DDL included) that commits at the end or rolls back on error.

    With write=False it is a read-only snapshot: every query sees the database as it was at the start.
    """
    if engine.dialect.name != "sqlite":
        # Writers keep READ COMMITTED, so that what they read after waiting for a lock is current.
        options = {} if write else {"isolation_level": "REPEATABLE READ"}
        with engine.connect().execution_options(**options) as conn:
            try:
                with conn.begin():
                    yield conn
            except BaseException:
                logs.rolled_back(conn)
                raise
            logs.committed(conn)
        return
    # pysqlite begins a transaction only before INSERT/UPDATE/DELETE, so DDL and reads would escape it:
    # the driver is told to stay out of the way and the transaction is begun and ended here.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")
        try:
            yield conn
        except BaseException:
            conn.exec_driver_sql("ROLLBACK")
            logs.rolled_back(conn)
            raise
        conn.exec_driver_sql("COMMIT")
        logs.committed(conn)



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
