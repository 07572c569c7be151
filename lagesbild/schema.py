"""Each table that files fill, declared once: database column and type, Swedish name in files, rule.

One declaration per table (as pandera has one schema per table). Derived from it: the SQLAlchemy
table (db.py), the import fields (tabular.Field), the columns the data modules load, and the export in
the import format. Tables no file fills (dataset, audit_log, meta, …) stay plain tables in db.py.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import (Column as SqlColumn, Date, DateTime, Float, ForeignKey, Integer, MetaData, String, Table,
                        Text, UniqueConstraint)

from .tabular import Field

SQL_KINDS = {Integer: "int", Float: "number", Date: "date"}


@dataclass(frozen=True)
class Column:
    """One column: its database name and type, and how files name and check it.

    `name` is the database column (None for a file column that only identifies a row of another table,
    such as a pledge's year and number). `header` is the name in import files and exports alike (None
    when files never carry the column). `loaded_as` is the loaded frame's column for it when that differs
    from `name` (a joined name, e.g. the place's name for place_id).
    """

    name: str | None
    type: Any = None
    header: str | None = None
    kind: str | None = None  # tabular kind; from the SQL type when None ("choice" and "time" are said here)
    required: bool = True  # the file must have the column
    allow_empty: bool = False
    aliases: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    nullable: bool = True
    primary_key: bool = False
    unique: bool = False
    default: Any = None
    server_default: str | None = None
    references: str | None = None  # "table.column"
    loaded_as: str | None = None
    loaded: bool = True  # the data module's load returns it

    @property
    def file_kind(self) -> str:
        """The tabular kind the import checks the column's cells as."""
        if self.kind:
            return self.kind
        sql_type = self.type if isinstance(self.type, type) else type(self.type)
        return next((kind for base, kind in SQL_KINDS.items() if issubclass(sql_type, base)), "text")

    @property
    def frame_name(self) -> str | None:
        """The column's name in the frame the data module loads."""
        return self.loaded_as or self.name

    def sql(self) -> SqlColumn:
        """The SQLAlchemy column."""
        args = [ForeignKey(self.references)] if self.references else []
        options: dict[str, Any] = {}
        if self.default is not None:
            options["default"] = self.default
        if self.server_default is not None:
            options["server_default"] = self.server_default
        if self.unique:
            options["unique"] = True
        if self.primary_key:
            options["primary_key"] = True
        elif not self.nullable:
            options["nullable"] = False
        return SqlColumn(self.name, *([self.type] if self.type is not None else []), *args, **options)

    def import_field(self, choices: tuple[str, ...] = ()) -> Field:
        """The import field checking the column's cells."""
        return Field(self.header, self.file_kind, required=self.required, allow_empty=self.allow_empty,
                     choices=choices, minimum=self.minimum, maximum=self.maximum, aliases=self.aliases)


@dataclass(frozen=True)
class TableSchema:
    """A table's columns in database order; `file_order` lists the file headers when files order them otherwise."""

    name: str
    columns: tuple[Column, ...]
    constraints: tuple[Any, ...] = ()
    file_order: tuple[str, ...] = ()

    def table(self, metadata: MetaData) -> Table:
        """The SQLAlchemy table in `metadata`."""
        return Table(self.name, metadata, *(c.sql() for c in self.columns if c.name),
                     *(UniqueConstraint(*names) for names in self.constraints))

    def file_columns(self) -> list[Column]:
        """The columns files carry, in the files' order."""
        columns = [c for c in self.columns if c.header]
        if self.file_order:
            by_header = {c.header: c for c in columns}
            columns = [by_header[h] for h in self.file_order]
        return columns

    def fields(self, choices: Mapping[str, tuple[str, ...]] | None = None) -> list[Field]:
        """The import fields, in file order; `choices` gives each choice column's allowed values by header."""
        choices = choices or {}
        missing = [c.header for c in self.file_columns() if c.file_kind == "choice" and c.header not in choices]
        if missing:
            raise ValueError(f"{self.name}: no choices for {missing}")
        return [c.import_field(tuple(choices.get(c.header, ()))) for c in self.file_columns()]

    def headers(self) -> list[str]:
        """The file headers in file order."""
        return [c.header for c in self.file_columns()]

    def loaded(self) -> list[Column]:
        """The stored columns the data module's load returns, in database order."""
        return [c for c in self.columns if c.name and c.loaded]

    def selected(self, table: Table, joined: Mapping[str, Any] | None = None) -> list:
        """The loaded columns for a select, each labelled with its frame name; `joined` gives a joined value by name."""
        joined = joined or {}
        return [joined.get(c.name, table.c[c.name]).label(c.frame_name) for c in self.loaded()]

    def selected_as_files(self, table: Table) -> list:
        """The stored columns files carry, for a select, each labelled with its file header."""
        return [table.c[c.name].label(c.header) for c in self.file_columns() if c.name]

    def column(self, header: str) -> Column:
        """The column a file header names."""
        return next(c for c in self.columns if c.header == header)

    def export(self, frame: pd.DataFrame) -> pd.DataFrame:
        """A loaded frame in the import format: file headers, dates and times as text, no missing text."""
        out = {}
        for c in self.file_columns():
            values = frame[c.frame_name] if c.frame_name in frame or c.required else pd.Series(None, index=frame.index)
            kind = c.file_kind
            if kind in TEXT_OF:
                values = values.map(TEXT_OF[kind])
            elif kind in ("text", "choice"):
                values = values.fillna("")
            out[c.header] = values
        return pd.DataFrame(out, index=frame.index)


def is_missing(value: object) -> bool:
    """Whether a loaded value is missing (None, NaN, NaT), a date, time or text never being so."""
    return value is None or (not isinstance(value, (str, dt.date, dt.time)) and bool(pd.isna(value)))


def date_text(value: object) -> str:
    """A date as ÅÅÅÅ-MM-DD, or "" when there is none."""
    return "" if is_missing(value) else value.isoformat()


def time_text(value: object) -> str:
    """A time of day as HH:MM, or "" when there is none."""
    return "" if is_missing(value) else f"{value.hour:02d}:{value.minute:02d}"


TEXT_OF = {"date": date_text, "datetime": date_text, "time": time_text}

# --- time of day ------------------------------------------------------------------------------------
# Stored as 'HH:MM' text, not TIME: SQLite has no time type, and backups and the audit trail write dates
# and texts as JSON; a fixed-width text sorts, compares and groups by hour alike on SQLite and PostgreSQL.


def stored_time(value: dt.time | None) -> str | None:
    """The database's text for a time of day (None for none)."""
    return time_text(value) or None


def loaded_time(text: object) -> dt.time | None:
    """A time of day from the database's text."""
    return dt.time.fromisoformat(text) if isinstance(text, str) and text else None


# --- the declarations -------------------------------------------------------------------------------

def _source() -> Column:
    return Column("dataset_id", references="dataset.id", loaded=False)


def _removal() -> tuple[Column, Column]:
    return Column("removed_at", DateTime, loaded=False), Column("removed_by", String(200), loaded=False)


def _version() -> Column:
    return Column("version", Integer, nullable=False, default=1, server_default="1")


def _id() -> Column:
    return Column("id", Integer, primary_key=True)


def _optional(name: str, sql_type: Any, header: str, **rule) -> Column:
    return Column(name, sql_type, header, required=False, allow_empty=True, **rule)


SECRECY = Column("confidentiality", String(10), "sekretess", "choice", nullable=False)

SURVEY_INDICATOR = TableSchema("survey_indicator", (
    Column("survey", String(60), "undersökning", primary_key=True),
    Column("indicator", String(100), "indikator", primary_key=True),
    Column("name", String(200), "namn", nullable=False),
    Column("question", Text, "fråga", allow_empty=True, nullable=False, default=""),
    Column("scale", Text, "svarsskala", allow_empty=True, nullable=False, default=""),
    Column("definition", Text, "definition", allow_empty=True, nullable=False, default=""),
    Column("source", Text, "källa", allow_empty=True, nullable=False, default=""),
    _source(),
))

SURVEY_RESULT = TableSchema("survey_result", (
    _id(),
    Column("survey", String(60), "undersökning", required=False, nullable=False),
    Column("year", Integer, "år", minimum=1900, maximum=2100, aliases=("ar", "year"), nullable=False),
    # PxWeb exports (SCB, the city's statistics) call the area "region" and the group "kön".
    Column("area", String(100), "område", aliases=("stadsdelsområde", "omrade", "region", "stadsdel"),
           nullable=False),
    Column("grp", String(100), "grupp", aliases=("kön", "kon"), nullable=False),
    Column("indicator", String(100), "indikator", aliases=("tabellinnehåll",), nullable=False),
    Column("share", Float, "andel", allow_empty=True, minimum=0, maximum=100, aliases=("andel procent",)),
    # The official marker ("..", "–", "U", "XX") the share cell held instead of a number.
    Column("missing", String(4)),
    Column("n", Integer, "antal_svar", allow_empty=True, minimum=0, aliases=("n", "antal svarande")),
    Column("note", Text, "anmärkning", required=False, allow_empty=True, aliases=("kommentar",),
           nullable=False, default=""),
    _source(),
), constraints=(("survey", "year", "area", "grp", "indicator"),))

BOUNDARY = TableSchema("boundary", (
    Column("area", String(100), primary_key=True),
    Column("geojson", Text, nullable=False),
    Column("source", Text, nullable=False, default=""),
    _source(),
))

FORUM = TableSchema("forum", (
    Column("id", String(60), "id", primary_key=True),
    Column("kind", String(20), "typ", "choice", nullable=False),
    Column("name", String(200), "namn", nullable=False),
    Column("theme", String(200), "område", allow_empty=True, nullable=False, default=""),
    Column("goal", Text, "mål", allow_empty=True, nullable=False, default=""),
    Column("purpose", Text, "syfte", allow_empty=True, nullable=False, default=""),
    Column("participants", Text, "deltagare", allow_empty=True, nullable=False, default=""),
    Column("frequency", String(200), "mötesfrekvens", allow_empty=True, nullable=False, default=""),
    Column("per_year", Integer, "möten_per_år", allow_empty=True, minimum=0, maximum=366),
    _optional("excluded_months", String(40), "ej_månader", nullable=False, default=""),
    _source(),
))

MEETING = TableSchema("meeting", (
    _id(),
    Column("forum_id", None, "forum", nullable=False, references="forum.id"),
    Column("date", Date, "datum", nullable=False),
    Column("done", Text, "vad_har_vi_gjort", allow_empty=True, nullable=False, default=""),
    Column("next", Text, "hur_fortsatter_vi", allow_empty=True, nullable=False, default=""),
    SECRECY,
    _source(), *_removal(),
))

PLACE = TableSchema("place", (
    _id(),
    Column("name", String(200), "namn", nullable=False, unique=True),
    Column("lat", Float, "lat", required=False, allow_empty=True, nullable=False),
    Column("lon", Float, "lon", required=False, allow_empty=True, nullable=False),
    Column("area", String(100), "område", nullable=False),
    _optional("forum_id", None, "aktivitet", references="forum.id"),
    Column("status", String(20), "status", "choice", nullable=False),
    # Empty: the map shows the most common category among the place's observations.
    _optional("category", String(60), "kategori", kind="choice"),
    _optional("situation", Text, "lägesbild", nullable=False, default=""),
    _optional("situation_date", Date, "lägesbild_datum"),
    _optional("next_followup", Date, "nästa_uppföljning"),
    _optional("next_step", Text, "nästa_steg", nullable=False, default=""),
    _source(), *_removal(), _version(),
))

OBSERVATION = TableSchema("observation", (
    _id(),
    Column("place_id", None, "plats", nullable=False, references="place.id", loaded_as="place"),
    # A date and time in the date column gives the time of day too (it must agree with tid when both are filled).
    Column("date", Date, "datum", "datetime", nullable=False),
    Column("category", String(60), "kategori", "choice", nullable=False),
    Column("organisation", String(200), "organisation", nullable=False),
    Column("description", Text, "beskrivning", nullable=False),
    SECRECY,
    # The observation's own point; empty: at the place's point.
    _optional("lat", Float, "lat"),
    _optional("lon", Float, "lon"),
    _source(), *_removal(), _version(),
    # Added by migration 2, hence last in the table; files have it next to the date.
    _optional("time", String(5), "tid", kind="time", aliases=("klockslag", "tidpunkt", "kl", "klockan")),
), file_order=("plats", "datum", "tid", "kategori", "organisation", "beskrivning", "sekretess", "lat", "lon"))

ACTION = TableSchema("action", (
    _id(),
    Column("place_id", None, "plats", nullable=False, references="place.id", loaded_as="place"),
    Column("date", Date, "datum", nullable=False),
    Column("actor", String(200), "aktör", nullable=False),
    Column("description", Text, "åtgärd", nullable=False),
    Column("status", String(20), "status", "choice", nullable=False),
    SECRECY,
    _source(), *_removal(),
))

PLEDGE = TableSchema("pledge", (
    _id(),
    Column("year", Integer, "år", minimum=2000, maximum=2100, nullable=False),
    Column("number", Integer, "nr", minimum=1, nullable=False),
    Column("text", Text, "löfte", nullable=False),
    Column("responsible", String(200), "ansvarig", nullable=False),
    Column("target", Integer, "mål", minimum=1, nullable=False),
    Column("unit", String(100), "enhet", nullable=False),
    Column("area", String(100), "område", allow_empty=True, nullable=False, default=""),
    _optional("survey", String(60), "undersökning"),
    _optional("indicator", String(100), "indikator"),
    _source(),
), constraints=(("year", "number"),))

PLEDGE_PROGRESS = TableSchema("pledge_progress", (
    _id(),
    # A file names the pledge by its year and number; the database by its id.
    Column("pledge_id", None, nullable=False, references="pledge.id"),
    Column(None, Integer, "år", minimum=2000, maximum=2100),
    Column(None, Integer, "nr", minimum=1),
    Column("date", Date, "datum", nullable=False),
    Column("description", Text, "beskrivning", nullable=False),
    Column("amount", Integer, "antal", minimum=1, nullable=False, default=1),
    SECRECY,
    _source(), *_removal(),
))

AGENDA_ITEM = TableSchema("agenda_item", (
    _id(),
    Column("position", Integer, "nr", minimum=1, maximum=999, nullable=False, unique=True),
    Column("kind", String(30), "typ", "choice", nullable=False),
    Column("title", String(300), "rubrik", nullable=False),
    _optional("source", String(200), "källa", nullable=False, default=""),
    _optional("text", Text, "text", nullable=False, default=""),
    _source(),
))

TABLES = (SURVEY_INDICATOR, SURVEY_RESULT, BOUNDARY, FORUM, MEETING, PLACE, OBSERVATION, ACTION, PLEDGE,
          PLEDGE_PROGRESS, AGENDA_ITEM)
