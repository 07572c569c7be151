"""Read tables the way Swedish offices write them: CSV or Excel, title rows, footnotes, decimal comma."""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import math
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .problems import InputError, Problem

EXCEL_SUFFIXES = (".xlsx", ".xlsm")
FOOTNOTE_START = re.compile(r"^(källa|källor|anm|not|fotnot|kommentar|\*)", re.IGNORECASE)

# Official tables mark cells that are not numbers; each is kept as missing with its reason.
MISSING_MARKERS = {
    "..": "uppgift saknas eller är för osäker",
    "–": "noll eller avrundat till noll",
    "-": "noll eller avrundat till noll",
    "—": "noll eller avrundat till noll",
    "u": "undertryckt (för få svar)",
    "xx": "undertryckt (för få svar)",
}
MISSING_CANONICAL = {"..": "..", "–": "–", "-": "–", "—": "–", "u": "U", "xx": "XX"}


@dataclass
class RawTable:
    """The rows of a file as text, with the header found and title rows and footnotes set aside."""

    file: str
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (row number as the user sees it, cells)
    title: list[str] = field(default_factory=list)


def normalise_header(text: str) -> str:
    """The header's comparable form: case, spaces, underscores, hyphens and '%' do not matter."""
    text = unicodedata.normalize("NFC", str(text)).casefold()
    text = re.sub(r"\(.*?\)|%", "", text)
    return re.sub(r"[\s_\-\u00a0]+", "", text)


def decode(data: bytes) -> str:
    """Text of a CSV file: UTF-8 with or without BOM, else Windows-1252 as Excel writes it."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def sniff_separator(text: str) -> str:
    """The field separator: the candidate that splits the most lines the same way."""
    lines = [line for line in text.splitlines()[:40] if line.strip()]
    best, best_score = ";", 0
    for sep in (";", "\t", ","):
        counts = [line.count(sep) for line in lines if line.count(sep)]
        if not counts:
            continue
        modal = max(set(counts), key=counts.count)
        score = counts.count(modal) * modal
        if score > best_score:
            best, best_score = sep, score
    return best


def _cell_text(value: object, number_format: str = "") -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        if isinstance(value, float) and math.isnan(value):
            return ""
        if "%" in number_format:
            value = value * 100
        if float(value).is_integer():
            return str(int(value))
        return repr(round(float(value), 10))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _excel_rows(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        return [[_cell_text(c.value, getattr(c, "number_format", "") or "") for c in row]
                for row in sheet.iter_rows()]
    finally:
        book.close()


def raw_rows(file_name: str, data: bytes) -> list[list[str]]:
    """Every row of a CSV or Excel file as stripped text cells."""
    if Path(file_name).suffix.lower() in EXCEL_SUFFIXES:
        try:
            rows = _excel_rows(data)
        except Exception as exc:  # openpyxl raises many kinds for a broken workbook
            raise InputError([Problem(file_name, f"filen kunde inte läsas som Excel-arbetsbok ({exc})")]) from exc
    else:
        text = decode(data)
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=sniff_separator(text)))
    return [[cell.replace("\u00a0", " ").strip() for cell in row] for row in rows]


def find_header(file_name: str, rows: list[list[str]], wanted: set[str], names: dict[str, str]) -> int:
    """Index of the first row holding every wanted column, title rows above it skipped."""
    for index, row in enumerate(rows[:30]):
        found = {names.get(normalise_header(cell)) for cell in row if cell}
        if wanted <= found:
            return index
    first = next((row for row in rows if any(row)), [])
    missing = sorted(wanted)
    shown = ", ".join(f'"{c}"' for c in first if c) or "inga"
    raise InputError([Problem(file_name, f'hittar ingen rubrikrad med kolumnerna {", ".join(chr(34) + m + chr(34) for m in missing)} '
                                         f"(första raden har {shown})")])


def table_from_rows(file_name: str, rows: list[list[str]], header_index: int) -> RawTable:
    """Split rows into title, header and data; blank rows and footnotes below the data are dropped."""
    header = rows[header_index]
    body: list[tuple[int, list[str]]] = []
    after_blank = False
    for number, row in enumerate(rows[header_index + 1:], start=header_index + 2):
        filled = [cell for cell in row if cell]
        if not filled:
            after_blank = True
            continue
        only_first = len(filled) == 1 and row[0] == filled[0] and len(header) > 2
        if only_first and (after_blank or FOOTNOTE_START.match(filled[0])):
            continue
        body.append((number, row + [""] * (len(header) - len(row))))
    title = [" ".join(c for c in row if c) for row in rows[:header_index] if any(row)]
    return RawTable(file_name, header, body, title)


def parse_number(text: str) -> float:
    """A number as Swedish tables write it: '17 669', '12,5 %', '−3,2'. Raises ValueError."""
    cleaned = text.replace(" ", "").replace("\u202f", "").replace("%", "").replace("−", "-")
    if cleaned.count(",") == 1 and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    if not re.fullmatch(r"[-+]?(\d+(\.\d*)?|\.\d+)", cleaned):
        raise ValueError(text)
    return float(cleaned)


def missing_marker(text: str) -> str | None:
    """The official missing-value marker a cell holds ('..', '–', 'U', 'XX'), if any."""
    return MISSING_CANONICAL.get(text.strip().casefold())


@dataclass(frozen=True)
class Field:
    """One column of a table: its name in files, its kind and whether a value is required."""

    name: str
    kind: str = "text"  # text | int | number | date | choice
    required: bool = True  # the column must be present
    allow_empty: bool = False
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    aliases: tuple[str, ...] = ()


def column_names(fields: list[Field]) -> dict[str, str]:
    """Map every accepted header spelling to the field's name."""
    names = {}
    for f in fields:
        for spelling in (f.name, *f.aliases):
            names[normalise_header(spelling)] = f.name
    return names


def parse_cell(f: Field, text: str) -> tuple[object, str | None]:
    """The cell's value and, if it does not fit the field, a Swedish explanation."""
    if text == "":
        empty = "" if f.kind in ("text", "choice") else None
        return empty, (None if f.allow_empty else "värde saknas")
    if f.kind == "text":
        return text, None
    if f.kind == "choice":
        match = next((c for c in f.choices if c.casefold() == text.casefold()), None)
        if match is None:
            return None, f'"{text}" är inte ett tillåtet värde (tillåtna: {", ".join(f.choices)})'
        return match, None
    if f.kind == "date":
        try:
            return dt.date.fromisoformat(text[:10]), None
        except ValueError:
            return None, f'"{text}" är inte ett datum (skriv ÅÅÅÅ-MM-DD)'
    try:
        number = parse_number(text)
    except ValueError:
        return None, f'"{text}" är inte ett tal'
    if f.kind == "int":
        if not number.is_integer():
            return None, f'"{text}" är inte ett heltal'
        number = int(number)
    if f.minimum is not None and number < f.minimum:
        return None, f'"{text}" är mindre än {_fmt(f.minimum)}'
    if f.maximum is not None and number > f.maximum:
        return None, f'"{text}" är större än {_fmt(f.maximum)}'
    return number, None


def _fmt(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number).replace(".", ",")


def read_table(file_name: str, data: bytes, fields: list[Field]) -> pd.DataFrame:
    """A validated frame with one column per field and the source row number in `rad`."""
    rows = raw_rows(file_name, data)
    names = column_names(fields)
    required = {f.name for f in fields if f.required}
    raw = table_from_rows(file_name, rows, find_header(file_name, rows, required, names))
    return records_frame(raw, fields)


def records_frame(raw: RawTable, fields: list[Field]) -> pd.DataFrame:
    """Check every cell of a raw table against the fields, reporting all problems together."""
    names = column_names(fields)
    positions = {names[normalise_header(h)]: i for i, h in enumerate(raw.header)
                 if normalise_header(h) in names}
    problems = [Problem(raw.file, f'kolumnen "{f.name}" saknas') for f in fields
                if f.required and f.name not in positions]
    if problems:
        raise InputError(problems)
    records = []
    for number, cells in raw.rows:
        record: dict[str, object] = {"rad": number}
        for f in fields:
            if f.name not in positions:
                record[f.name] = "" if f.kind in ("text", "choice") else None
                continue
            value, error = parse_cell(f, cells[positions[f.name]])
            if error:
                problems.append(Problem(raw.file, error, number, f.name))
            record[f.name] = value
        records.append(record)
    if problems:
        raise InputError(problems)
    return pd.DataFrame.from_records(records, columns=["rad", *[f.name for f in fields]])
