"""The data layer against a real PostgreSQL server: a fresh database per test, created and dropped here.

Set LAGESBILD_TEST_POSTGRES to a URL of a role that may create databases, e.g.
postgresql+psycopg://lagesbild:lagesbild@127.0.0.1:5432/postgres (.ci/run starts Debian's PostgreSQL
and sets it). Without it, or without a server answering, every test here is skipped with a notice;
in CI (CI=true) an unreachable server is an error instead, since CI starts one.
"""
from __future__ import annotations

import datetime as dt
import os
import uuid
import warnings
from pathlib import Path

import pytest
from sqlalchemy import create_engine, insert, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError

from lagesbild import backup, db, migrations, surveys
from lagesbild.example import open_database
from lagesbild.migrations import Migration, MigrationError
from lagesbild.audit import Actor
import write_checks

EDITOR = Actor("test.redaktor", "redaktör")
ADMIN = Actor("test.admin", "administratör")

ROOT = Path(__file__).resolve().parents[1]
URL = os.environ.get("LAGESBILD_TEST_POSTGRES", "")
HEADER = "undersökning;år;område;grupp;indikator;andel;antal_svar"


@pytest.fixture(scope="session")
def postgres_admin():
    """A connection to the server's maintenance database, or a skip saying why there is none."""
    if not URL:
        pytest.skip("PostgreSQL tests skipped: LAGESBILD_TEST_POSTGRES is not set (e.g. "
                    "postgresql+psycopg://lagesbild:lagesbild@127.0.0.1:5432/postgres; .ci/run sets it)")
    pytest.importorskip("psycopg", reason="PostgreSQL tests skipped: the psycopg driver is not installed")
    engine = create_engine(URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})
    try:
        engine.connect().close()
    except OperationalError as error:
        shown = make_url(URL).render_as_string(hide_password=True)
        message = f"PostgreSQL tests skipped: no server answers at {shown}: {str(error.orig).strip().splitlines()[0]}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message.replace("skipped", "failed") + " (CI starts one in .ci/run)")
        pytest.skip(message)
    yield engine
    engine.dispose()


@pytest.fixture
def new_database(postgres_admin):
    """A factory of fresh, empty PostgreSQL databases (their URLs); all are dropped after the test."""
    names = []

    def make() -> str:
        name = f"lagesbild_test_{uuid.uuid4().hex[:12]}"
        with postgres_admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" ENCODING \'UTF8\' TEMPLATE template0'))
        names.append(name)
        return make_url(URL).set(database=name).render_as_string(hide_password=False)

    yield make
    with postgres_admin.connect() as conn:
        for name in names:
            try:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            except DBAPIError as error:
                # E.g. an autovacuum worker still in it, which only pg_signal_backend may stop (.ci/run grants it).
                warnings.warn(f"test database {name} was left behind: {str(error.orig).strip()}", stacklevel=1)


@pytest.fixture
def pg_url(new_database) -> str:
    return new_database()


def table_rows(engine) -> dict[str, list[tuple]]:
    with engine.connect() as conn:
        return {t.name: [tuple(row) for row in conn.execute(select(t).order_by(*t.primary_key.columns))]
                for t in db.metadata.sorted_tables}


def extract(rows: str, name: str = "ny.csv") -> surveys.SurveyExtract:
    return surveys.read_extract(name, f"{HEADER}\n{rows}".encode())


def test_the_example_data_loads_exactly_as_in_sqlite(pg_url, engine):
    postgres = open_database(pg_url)
    assert postgres.dialect.name == "postgresql"
    on_postgres, on_sqlite = table_rows(postgres), table_rows(engine)
    without_time = [c.name != "imported_at" for c in db.dataset.columns]  # the load's own clock differs
    for rows in (on_postgres, on_sqlite):
        rows["dataset"] = [tuple(v for v, keep in zip(row, without_time) if keep) for row in rows["dataset"]]
    assert on_postgres == on_sqlite
    assert len(on_postgres["survey_result"]) > 1000
    assert db.example_kinds(postgres) == db.example_kinds(engine)
    assert migrations.current_version(postgres) == migrations.latest_version()


def test_a_survey_import_replaces_earlier_values_in_one_transaction(pg_url):
    postgres = open_database(pg_url)
    first = surveys.import_extract(postgres, extract("Medborgarundersökningen;2017;Norrmalm;Alla;trygg_kvall;69,5;405"), by=ADMIN)
    again = surveys.import_extract(postgres, extract("Medborgarundersökningen;2017;Norrmalm;Alla;trygg_kvall;71,0;410\n"
                                                     "Medborgarundersökningen;2017;Norrmalm;Kvinnor;trygg_kvall;..;30"), by=ADMIN)
    assert (first, again) == ({"rader": 1, "ersatta": 0}, {"rader": 2, "ersatta": 1})
    stored = surveys.load_results(postgres, "medborgarundersokningen")
    new = stored[stored["year"] == 2017].set_index("grp")
    assert new.loc["Alla", "share"] == 71.0 and new.loc["Alla", "n"] == 410
    assert new.loc["Kvinnor", "missing"] == ".." and new["share"].isna().sum() == 1


def test_a_failed_import_leaves_the_data_unchanged(pg_url, monkeypatch):
    postgres = open_database(pg_url)
    before = table_rows(postgres)

    def fail(conn):
        raise RuntimeError("strömavbrott mitt i importen")

    # Fails after the old values were deleted and the new ones inserted: only a rollback saves them.
    monkeypatch.setattr(db, "bump_version", fail)
    with pytest.raises(RuntimeError):
        surveys.import_extract(postgres, extract("Medborgarundersökningen;2016;Norrmalm;Alla;trygg_kvall;1,0;999"), by=ADMIN)
    assert table_rows(postgres) == before


def test_backup_and_restore_round_trip_and_ids_continue(pg_url, new_database, tmp_path):
    source = open_database(pg_url)
    backup.export_database(source, tmp_path / "kopia.jsonl.gz")
    target = db.connect(new_database())
    backup.restore_database(target, tmp_path / "kopia.jsonl.gz")
    assert table_rows(target) == table_rows(source)
    # The restored rows kept their ids: new rows must get the next ones, not collide with them.
    with target.begin() as conn:
        new_id = db.add_dataset(conn, "platser", "ny.csv", 0)
    assert new_id == max(row[0] for row in table_rows(source)["dataset"]) + 1


def test_a_sqlite_backup_moves_into_postgres(engine, pg_url, tmp_path):
    backup.export_database(engine, tmp_path / "från-sqlite.jsonl.gz")
    postgres = db.connect(pg_url)
    backup.restore_database(postgres, tmp_path / "från-sqlite.jsonl.gz")
    assert table_rows(postgres) == table_rows(engine)
    assert db.get_meta(postgres, "example_loaded") == "1"  # the app will not load the example data again
    open_database(pg_url)
    assert table_rows(postgres) == table_rows(engine)


def test_a_restore_refuses_a_postgres_database_that_is_not_empty(pg_url, tmp_path):
    postgres = open_database(pg_url)
    backup.export_database(postgres, tmp_path / "kopia.jsonl.gz")
    with pytest.raises(backup.InputError, match="databasen är inte tom"):
        backup.restore_database(postgres, tmp_path / "kopia.jsonl.gz")


def test_migrations_on_postgres_run_once_and_roll_back_a_failure_with_its_ddl(pg_url):
    engine = create_engine(pg_url)
    latest = migrations.latest_version()
    assert migrations.migrate(engine) == list(range(1, latest + 1))
    assert migrations.migrate(engine) == []

    def broken(conn):
        conn.execute(text("ALTER TABLE place ADD COLUMN district VARCHAR(100)"))
        conn.execute(insert(db.meta).values(key="half", value="done"))
        raise RuntimeError("avbruten")

    with pytest.raises(MigrationError, match=f"databasen är kvar på schemaversion {latest}"):
        migrations.migrate(engine, [*migrations.MIGRATIONS, Migration(latest + 1, "Trasig", broken)])
    assert migrations.current_version(engine) == latest
    assert "district" not in {c["name"] for c in inspect(engine).get_columns("place")}
    assert db.get_meta(engine, "half") is None
    engine.dispose()


@pytest.mark.parametrize("page", [path for path, *_ in __import__("app").PAGES])
def test_every_page_runs_on_postgres(page, pg_url, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("LAGESBILD_DATABASE", pg_url)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.title, "every page has a title"
    assert any("Exempeldata" in w.value for w in at.warning), "the example data came from PostgreSQL"
    assert inspect(create_engine(pg_url)).has_table("schema_migration")


def test_a_newly_recorded_date_reads_back_as_a_date(pg_url):
    postgres = open_database(pg_url)
    with postgres.begin() as conn:
        conn.execute(insert(db.snapshot).values(meeting_date=dt.date(2017, 6, 14),
                                                locked_at=dt.datetime(2017, 6, 14, 9, 30, 1, 250000),
                                                content="{}", sha256="0" * 64))
    with postgres.connect() as conn:
        row = conn.execute(select(db.snapshot.c.meeting_date, db.snapshot.c.locked_at)).one()
    assert row == (dt.date(2017, 6, 14), dt.datetime(2017, 6, 14, 9, 30, 1, 250000))


def test_a_pandas_nan_is_stored_as_null_as_in_sqlite(pg_url, engine):
    postgres = open_database(pg_url)
    for database in (engine, postgres):
        with database.begin() as conn:
            conn.execute(insert(db.survey_result).values(survey="ntu", year=2016, area="Norrmalm", grp="Alla",
                                                         indicator="otrygg", share=float("nan"), missing=float("nan"),
                                                         note=""))
        with database.connect() as conn:
            row = conn.execute(select(db.survey_result.c.missing, db.survey_result.c.share)
                               .where(db.survey_result.c.indicator == "otrygg")).one()
        assert tuple(row) == (None, None), database.dialect.name


# --- the guarantees of every write, on PostgreSQL (the same checks as tests/test_audit.py on SQLite) -------

def test_an_edit_is_in_the_trail_with_before_and_after_on_postgres(pg_url):
    write_checks.check_an_edit_is_in_the_trail_with_before_and_after(open_database(pg_url))


def test_a_removed_record_is_hidden_and_restorable_on_postgres(pg_url):
    write_checks.check_a_removed_record_is_hidden_and_restorable(open_database(pg_url))


def test_a_stale_edit_is_refused_on_postgres(pg_url):
    write_checks.check_a_stale_edit_is_refused(open_database(pg_url))


def test_two_concurrent_writers_lose_nothing_on_postgres(pg_url):
    open_database(pg_url).dispose()
    write_checks.check_two_concurrent_writers_lose_nothing(lambda: db.connect(pg_url))


def test_version_2_gives_a_version_1_database_the_time_of_day_on_postgres(pg_url):
    from lagesbild import places

    old = create_engine(pg_url)
    migrations.migrate(old, migrations.MIGRATIONS[:1])
    with old.begin() as conn:
        conn.execute(text("ALTER TABLE observation DROP COLUMN time"))
    old.dispose()
    engine = open_database(pg_url)
    assert migrations.current_version(engine) == migrations.latest_version()
    places.add_observation(engine, "Vasaparken", dt.date(2016, 12, 1), "ungdomar", "Polisen", "Samlingar", "öppen",
                           today=dt.date(2016, 12, 14), by=Actor("Redaktören", "redaktör"), time=dt.time(21, 30))
    observations = places.load_observations(engine)
    assert observations.loc[observations["description"] == "Samlingar", "time"].tolist() == [dt.time(21, 30)]


def test_a_submission_with_a_photo_waits_and_is_published_on_postgres(pg_url):
    from test_partners import SECRET, TODAY, send

    from lagesbild import places, submissions
    from roles import actor

    postgres = open_database(pg_url)
    submission_id = send(postgres)
    assert SECRET not in places.load_observations(postgres, include_internal=True).to_csv()
    stop_id = int(submissions.load_own(postgres, actor("rapportör"))["stop_id"].iloc[0])
    assert submissions.load_photos(postgres, stop_id, actor("redaktör"))[0][:2] == b"\xff\xd8"  # a JPEG
    submissions.publish(postgres, submission_id, "öppen", show_photos=True, today=TODAY, by=actor("redaktör"))
    assert places.load_observations(postgres)["description"].str.contains("Tält under bron").sum() == 1
    postgres.dispose()
