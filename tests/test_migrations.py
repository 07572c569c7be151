"""Versioned schema migrations: a fresh database ends at the latest version, reruns change nothing,
and a failing migration leaves the database as it was."""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine, inspect, insert, select, text

from lagesbild import db, migrations
from lagesbild.migrations import Migration, MigrationError


def test_a_fresh_database_ends_at_the_latest_version_with_every_table(tmp_path):
    engine = db.connect(tmp_path / "ny.sqlite")
    assert migrations.current_version(engine) == migrations.latest_version() >= 1
    assert set(db.metadata.tables) <= set(inspect(engine).get_table_names())
    assert [version for version, _, _ in migrations.history(engine)] == [m.version for m in migrations.MIGRATIONS]


def test_running_twice_changes_nothing(tmp_path):
    engine = db.connect(tmp_path / "ny.sqlite")
    before = migrations.history(engine)
    assert migrations.migrate(engine) == []
    assert db.connect(tmp_path / "ny.sqlite") is not None
    assert migrations.history(engine) == before


def test_a_database_from_before_migrations_keeps_its_data(tmp_path):
    # What connect() did until now: create_all and nothing else.
    engine = create_engine(db.database_url(tmp_path / "gammal.sqlite"))
    db.metadata.create_all(engine)
    with engine.begin() as conn:
        db.set_meta(conn, "example_loaded", "1")
    assert migrations.current_version(engine) == 0
    assert migrations.migrate(engine) == [m.version for m in migrations.MIGRATIONS]
    assert db.get_meta(engine, "example_loaded") == "1"


def version_1_database(path):
    """A database as version 1 of the program left it: today's tables without what later versions added."""
    engine = create_engine(db.database_url(path))
    migrations.migrate(engine, migrations.MIGRATIONS[:1])
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE observation DROP COLUMN time"))
    return engine


def test_version_2_gives_a_version_1_database_the_time_of_day_and_keeps_its_observations(tmp_path):
    from lagesbild import places

    old = version_1_database(tmp_path / "v1.sqlite")
    with old.begin() as conn:
        conn.execute(text("INSERT INTO place (name, lat, lon, area, status, situation, next_step, version) "
                          "VALUES ('Vasaparken', 59.34, 18.04, 'Norrmalm', 'ny', '', '', 1)"))
        conn.execute(text("INSERT INTO observation (place_id, date, category, organisation, description, "
                          "confidentiality, version) VALUES (1, '2016-10-01', 'ungdomar', 'Polisen', 'Samlingar', "
                          "'öppen', 1)"))
    assert migrations.current_version(old) == 1
    assert "time" not in {c["name"] for c in inspect(old).get_columns("observation")}

    engine = db.connect(tmp_path / "v1.sqlite")
    assert migrations.current_version(engine) == migrations.latest_version()
    assert [description for _, description, _ in migrations.history(engine)][1] == \
        "Iakttagelser får klockslag (kolumnen time)"
    loaded = places.load_observations(engine)
    assert loaded["description"].tolist() == ["Samlingar"]
    assert loaded["time"].tolist() == [None]


def add_column(conn):
    conn.execute(text("ALTER TABLE place ADD COLUMN district VARCHAR(100)"))


def broken(conn):
    conn.execute(text("CREATE TABLE half_done (id INTEGER PRIMARY KEY)"))
    conn.execute(insert(db.meta).values(key="half", value="done"))
    raise RuntimeError("kolumnen finns redan")


def test_a_failing_migration_leaves_the_version_and_the_schema_unchanged(tmp_path):
    engine = db.connect(tmp_path / "ny.sqlite")
    latest = migrations.latest_version()
    steps = [*migrations.MIGRATIONS, Migration(latest + 1, "Stadsdel på platser", add_column),
             Migration(latest + 2, "Trasig migrering", broken)]
    with pytest.raises(MigrationError) as error:
        migrations.migrate(engine, steps)
    assert str(error.value) == (f"Migrering {latest + 2} (Trasig migrering) misslyckades: kolumnen finns redan. "
                                f"Ingenting ändrades; databasen är kvar på schemaversion {latest + 1}.")
    assert migrations.current_version(engine) == latest + 1
    assert "district" in {c["name"] for c in inspect(engine).get_columns("place")}
    assert not inspect(engine).has_table("half_done")  # the DDL went back with the rest
    assert db.get_meta(engine, "half") is None
    assert migrations.migrate(engine, steps[:-1]) == []


def test_a_fresh_database_is_recorded_at_the_latest_version_without_running_the_later_steps(tmp_path):
    engine = create_engine(db.database_url(tmp_path / "ny.sqlite"))
    latest = migrations.latest_version()
    steps = [*migrations.MIGRATIONS, Migration(latest + 1, "Behövs inte i en ny databas", broken)]
    assert migrations.migrate(engine, steps) == list(range(1, latest + 2))
    assert migrations.current_version(engine) == latest + 1
    assert not inspect(engine).has_table("half_done")


def test_a_database_newer_than_the_program_is_refused(tmp_path):
    engine = db.connect(tmp_path / "ny.sqlite")
    with engine.begin() as conn:
        conn.execute(insert(migrations.schema_migration).values(version=7, description="framtida",
                                                                applied_at=db.dt.datetime(2030, 1, 1)))
    with pytest.raises(MigrationError, match="Databasen har schemaversion 7, men den här versionen av Lägesbild "
                                             f"känner bara till version {migrations.latest_version()}"):
        db.connect(tmp_path / "ny.sqlite")


def test_migrations_must_be_numbered_in_order():
    with pytest.raises(ValueError, match="numbered 1, 2, 3"):
        migrations.migrate(None, [migrations.MIGRATIONS[0], Migration(3, "hoppar över 2", add_column)])


def test_the_bookkeeping_table_is_not_part_of_the_data(tmp_path):
    engine = db.connect(tmp_path / "ny.sqlite")
    assert "schema_migration" not in db.metadata.tables
    with engine.connect() as conn:
        assert conn.execute(select(migrations.schema_migration.c.version)).scalars().all() == [
            m.version for m in migrations.MIGRATIONS]
