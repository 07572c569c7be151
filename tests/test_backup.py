"""Backups: the whole database to one file and back into an empty database, identical row for row."""
from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import os
import stat
import json

import pytest
from sqlalchemy import Engine, insert, select

from lagesbild import backup, db, migrations
from lagesbild.cli import main
from lagesbild.problems import InputError

TYPED = 'Rad ett\nrad två med "citat", <b>taggar</b>, ; och \\ – 🙂'


def table_rows(engine: Engine) -> dict[str, list[tuple]]:
    """Every table's rows in primary-key order, with their Python values (and so their types)."""
    with engine.connect() as conn:
        return {t.name: [tuple(row) for row in conn.execute(select(t).order_by(*t.primary_key.columns))]
                for t in db.metadata.sorted_tables}


def add_awkward_values(engine: Engine) -> None:
    """Values that a careless format loses: microseconds, False, None, long text, a float like 0.1 + 0.2."""
    with engine.begin() as conn:
        dataset_id = db.add_dataset(conn, "undersökning", TYPED, 0, is_example=False)
        conn.execute(insert(db.snapshot).values(meeting_date=dt.date(2016, 12, 14),
                                                locked_at=dt.datetime(2016, 12, 14, 10, 5, 7, 123456),
                                                content=TYPED, sha256="0" * 64))
        conn.execute(insert(db.survey_result).values(survey="ntu", year=2016, area="Norrmalm", grp="Alla",
                                                     indicator="otrygg", share=0.1 + 0.2, missing=None, n=None,
                                                     note=TYPED, dataset_id=dataset_id))


def test_export_then_restore_gives_back_every_table_row_for_row(engine, tmp_path):
    add_awkward_values(engine)
    counts = backup.export_database(engine, tmp_path / "kopia.jsonl.gz")
    restored = db.connect(tmp_path / "tom.sqlite")
    assert backup.restore_database(restored, tmp_path / "kopia.jsonl.gz") == counts
    before, after = table_rows(engine), table_rows(restored)
    assert before == after
    assert [type(v) for v in after["snapshot"][0]] == [type(v) for v in before["snapshot"][0]]
    assert after["snapshot"][0][2] == dt.datetime(2016, 12, 14, 10, 5, 7, 123456)
    assert {row[5] for row in after["dataset"]} == {True, False}
    assert counts["survey_result"] > 1000 and counts["place"] > 10 and counts["meta"] >= 2
    assert set(counts) == set(db.metadata.tables)


def test_the_file_is_gzip_json_lines_with_format_and_schema_version(engine, tmp_path):
    backup.export_database(engine, tmp_path / "kopia.jsonl.gz")
    lines = gzip.open(tmp_path / "kopia.jsonl.gz", "rt", encoding="utf-8").read().splitlines()
    header = json.loads(lines[0])
    assert header["format"] == "lagesbild-säkerhetskopia" and header["format_version"] == 2
    assert header["schema_version"] == migrations.latest_version()
    named = [json.loads(line)["table"] for line in lines if line.startswith('{"table"')]
    assert named == [t.name for t in db.metadata.sorted_tables]
    assert named.index("place") < named.index("observation")  # parents before children
    end = json.loads(lines[-1])
    assert end["end"] == sum(spec["rows"] for spec in header["tables"].values())
    assert end["sha256"] == hashlib.sha256("".join(line + "\n" for line in lines[:-1]).encode()).hexdigest()
    assert not list(tmp_path.glob("*.delvis"))


def test_a_restore_refuses_a_database_that_is_not_empty(engine, tmp_path):
    backup.export_database(engine, tmp_path / "kopia.jsonl.gz")
    before = table_rows(engine)
    with pytest.raises(InputError) as error:
        backup.restore_database(engine, tmp_path / "kopia.jsonl.gz")
    assert str(error.value).startswith("kopia.jsonl.gz: databasen är inte tom (den har ")
    assert "En säkerhetskopia läses bara in i en tom databas, så att ingenting skrivs över" in str(error.value)
    assert table_rows(engine) == before


def rewrite(source, target, change) -> None:
    lines = gzip.open(source, "rt", encoding="utf-8").read().splitlines()
    with gzip.open(target, "wt", encoding="utf-8") as out:
        out.write("\n".join(change(lines)) + "\n")


def test_a_damaged_backup_writes_nothing_at_all(engine, tmp_path):
    backup.export_database(engine, tmp_path / "kopia.jsonl.gz")
    # Drop the last rows of the last table that has any (the submission tables after it are empty in the
    # example data): every table before it would already be inserted.
    lines = gzip.open(tmp_path / "kopia.jsonl.gz", "rt", encoding="utf-8").read().splitlines()
    cut = [i for i, line in enumerate(lines) if line.startswith("[")][-2:]
    last = next(json.loads(line)["table"] for line in reversed(lines[:cut[0]]) if line.startswith('{"table"'))
    rewrite(tmp_path / "kopia.jsonl.gz", tmp_path / "kort.jsonl.gz", lambda lines: [
        line for i, line in enumerate(lines) if i not in cut])
    empty = db.connect(tmp_path / "tom.sqlite")
    with pytest.raises(InputError) as error:
        backup.restore_database(empty, tmp_path / "kort.jsonl.gz")
    assert f"kort.jsonl.gz: säkerhetskopian är ofullständig ({last}: " in str(error.value)
    assert all(rows == [] for rows in table_rows(empty).values())


def test_a_cut_off_or_foreign_file_is_named_as_such(engine, tmp_path):
    backup.export_database(engine, tmp_path / "kopia.jsonl.gz")
    data = (tmp_path / "kopia.jsonl.gz").read_bytes()
    (tmp_path / "avbruten.jsonl.gz").write_bytes(data[: len(data) // 2])
    (tmp_path / "enkat.csv").write_text("år;område\n2016;Norrmalm\n", encoding="utf-8")
    empty = db.connect(tmp_path / "tom.sqlite")
    with pytest.raises(InputError, match="avbruten.jsonl.gz: säkerhetskopian är skadad eller ofullständig"):
        backup.restore_database(empty, tmp_path / "avbruten.jsonl.gz")
    with pytest.raises(InputError, match="enkat.csv: filen är inte en säkerhetskopia från Lägesbild"):
        backup.restore_database(empty, tmp_path / "enkat.csv")
    assert all(rows == [] for rows in table_rows(empty).values())


def test_a_backup_of_another_schema_version_is_refused(engine, tmp_path):
    backup.export_database(engine, tmp_path / "kopia.jsonl.gz")

    def newer(lines):
        header = json.loads(lines[0])
        header["schema_version"] = 9
        header["tables"]["place"]["columns"].append("district")
        return [json.dumps(header, ensure_ascii=False), *lines[1:]]

    rewrite(tmp_path / "kopia.jsonl.gz", tmp_path / "ny.jsonl.gz", newer)
    with pytest.raises(InputError) as error:
        backup.restore_database(db.connect(tmp_path / "tom.sqlite"), tmp_path / "ny.jsonl.gz")
    assert [p.message for p in error.value.problems] == [
        f"säkerhetskopian har schemaversion 9 men databasen har version {migrations.latest_version()}; läs in den "
        "med samma version av "
        "Lägesbild som tog den",
        "tabellen place har andra kolumner i säkerhetskopian än i databasen"]


def test_the_commands_back_up_and_restore_the_configured_database(engine, tmp_path, monkeypatch, capsys):
    out = tmp_path / "lagesbild.jsonl.gz"
    assert main(["backup", "--out", str(out)]) == 0  # LAGESBILD_DATABASE is the engine fixture's file
    assert "Säkerhetskopian är sparad i" in capsys.readouterr().out
    assert main(["backup", "--out", str(out)]) == 1
    assert "finns redan; välj ett annat filnamn" in capsys.readouterr().err
    assert main(["restore", str(out)]) == 1
    assert "lagesbild.jsonl.gz: databasen är inte tom" in capsys.readouterr().err
    monkeypatch.setenv("LAGESBILD_DATABASE", str(tmp_path / "återläst.sqlite"))
    assert main(["restore", str(out)]) == 0
    assert "Säkerhetskopian lagesbild.jsonl.gz är inläst:" in capsys.readouterr().out
    assert table_rows(db.connect(tmp_path / "återläst.sqlite")) == table_rows(engine)


def test_backing_up_a_missing_database_creates_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("LAGESBILD_DATABASE", str(tmp_path / "finns-inte.sqlite"))
    assert main(["backup", "--out", str(tmp_path / "kopia.jsonl.gz")]) == 1
    assert "finns-inte.sqlite finns inte" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_a_backup_is_readable_only_by_its_owner(engine, tmp_path):
    old = os.umask(0o022)  # the usual umask, which would give 0644
    try:
        backup.export_database(engine, tmp_path / "kopia.jsonl.gz")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "kopia.jsonl.gz").stat().st_mode) == 0o600


def test_a_changed_backup_fails_its_checksum_and_writes_nothing(engine, tmp_path):
    backup.export_database(engine, tmp_path / "kopia.jsonl.gz")
    # The same number of rows, one value changed: only the checksum can tell.
    rewrite(tmp_path / "kopia.jsonl.gz", tmp_path / "ändrad.jsonl.gz",
            lambda lines: [line.replace("Vasaparken", "Vasaparkem", 1) for line in lines])
    empty = db.connect(tmp_path / "tom.sqlite")
    with pytest.raises(InputError) as error:
        backup.restore_database(empty, tmp_path / "ändrad.jsonl.gz")
    assert "kontrollsumman stämmer inte" in str(error.value)
    assert all(rows == [] for rows in table_rows(empty).values())
    assert backup.restore_database(empty, tmp_path / "kopia.jsonl.gz")  # the untouched file restores
