"""Backups: the whole database in one gzip'd JSON-lines file, and a restore into an empty database.

The file holds, one JSON value per line: a header (format, format version, schema version, every
table's columns and row count), then for each table in dependency order a line naming it followed by
its rows as arrays in column order, then an end line with the row count and the SHA-256 of every line
before it, which a restore checks before it commits anything. The file is readable only by its owner
(0600): it holds internal material and the audit log. Dates and times are ISO text, restored to the
column's type, so a restore gives back exactly what was exported, in SQLite or PostgreSQL alike.
"""
from __future__ import annotations

import base64
import datetime as dt
import gzip
import hashlib
import json
import os
import zlib
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Connection, Engine, Table, func, insert, select, text
from sqlalchemy.exc import DataError, IntegrityError

from . import db
from .formatting import number
from .db import atomic
from .migrations import current_version
from .problems import InputError, Problem

FORMAT = "lagesbild-säkerhetskopia"
FORMAT_VERSION = 2  # 2: the end line carries the content's SHA-256
READABLE = (1, 2)
BATCH = 1000


def _tables() -> list[Table]:
    # Parents before children, so that a restore satisfies every foreign key as it goes.
    return list(db.metadata.sorted_tables)


def _encode(value: object) -> object:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (bytes, memoryview)):
        # Photos: JSON has no bytes, so binary columns travel as base64 text.
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def _ordered(table: Table):
    return select(table).order_by(*(table.primary_key.columns or table.columns))


def export_database(engine: Engine, path: str | Path) -> dict[str, int]:
    """Write every table to one backup file from a consistent snapshot; returns the rows written per table."""
    path = Path(path)
    tables = _tables()
    with atomic(engine, write=False) as conn:
        counts = {t.name: int(conn.execute(select(func.count()).select_from(t)).scalar()) for t in tables}
        header = {"format": FORMAT, "format_version": FORMAT_VERSION, "schema_version": current_version(conn),
                  "created_at": dt.datetime.now().replace(microsecond=0).isoformat(),
                  "tables": {t.name: {"columns": [c.name for c in t.columns], "rows": counts[t.name]}
                             for t in tables}}
        # Only a complete file gets the name asked for: an interrupted backup never looks like a good one.
        partial = path.with_name(path.name + ".delvis")
        digest = hashlib.sha256()

        def write(out, value: object) -> None:
            line = json.dumps(value, ensure_ascii=False) + "\n"
            digest.update(line.encode("utf-8"))
            out.write(line)

        try:
            partial.unlink(missing_ok=True)
            # Created owner-only: never world-readable, not even for a moment.
            descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as raw, gzip.open(raw, "wt", encoding="utf-8", newline="\n") as out:
                write(out, header)
                for table in tables:
                    write(out, {"table": table.name})
                    for row in conn.execute(_ordered(table), execution_options={"yield_per": BATCH}):
                        write(out, [_encode(v) for v in row])
                out.write(json.dumps({"end": sum(counts.values()), "sha256": digest.hexdigest()}) + "\n")
            os.chmod(partial, 0o600)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    partial.replace(path)
    return counts


def _lines(path: Path, digest=None) -> Iterator[tuple[int, object]]:
    # Every line but the end line goes into the digest, exactly as written.
    with gzip.open(path, "rt", encoding="utf-8", newline="\n") as source:
        for line_number, line in enumerate(source, start=1):
            value = json.loads(line)
            if digest is not None and not (isinstance(value, dict) and "end" in value):
                digest.update(line.encode("utf-8"))
            yield line_number, value


def _decoder(table: Table):
    kinds = []
    for column in table.columns:
        try:
            kinds.append(column.type.python_type)
        except NotImplementedError:
            kinds.append(object)

    def decode(values: list, file: str, line: int) -> dict:
        if len(values) != len(kinds):
            raise InputError([Problem(file, f"raden passar inte tabellen {table.name}", line)])
        row = {}
        for column, kind, value in zip(table.columns, kinds, values):
            try:
                if value is not None and kind is dt.datetime:
                    value = dt.datetime.fromisoformat(value)
                elif value is not None and kind is dt.date:
                    value = dt.date.fromisoformat(value)
                elif value is not None and kind is float:
                    value = float(value)
                elif value is not None and kind is bytes:
                    value = base64.b64decode(value, validate=True)
            except (TypeError, ValueError):
                raise InputError([Problem(file, f"ogiltigt värde {value!r} i tabellen {table.name}", line,
                                          column.name)]) from None
            row[column.name] = value
        return row

    return decode


def _check_header(file: str, header: object, engine: Engine) -> dict:
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise InputError([Problem(file, "filen är inte en säkerhetskopia från Lägesbild")])
    if header.get("format_version") not in READABLE:
        raise InputError([Problem(file, f"säkerhetskopians format har version {header.get('format_version')}; "
                                        f"den här versionen av Lägesbild läser version {FORMAT_VERSION}")])
    problems = []
    schema = current_version(engine)
    if header.get("schema_version") != schema:
        problems.append(f"säkerhetskopian har schemaversion {header.get('schema_version')} men databasen har "
                        f"version {schema}; läs in den med samma version av Lägesbild som tog den")
    stored = header.get("tables")
    if not isinstance(stored, dict) or not all(isinstance(spec, dict) for spec in stored.values()):
        raise InputError([Problem(file, "säkerhetskopians rubrikrad saknar tabellerna")])
    for table in _tables():
        if table.name not in stored:
            problems.append(f"tabellen {table.name} saknas i säkerhetskopian")
        elif stored[table.name].get("columns") != [c.name for c in table.columns]:
            problems.append(f"tabellen {table.name} har andra kolumner i säkerhetskopian än i databasen")
    problems += [f"okänd tabell {name} i säkerhetskopian" for name in stored if name not in db.metadata.tables]
    if problems:
        raise InputError([Problem(file, message) for message in problems])
    return header


def _refuse_unless_empty(conn: Connection, file: str) -> None:
    counts = [conn.execute(select(func.count()).select_from(t)).scalar() for t in _tables()]
    if any(counts):
        filled = sum(1 for n in counts if n)
        raise InputError([Problem(file, f"databasen är inte tom (den har {number(sum(counts))} rader i {filled} "
                                        f"{'tabell' if filled == 1 else 'tabeller'}). En säkerhetskopia läses bara "
                                        "in i en tom databas, så att ingenting skrivs över: ange en ny databas med "
                                        "LAGESBILD_DATABASE och försök igen.")])


def _advance_sequences(conn: Connection) -> None:
    # Rows came with their ids: PostgreSQL's id counters must continue after the highest one restored.
    quote = conn.dialect.identifier_preparer.quote
    for table in _tables():
        column = table.autoincrement_column
        if column is not None:
            conn.execute(text(f"SELECT setval(pg_get_serial_sequence(:table, :column), "
                              f"COALESCE((SELECT MAX({quote(column.name)}) FROM {quote(table.name)}), 0) + 1, false)"),
                         {"table": quote(table.name), "column": column.name})


def restore_database(engine: Engine, path: str | Path) -> dict[str, int]:
    """Read a backup into an empty database in one transaction; returns the rows restored per table.

    Raises InputError (in Swedish) for a database that is not empty, or a file that is not a complete
    backup of this schema; then nothing is written.
    """
    path = Path(path)
    file = path.name
    digest = hashlib.sha256()
    lines = _lines(path, digest)
    try:
        return _restore(engine, file, lines, digest)
    except (OSError, EOFError, zlib.error, UnicodeDecodeError, json.JSONDecodeError) as error:
        message = ("filen finns inte" if isinstance(error, FileNotFoundError) else
                   "filen är inte en säkerhetskopia från Lägesbild" if isinstance(error, gzip.BadGzipFile) else
                   "säkerhetskopian är skadad eller ofullständig")
        raise InputError([Problem(file, message)]) from None
    except (IntegrityError, DataError) as error:
        detail = str(error.orig).strip().splitlines()[0]
        raise InputError([Problem(file, f"säkerhetskopian passar inte databasen: {detail}")]) from None
    finally:
        lines.close()


def _restore(engine: Engine, file: str, lines: Iterator[tuple[int, object]], digest) -> dict[str, int]:
    try:
        _, header = next(lines)
    except StopIteration:
        raise InputError([Problem(file, "filen är tom")]) from None
    header = _check_header(file, header, engine)
    expected = {name: spec.get("rows") for name, spec in header["tables"].items()}
    counts: dict[str, int] = {}
    table, decode, batch, ended, stated = None, None, [], False, None
    with atomic(engine) as conn:
        _refuse_unless_empty(conn, file)
        for line_number, value in lines:
            if isinstance(value, list) and table is not None and not ended:
                batch.append(decode(value, file, line_number))
                counts[table.name] += 1
                if len(batch) >= BATCH:
                    conn.execute(insert(table), batch)
                    batch = []
                continue
            if batch:
                conn.execute(insert(table), batch)
                batch = []
            if isinstance(value, dict) and value.get("table") in db.metadata.tables and not ended:
                table = db.metadata.tables[value["table"]]
                decode, counts[table.name] = _decoder(table), 0
            elif isinstance(value, dict) and "end" in value and not ended:
                ended, stated = True, value.get("sha256")
            else:
                raise InputError([Problem(file, "oväntat innehåll i säkerhetskopian", line_number)])
        if not ended or counts != expected:
            short = [f"{name}: {number(counts.get(name, 0))} av {number(n)} rader"
                     for name, n in expected.items() if counts.get(name, 0) != n]
            raise InputError([Problem(file, "säkerhetskopian är ofullständig"
                                            + (f" ({'; '.join(short)})" if short else ""))])
        if header.get("format_version") >= 2 and stated != digest.hexdigest():
            raise InputError([Problem(file, "kontrollsumman stämmer inte: säkerhetskopian har ändrats eller är "
                                            "skadad, och ingenting har lästs in")])
        if conn.dialect.name == "postgresql":
            _advance_sequences(conn)
    return counts
