"""Read tables the way Swedish offices write them: CSV or Excel, title rows, footnotes, decimal comma."""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import math
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .problems import InputError, Problem

EXCEL_SUFFIXES = (".xlsx", ".xlsm")
# A workbook is a zip: one that unpacks to more than this is refused before it is opened.
MAX_WORKBOOK_UNPACKED = 1_000_000_000
# Problems of one kind in one column named row by row; the rest are counted.
MAX_NAMED_ROWS = 10
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


# UTF-8 as cp1252 never holds these byte pairs (Ã followed by a symbol, â€ …), UTF-8 text almost always does.
UTF8_LETTER = re.compile(rb"\xc3[\x80-\xbf]|\xc2[\xa0-\xbf]|\xe2\x80[\x90-\xbf]")
ENCODING_NAMES = {"utf-8": "UTF-8", "cp1252": "Windows-1252 (ANSI)"}
SAVE_ONE_ENCODING = ('spara hela filen med en och samma teckenkodning, till exempel i Excel med "Spara som" '
                     'och filformatet "CSV UTF-8"')


def _valid_utf8(data: bytes | memoryview, chunk: int = 8 << 20) -> bool:
    # Decoded in slices so that a 200 MB file never exists twice in memory.
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(data)
    try:
        for start in range(0, len(view), chunk):
            decoder.decode(view[start:start + chunk], final=start + chunk >= len(view))
    except UnicodeDecodeError:
        return False
    return True


def _has_utf8_letter(data: bytes) -> bool:
    # Each lead byte is rare in Windows-1252 text, so memchr-speed find() skips almost the whole file.
    for lead in (b"\xc3", b"\xc2", b"\xe2"):
        position = data.find(lead)
        while position != -1:
            if UTF8_LETTER.match(data, position):
                return True
            position = data.find(lead, position + 1)
    return False


def file_encoding(file_name: str, data: bytes) -> str:
    """The one encoding that reads every row ('utf-8-sig', 'utf-8' or 'cp1252'); InputError naming rows that differ."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in data[:4096]:
        raise InputError([Problem(file_name, "filen är sparad som UTF-16 (\"Unicode-text\") eller är inte en textfil; "
                                             "spara den i Excel som \"CSV UTF-8\" eller \"CSV (semikolonavgränsad)\"")])
    bom = data.startswith(codecs.BOM_UTF8)
    body = memoryview(data)[len(codecs.BOM_UTF8):] if bom else data
    if _valid_utf8(body):
        return "utf-8-sig" if bom else "utf-8"
    if not bom and not _has_utf8_letter(data):
        # Five bytes mean nothing in Windows-1252: a file holding them is neither encoding, or not text at all.
        for byte in (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d", b"\x00"):
            position = data.find(byte)
            if position != -1:
                raise InputError([Problem(file_name, "raden innehåller tecken som varken är UTF-8 eller Windows-1252, "
                                                     "så filen är inte en textfil i en teckenkodning som tas emot; "
                                                     f"{SAVE_ONE_ENCODING}", data.count(b"\n", 0, position) + 1)])
        return "cp1252"
    raise InputError(_mixed_encoding_problems(file_name, data, bom))


def _mixed_encoding_problems(file_name: str, data: bytes, bom: bool) -> list[Problem]:
    rows: dict[str, list[int]] = {"utf-8": [], "cp1252": []}
    for number, line in enumerate(io.BytesIO(data), start=1):
        if number == 1 and bom:
            line = line[len(codecs.BOM_UTF8):]
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            rows["utf-8"].append(number)
        except UnicodeDecodeError:
            rows["cp1252"].append(number)
    if bom or len(rows["cp1252"]) <= len(rows["utf-8"]):
        odd, usual = "cp1252", "utf-8"
    else:
        odd, usual = "utf-8", "cp1252"
    problems = [Problem(file_name, f"raden är skriven i {ENCODING_NAMES[odd]} men resten av filen i "
                                   f"{ENCODING_NAMES[usual]}, så å, ä och ö skulle bli fel; {SAVE_ONE_ENCODING}", number)
                for number in rows[odd][:MAX_NAMED_ROWS]]
    if len(rows[odd]) > MAX_NAMED_ROWS:
        problems.append(Problem(file_name, f"ytterligare {len(rows[odd]) - MAX_NAMED_ROWS} rader är skrivna i "
                                           f"{ENCODING_NAMES[odd]}"))
    return problems


def decode(data: bytes, file_name: str = "filen") -> str:
    """Text of a CSV file in the one encoding every row is written in (UTF-8 with or without BOM, or Windows-1252)."""
    return data.decode(file_encoding(file_name, data))


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
        # A date and time cell keeps its time of day; a date cell (shown as midnight) is only the date.
        if value.time() == dt.time():
            return value.date().isoformat()
        return f"{value.date().isoformat()} {value.hour:02d}:{value.minute:02d}"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return f"{value.hour:02d}:{value.minute:02d}"
    return str(value)


FORMULA_CELL = re.compile(rb'<c\b[^>]*?\br="([A-Z]+[0-9]+)"[^>]*?(?:/>|>(.*?)</c>)', re.S)
CACHED_VALUE = re.compile(rb"<v>[^<]+</v>|<is>")


def _open_workbook(file_name: str, data: bytes):
    from openpyxl import load_workbook

    unreadable = ("filen kunde inte läsas som Excel-arbetsbok: den är skadad eller inte en .xlsx-fil; "
                  "öppna den i Excel, spara den som Excel-arbetsbok (.xlsx) och läs in den igen")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise InputError([Problem(file_name, unreadable)]) from exc
    if unpacked > MAX_WORKBOOK_UNPACKED:
        raise InputError([Problem(file_name, f"arbetsboken packas upp till {unpacked // 1_000_000} MB, mer än "
                                             f"{MAX_WORKBOOK_UNPACKED // 1_000_000} MB; dela upp den eller spara den som CSV")])
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook
        raise InputError([Problem(file_name, unreadable)]) from exc
    return archive, book, sheet, unreadable


def formulas_without_value(xml: bytes) -> list[str]:
    """Cells (as "C7") of a worksheet's XML that hold a formula but no result saved with it."""
    if b"<f" not in xml:
        return []
    return [m.group(1).decode() for m in FORMULA_CELL.finditer(xml)
            if m.group(2) and b"<f" in m.group(2) and not CACHED_VALUE.search(m.group(2))]


def _excel_rows(file_name: str, data: bytes) -> list[list[str]]:
    archive, book, sheet, unreadable = _open_workbook(file_name, data)
    try:
        try:
            cells = formulas_without_value(archive.read(sheet._worksheet_path))
        except (KeyError, AttributeError, zipfile.BadZipFile, OSError):
            cells = []
        if cells:
            shown = ", ".join(cells[:MAX_NAMED_ROWS]) + (f" och {len(cells) - MAX_NAMED_ROWS} till"
                                                         if len(cells) > MAX_NAMED_ROWS else "")
            noun = f"cell {shown} är en formel" if len(cells) == 1 else f"cellerna {shown} är formler"
            raise InputError([Problem(file_name, f"{noun} utan sparat värde, så värdet går inte att läsa; öppna filen "
                                                 "i Excel och spara den (eller klistra in cellerna som värden) och "
                                                 "läs in den igen")])
        try:
            return [[_cell_text(c.value, getattr(c, "number_format", "") or "") for c in row]
                    for row in sheet.iter_rows()]
        except Exception as exc:  # a damaged sheet fails only while it is read
            raise InputError([Problem(file_name, unreadable)]) from exc
    finally:
        book.close()


def raw_rows(file_name: str, data: bytes) -> list[list[str]]:
    """Every row of a CSV or Excel file as stripped text cells."""
    if Path(file_name).suffix.lower() in EXCEL_SUFFIXES:
        rows = _excel_rows(file_name, data)
    else:
        text = decode(data, file_name)
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


# A time of day as people write it; only forms that cannot mean anything else.
TIME_FORMS = (
    re.compile(r"^(\d{1,2})[:.](\d{2})(?::\d{2}(?:\.\d+)?)?$"),  # 21:30, 21.30, 9:05, 21:30:00 (Excel)
    re.compile(r"^(\d{2})(\d{2})$"),  # 2130
    re.compile(r"^(\d{1,2})()$"),  # 21 (the whole hour)
)
TIME_HINT = "skriv klockslaget som TT:MM, till exempel 21:30"


def parse_time(text: str) -> dt.time | None:
    """A time of day from 21:30, 21.30, 2130, 21, kl 21 or 21:30:00; None when the text is none of them."""
    text = text.strip().casefold()
    text = re.sub(r"^kl(ockan)?\.?\s*", "", text)
    for form in TIME_FORMS:
        found = form.match(text)
        if found:
            hour, minute = int(found.group(1)), int(found.group(2) or 0)
            return dt.time(hour, minute) if hour <= 23 and minute <= 59 else None
    return None


def parse_date_time(text: str) -> tuple[dt.date, dt.time | None] | None:
    """A date, with its time of day when one follows it ("2016-12-01 21:30", "2016-12-01T21:30:00"); else None.

    A time of exactly midnight is taken as no time: systems write a bare date that way.
    """
    try:
        day = dt.date.fromisoformat(text[:10])
    except ValueError:
        return None
    rest = text[10:].strip().removeprefix("T").strip()
    if not rest:
        return day, None
    time = parse_time(rest)
    if time is None:
        return None
    return day, (None if time == dt.time() else time)


@dataclass(frozen=True)
class Field:
    """One column of a table: its name in files, its kind and whether a value is required."""

    name: str
    kind: str = "text"  # text | int | number | date | datetime (a date, perhaps with its time) | time | choice
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
    if f.kind in ("date", "datetime"):
        try:
            day = dt.date.fromisoformat(text[:10])
        except ValueError:
            return None, f'"{text}" är inte ett datum (skriv ÅÅÅÅ-MM-DD)'
        if f.kind == "date":
            return day, None
        found = parse_date_time(text)
        if found is None:
            return None, f'"{text}": klockslaget efter datumet går inte att läsa ({TIME_HINT})'
        return (day if found[1] is None else dt.datetime.combine(day, found[1])), None
    if f.kind == "time":
        time = parse_time(text)
        if time is None:
            return None, f'"{text}" är inte ett klockslag ({TIME_HINT})'
        return time, None
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


# --- column-wise reading: one pass over the file, every column a categorical of its distinct texts ------

@dataclass
class TextTable:
    """A file's data rows column by column, each a categorical of stripped text ("" when empty)."""

    file: str
    header: list[str]
    columns: list[pd.Series]
    rows: np.ndarray  # the row number as Excel shows it, per data row
    title: list[str] = field(default_factory=list)

    def column(self, index: int) -> pd.Series:
        """One column as a categorical of text."""
        return self.columns[index]


def recode(series: pd.Series, mapping, whole: bool = False) -> pd.Series:
    """The categorical with every distinct text passed through mapping (texts that map alike merge).

    With `whole`, mapping takes the list of distinct texts and returns the list of new ones. A text mapped
    to None becomes a missing value.
    """
    texts = [str(c) for c in series.cat.categories]
    old = mapping(texts) if whole else [mapping(t) for t in texts]
    new = list(dict.fromkeys(["", *(o for o in old if o is not None)]))
    position = {text: i for i, text in enumerate(new)}
    position[None] = -1
    lookup = np.array([position[o] for o in old] + [0], dtype=np.int32)
    codes = lookup[series.cat.codes.to_numpy()]  # code -1 (no cell at all) picks the trailing "" entry
    return pd.Series(pd.Categorical.from_codes(codes, categories=pd.Index(new, dtype=object)), index=series.index)


def _clean_text(text: str) -> str:
    return text.replace("\u00a0", " ").strip()


def is_empty(series: pd.Series) -> np.ndarray:
    """Per row: the cell is empty."""
    empty = np.array([c == "" for c in series.cat.categories] + [True])
    return empty[series.cat.codes.to_numpy()]


def per_category(series: pd.Series, function, dtype=object) -> np.ndarray:
    """function applied once per distinct text, spread to every row (code -1 gets function(""))."""
    values = [function(str(c)) for c in series.cat.categories] + [function("")]
    table = np.empty(len(values), dtype=dtype)
    for i, value in enumerate(values):
        table[i] = value
    return table[series.cat.codes.to_numpy()]


def _read_csv_columns(file_name: str, data: bytes, separator: str, encoding: str, header_index: int,
                      width: int) -> pd.DataFrame:
    """The data rows as categoricals, one per header column; rows ending in extra empty cells are accepted."""
    columns = width
    for _ in range(4):
        try:
            frame = pd.read_csv(io.BytesIO(data), sep=separator, header=None, names=range(columns),
                                skiprows=header_index + 1, dtype="category", na_filter=False,
                                skip_blank_lines=False, encoding=encoding, engine="c")
        except pd.errors.ParserError as exc:
            found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
            if not found:
                raise InputError([Problem(file_name, "filen kunde inte läsas som CSV; kontrollera att den är "
                                                     "sparad som CSV med semikolon eller komma mellan kolumnerna")]) from exc
            # Excel and other programs often end every data row with a separator: read the wider row and see.
            columns = int(found.group(3))
            continue
        except (UnicodeDecodeError, ValueError) as exc:
            raise InputError([Problem(file_name, "filen kunde inte läsas som CSV")]) from exc
        extra = [i for i in range(width, columns) if not is_empty(recode(frame[i], _clean_text)).all()]
        if extra:
            position = int(np.flatnonzero(~is_empty(recode(frame[extra[0]], _clean_text)))[0])
            raise InputError([Problem(file_name, f"raden har fler ifyllda celler än rubrikraden har kolumner ({width}); "
                                                 "ta bort de överflödiga cellerna, ge dem en rubrik eller sätt texten "
                                                 "inom citattecken", header_index + 2 + position)])
        return frame[list(range(width))]
    raise InputError([Problem(file_name, f"raderna har olika många kolumner, fler än rubrikradens {width}; kontrollera "
                                         "att filen är sparad som CSV med semikolon eller komma mellan kolumnerna")])


def read_text_table(file_name: str, data: bytes, wanted: set[str], names: dict[str, str]) -> TextTable:
    """A CSV or Excel file read once, column-wise: header found, title rows, blank rows and footnotes set aside."""
    if Path(file_name).suffix.lower() in EXCEL_SUFFIXES:
        rows = raw_rows(file_name, data)
        header_index = find_header(file_name, rows, wanted, names)
        header = rows[header_index]
        width = len(header)
        body = [(row + [""] * width)[:width] for row in rows[header_index + 1:]]
        frame = pd.DataFrame(body, columns=range(width), dtype=object) if body else \
            pd.DataFrame({i: pd.Series([], dtype=object) for i in range(width)})
        frame = frame.astype("category")
    else:
        encoding = file_encoding(file_name, data)
        head = data[:200_000].decode(encoding, errors="ignore")
        separator = sniff_separator(head)
        head_rows = [[_clean_text(c) for c in row] for row in
                     list(csv.reader(io.StringIO(head, newline=""), delimiter=separator))[:30]]
        header_index = find_header(file_name, head_rows, wanted, names)
        header = head_rows[header_index]
        width = len(header)
        frame = _read_csv_columns(file_name, data, separator, encoding, header_index, width)
    title = [" ".join(c for c in row if c) for row in (rows if Path(file_name).suffix.lower() in EXCEL_SUFFIXES
                                                        else head_rows)[:header_index] if any(row)]
    columns = [recode(frame[i], _clean_text) for i in range(width)]
    del frame
    count = len(columns[0]) if columns else 0
    filled = np.zeros((count, max(width, 1)), dtype=bool)
    for i, column in enumerate(columns):
        filled[:, i] = ~is_empty(column)
    blank = ~filled.any(axis=1)
    only_first = filled[:, 0] & ~filled[:, 1:].any(axis=1) & (width > 2) if count else np.zeros(0, dtype=bool)
    footnote = per_category(columns[0], lambda t: bool(FOOTNOTE_START.match(t)), dtype=bool) if count else only_first
    after_blank = np.maximum.accumulate(blank) if count else blank
    keep = ~(blank | (only_first & (after_blank | footnote)))
    rows_shown = np.arange(count, dtype=np.int64) + header_index + 2
    if not keep.all():
        columns = [c[keep].reset_index(drop=True) for c in columns]
        rows_shown = rows_shown[keep]
    return TextTable(file_name, header, columns, rows_shown, title)
