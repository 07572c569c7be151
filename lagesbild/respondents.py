"""Respondent-level extracts: one row per respondent and question, weights when given, aggregated to shares.

An analyst's file of up to a million rows is read column-wise (pyarrow), every text column kept as a
category, and aggregated per chart into the same table the stored results have: share, number of
answers and, for weighted data, the effective number of answers (Kish) that the intervals use.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from .problems import InputError, Problem
from .surveys import ALL, CITY, RESULT_COLUMNS, fold, survey_id, survey_in_text
from .tabular import (EXCEL_SUFFIXES, FOOTNOTE_START, Field, column_names, file_encoding, find_header,
                      normalise_header, parse_number, raw_rows, sniff_separator)

FIELDS = [
    Field("undersökning", required=False),
    Field("år", aliases=("ar", "year", "undersökningsår")),
    Field("område", aliases=("stadsdelsområde", "omrade", "sdo")),
    Field("indikator", aliases=("fråga", "variabel", "indicator")),
    Field("svar", aliases=("svarsalternativ", "answer")),
    Field("vikt", required=False, aliases=("viktfaktor", "weight", "vikter")),
    Field("respondent", required=False, aliases=("löpnummer", "id", "respondentid")),
]
GROUP_FIELDS = [
    Field("kön", required=False, aliases=("kon", "sex")),
    Field("åldersgrupp", required=False, aliases=("ålder", "åldersklass", "alder")),
    Field("årskurs", required=False, aliases=("arskurs", "klass")),
    Field("grupp", required=False),
]
GROUP_COLUMNS = [f.name for f in GROUP_FIELDS]
KEY_COLUMNS = {"år", "område", "indikator", "svar"}
MAX_PROBLEMS_PER_KIND = 5
# An analyst's file of up to a million rows is what the page is made for; a little more is let through.
MAX_ROWS = 1_200_000

SEX = {"kvinna": "Kvinnor", "kvinnor": "Kvinnor", "k": "Kvinnor", "man": "Män", "män": "Män", "m": "Män",
       "flicka": "Flickor", "flickor": "Flickor", "tjej": "Flickor", "pojke": "Pojkar", "pojkar": "Pojkar",
       "kille": "Pojkar"}
GRADE = {"9": "åk 9", "åk 9": "åk 9", "åk9": "åk 9", "årskurs 9": "åk 9",
         "gy 2": "gy 2", "gy2": "gy 2", "gymnasiet år 2": "gy 2", "gymnasiet 2": "gy 2"}
AGE_BANDS = [(0, 17, "under 18 år"), (18, 29, "18–29 år"), (30, 49, "30–49 år"), (50, 64, "50–64 år"),
             (65, 200, "65 år och äldre")]


@dataclass(frozen=True)
class Coding:
    """Which answers count towards the share, which against it; the rest are not in the base."""

    yes: frozenset[str]
    no: frozenset[str]

    @classmethod
    def of(cls, yes: list[str], no: list[str]) -> Coding:
        return cls(frozenset(fold(a) for a in yes), frozenset(fold(a) for a in no))


PUPILS_SAFE = ["Mycket trygg", "Ganska trygg"]
PUPILS_UNSAFE = ["Ganska otrygg", "Mycket otrygg", "Går inte ut på kvällen av oro för att utsättas för brott"]
# The definitions in data/indikatorer.csv, as answer codings.
CODINGS = {
    ("medborgarundersokningen", "trygg_kvall"): Coding.of(
        ["Instämmer helt", "Instämmer till stor del"], ["Instämmer till viss del", "Instämmer inte alls"]),
    ("stockholmsenkaten", "trygg_ute_sent"): Coding.of(PUPILS_SAFE, [*PUPILS_UNSAFE, "Vet inte"]),
    ("stockholmsenkaten", "otrygg_ute_sent"): Coding.of(PUPILS_UNSAFE, [*PUPILS_SAFE, "Vet inte"]),
    ("stockholmsenkaten", "roker"): Coding.of(
        ["Ja, ibland men inte varje dag", "Ja, dagligen"],
        ["Nej, jag har aldrig rökt", "Nej, jag har bara provat", "Nej, jag har slutat"]),
}
# Already coded answers are accepted for every indicator.
CODED = Coding.of(["1", "ja", "j"], ["0", "nej", "n"])
# Answers outside the base of the share ("Ingen uppfattning" per the definition).
NOT_IN_BASE = {fold(a) for a in ("Ingen uppfattning", "Vill inte svara", "Ej svar", "Uppgift saknas", "..")}


@dataclass
class RespondentExtract:
    """A validated respondent-level file, ready to aggregate; the rows never leave the session."""

    file: str
    frame: pd.DataFrame  # survey, year, area, indicator (categories), value 0/1, weight?, group columns
    groups: list[str]  # the group columns present
    weighted: bool
    rows: int  # data rows in the file
    not_in_base: int  # answers outside the share's base (no answer, "Ingen uppfattning")
    pairs: list[tuple[str, str]] = field(default_factory=list)  # (survey, indicator) present

    def summary(self) -> dict[str, object]:
        """What the analyst checks first: rows, answers counted, weights, surveys, indicators, years, areas."""
        f = self.frame
        return {"rader": self.rows, "svar som räknas": len(f), "svar utanför basen": self.not_in_base,
                "viktad": self.weighted, "indikatorer": [f"{s}/{i}" for s, i in self.pairs],
                "år": sorted(int(y) for y in f["year"].unique()),
                "områden": sorted(str(a) for a in f["area"].cat.categories), "grupper": self.groups}


# --------------------------------------------------------------------------- reading

def _text(file_name: str, data: bytes) -> tuple[str, str]:
    """The one encoding every row is written in (InputError naming rows that differ) and the start as text."""
    encoding = file_encoding(file_name, data)
    head = data[:70_000].decode(encoding, errors="ignore")
    return ("utf-8" if encoding == "utf-8-sig" else encoding), head


def _check_size(file_name: str, data: bytes) -> None:
    """Refuse a file with more rows than MAX_ROWS before it is read: Parquet by its metadata, CSV by its lines."""
    suffix = Path(file_name).suffix.lower()
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        try:
            rows = pq.ParquetFile(io.BytesIO(data)).metadata.num_rows
        except Exception as exc:  # pyarrow raises several kinds for a broken file
            raise InputError([Problem(file_name, "filen kunde inte läsas som Parquet: den är skadad eller inte en "
                                                 "Parquet-fil")]) from exc
    elif suffix in EXCEL_SUFFIXES:
        return  # the workbook's unpacked size is checked before it is opened, and a sheet holds at most 1 048 576 rows
    else:
        rows = data.count(b"\n") - 100  # title rows and footnotes do not count against the limit
    if rows > MAX_ROWS:
        raise InputError([Problem(file_name, f"filen har {rows:,} rader; högst {MAX_ROWS:,} rader tas emot. Dela upp "
                                             "filen, till exempel per år".replace(",", "\u00a0"))])


def _csv_frame(file_name: str, data: bytes) -> tuple[pd.DataFrame, pa.ChunkedArray | None, list[str], int, list[Problem]]:
    """The CSV's columns as categories and the weights as text; also its title rows and first data row."""
    encoding, head = _text(file_name, data)
    separator = sniff_separator(head)
    rows = list(csv.reader(io.StringIO(head, newline=""), delimiter=separator))[:30]
    names = column_names(FIELDS + GROUP_FIELDS)
    header_index = find_header(file_name, rows, KEY_COLUMNS, names)
    header = [cell.replace("\u00a0", " ").strip() for cell in rows[header_index]]
    wanted = {h: names[normalise_header(h)] for h in header if normalise_header(h) in names}
    wanted = {h: n for h, n in wanted.items() if n != "respondent"}
    title = [" ".join(c for c in row if c) for row in rows[:header_index] if any(row)]
    problems: list[Problem] = []

    def bad_row(row) -> str:
        text = (row.text or "").strip().strip(separator).strip()
        if text and not FOOTNOTE_START.match(text):
            problems.append(Problem(file_name, f"raden har {row.actual_columns} kolumner, rubrikraden har "
                                               f"{row.expected_columns}", row.number))
        return "skip"

    types = {h: (pa.string() if n == "vikt" else pa.dictionary(pa.int32(), pa.string())) for h, n in wanted.items()}

    def read(threads: bool, encoding: str) -> pa.Table:
        # pyarrow transcodes Windows-1252 block by block: no second copy of the whole file in memory.
        return pacsv.read_csv(
            io.BytesIO(data),
            read_options=pacsv.ReadOptions(skip_rows=header_index, block_size=8 << 20, use_threads=threads,
                                           encoding=encoding),
            parse_options=pacsv.ParseOptions(delimiter=separator, invalid_row_handler=bad_row),
            convert_options=pacsv.ConvertOptions(column_types=types, include_columns=list(wanted),
                                                 strings_can_be_null=True, null_values=[""]))

    try:
        try:
            table = read(True, encoding)
        except pa.ArrowInvalid as exc:
            if encoding != "utf-8" or "UTF8" not in str(exc):
                raise
            # The start looked like UTF-8 but a later line is Windows-1252.
            problems.clear()
            encoding = "cp1252"
            table = read(True, encoding)
        if problems:
            # Only a single-threaded read knows the line numbers of broken rows; it is done only then.
            problems.clear()
            read(False, encoding)
    except (pa.ArrowInvalid, pa.ArrowKeyError) as exc:
        raise InputError([Problem(file_name, f"filen kunde inte läsas som CSV ({exc})")]) from exc
    weights = None
    columns = {}
    for header_name, name in wanted.items():
        if name == "vikt":
            weights = table[header_name]
        else:
            columns[name] = table[header_name].unify_dictionaries().to_pandas()
    return pd.DataFrame(columns), weights, title, header_index + 2, problems


def _parquet_frame(file_name: str, data: bytes) -> tuple[pd.DataFrame, pa.Array | None, list[str], int, list[Problem]]:
    """A Parquet file as the same frame of categories, and its weights."""
    import pyarrow.parquet as pq

    names = column_names(FIELDS + GROUP_FIELDS)
    try:
        schema = pq.read_schema(io.BytesIO(data))
        text = [f.name for f in schema if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)]
        # Text columns arrive dictionary-encoded, so they become categories without a string per row.
        table = pq.read_table(io.BytesIO(data), read_dictionary=text)
    except Exception as exc:  # pyarrow raises several kinds for a broken file
        raise InputError([Problem(file_name, f"filen kunde inte läsas som Parquet ({exc})")]) from exc
    missing = KEY_COLUMNS - {names.get(normalise_header(c)) for c in table.column_names}
    if missing:
        raise InputError([Problem(file_name, f'kolumnen "{m}" saknas') for m in sorted(missing)])
    columns, weights = {}, None
    for c in table.column_names:
        name, column = names.get(normalise_header(c)), table[c]
        if name is None or name == "respondent":
            continue
        if name == "vikt":
            numeric = pa.types.is_floating(column.type) or pa.types.is_integer(column.type)
            weights = column if numeric else pc.cast(column, pa.string())
            continue
        columns[name] = _categories(column.to_pandas())
    return pd.DataFrame(columns), weights, [], 2, []


def _excel_frame(file_name: str, data: bytes) -> tuple[pd.DataFrame, pa.Array | None, list[str], int, list[Problem]]:
    """An Excel sheet (title rows and footnotes skipped) as the same frame of categories, and its weights."""
    names = column_names(FIELDS + GROUP_FIELDS)
    rows = raw_rows(file_name, data)
    header_index = find_header(file_name, rows, KEY_COLUMNS, names)
    width = len(rows[header_index])
    body = [(r + [""] * width)[:width] for r in rows[header_index + 1:]]
    body = [r for r in body if any(r) and not (FOOTNOTE_START.match(r[0]) and not any(r[1:]))]
    raw = pd.DataFrame(body, columns=rows[header_index], dtype=object).replace("", None)
    title = [" ".join(c for c in row if c) for row in rows[:header_index] if any(row)]
    columns, weights = {}, None
    for c in raw.columns:
        name = names.get(normalise_header(c))
        if name is None or name == "respondent":
            continue
        if name == "vikt":
            weights = pa.array(raw[c].to_list(), type=pa.string())
            continue
        columns[name] = _categories(raw[c])
    return pd.DataFrame(columns), weights, title, header_index + 2, []


def _categories(values: pd.Series) -> pd.Series:
    """A column as a categorical of text; numbers (a year stored as 2016 or 2016.0) become their text."""
    categories = values if isinstance(values.dtype, pd.CategoricalDtype) else values.astype("category")
    return categories.cat.rename_categories([_as_text(v) for v in categories.cat.categories])


def _as_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class _Problems:
    """Problems found column-wise, at most a few rows of each kind named, the rest counted."""

    def __init__(self, file: str, first_row: int):
        self.file, self.first_row, self.items = file, first_row, []

    def rows(self, mask: np.ndarray, column: str, message) -> None:
        positions = np.flatnonzero(mask)
        for position in positions[:MAX_PROBLEMS_PER_KIND]:
            text = message(int(position)) if callable(message) else message
            self.items.append(Problem(self.file, text, self.first_row + int(position), column))
        if len(positions) > MAX_PROBLEMS_PER_KIND:
            rest = len(positions) - MAX_PROBLEMS_PER_KIND
            self.items.append(Problem(self.file, f"ytterligare {rest:,} rader har samma slags fel".replace(",", "\u00a0"),
                                      None, column))


def _category_values(series: pd.Series, parse) -> tuple[np.ndarray, np.ndarray]:
    """Parse each distinct value once: (value per row, row is invalid)."""
    categories = series.cat.categories
    parsed = [parse(str(c)) for c in categories]
    values = np.array([p if p is not None else np.nan for p in parsed] + [np.nan], dtype=float)
    codes = series.cat.codes.to_numpy()
    result = values[codes]  # code -1 (empty) picks the trailing NaN
    invalid_category = np.array([p is None for p in parsed] + [False])
    return result, invalid_category[codes]


def _recode(series: pd.Series, mapping) -> pd.Series:
    """A categorical with every category passed through mapping (several may merge)."""
    old = [mapping(str(c)) for c in series.cat.categories]
    new = list(dict.fromkeys(old))
    lookup = np.array([new.index(o) for o in old] + [-1], dtype=np.int32)
    codes = lookup[series.cat.codes.to_numpy()]
    return pd.Series(pd.Categorical.from_codes(codes, categories=new), index=series.index)


def _year(text: str) -> int | None:
    try:
        value = parse_number(text)
    except ValueError:
        return None
    return int(value) if value.is_integer() and 1900 <= value <= 2100 else None


def _age_band(text: str) -> str:
    try:
        age = parse_number(text)
    except ValueError:
        return re.sub(r"(\d)\s*[-‐–]\s*(\d)", r"\1–\2", text.strip())
    return next(label for low, high, label in AGE_BANDS if low <= age <= high)


def _group_value(column: str):
    if column == "kön":
        return lambda text: SEX.get(text.strip().casefold(), text.strip())
    if column == "årskurs":
        return lambda text: GRADE.get(text.strip().casefold(), text.strip())
    if column == "åldersgrupp":
        return _age_band
    return lambda text: text.strip()


def _weights(column: pa.Array | pa.ChunkedArray, present: np.ndarray, problems: _Problems) -> np.ndarray:
    """The weight column as floats; problems for text, empty cells and weights that are not above 0."""
    empty = np.asarray(pc.is_null(column).to_numpy(zero_copy_only=False), dtype=bool)
    if pa.types.is_floating(column.type) or pa.types.is_integer(column.type):
        weights = np.asarray(pc.cast(column, pa.float64()).to_numpy(zero_copy_only=False), dtype=float)
        empty |= np.isnan(weights)
    else:
        cleaned = pc.replace_substring(pc.replace_substring(pc.utf8_trim_whitespace(column), ",", "."), "\u00a0", "")
        try:
            weights = np.asarray(pc.cast(cleaned, pa.float64()).to_numpy(zero_copy_only=False), dtype=float)
        except pa.ArrowInvalid:
            weights = pd.to_numeric(pd.Series(cleaned.to_pylist(), dtype=object), errors="coerce").to_numpy(float)
            text = column.to_pylist()
            problems.rows(np.isnan(weights) & ~empty & present, "vikt", lambda i: f'"{text[i]}" är inte ett tal')
    problems.rows(empty & present, "vikt", "värde saknas")
    problems.rows(~np.isnan(weights) & (weights <= 0) & present, "vikt", "vikten måste vara större än 0")
    return weights


def read_respondents(file_name: str, data: bytes) -> RespondentExtract:
    """Validate a respondent-level file (CSV, Excel or Parquet); raises InputError listing every problem."""
    _check_size(file_name, data)
    suffix = Path(file_name).suffix.lower()
    if suffix == ".parquet":
        frame, raw_weights, title, first_row, found = _parquet_frame(file_name, data)
    elif suffix in EXCEL_SUFFIXES:
        frame, raw_weights, title, first_row, found = _excel_frame(file_name, data)
    else:
        frame, raw_weights, title, first_row, found = _csv_frame(file_name, data)
    problems = _Problems(file_name, first_row)
    problems.items += found
    rows = len(frame)
    if rows == 0:
        raise InputError([Problem(file_name, "filen har en rubrikrad men inga datarader")])

    # Trailing lines with only a footnote in the first column are not respondents.
    filled = np.zeros(rows, dtype=bool)
    for name in KEY_COLUMNS:
        filled |= frame[name].cat.codes.to_numpy() >= 0
    present = filled

    year, bad_year = _category_values(frame["år"], _year)
    problems.rows(bad_year & present, "år", lambda i: f'"{frame["år"].iloc[i]}" är inte ett år (1900–2100)')
    for name in ("år", "område", "indikator"):
        problems.rows((frame[name].cat.codes.to_numpy() < 0) & present, name, "värde saknas")

    default = survey_in_text(" ".join(title)) or survey_in_text(file_name)
    if "undersökning" in frame:
        surveys = _recode(frame["undersökning"], lambda text: survey_id(text) or f"?{text}")
        unknown = np.array([str(c).startswith("?") for c in surveys.cat.categories] + [False])
        codes = surveys.cat.codes.to_numpy()
        problems.rows(unknown[codes] & present, "undersökning",
                      lambda i: f'okänd undersökning "{frame["undersökning"].iloc[i]}"')
        if default is None:
            problems.rows((codes < 0) & present, "undersökning", "värde saknas")
        else:
            surveys = surveys.cat.add_categories([default]).fillna(default) if default not in surveys.cat.categories \
                else surveys.fillna(default)
    elif default is not None:
        surveys = pd.Series(pd.Categorical.from_codes(np.zeros(rows, dtype=np.int8), [default]), index=frame.index)
    else:
        surveys = None
        problems.items.append(Problem(file_name, 'undersökningen framgår inte; lägg till kolumnen "undersökning" '
                                                 "eller skriv undersökningens namn i filnamnet"))

    value = np.full(rows, np.nan)
    if surveys is not None:
        value = _answer_values(frame, surveys, present, problems)
    weights = None if raw_weights is None else _weights(raw_weights, present, problems)

    if problems.items:
        raise InputError(problems.items)

    keep = present & ~np.isnan(value)
    result = pd.DataFrame({
        "survey": surveys[keep].cat.remove_unused_categories().array,
        "year": year[keep].astype(np.int16),
        "area": _recode(frame["område"], str.strip)[keep].cat.remove_unused_categories().array,
        "indicator": _recode(frame["indikator"], str.strip)[keep].cat.remove_unused_categories().array,
        "value": value[keep].astype(np.int8),
    })
    if weights is not None:
        result["weight"] = weights[keep].astype(np.float32)
    groups = []
    for name in GROUP_COLUMNS:
        if name in frame:
            result[name] = _recode(frame[name], _group_value(name))[keep].array
            groups.append(name)
    counts = result.groupby(["survey", "indicator"], observed=True).size()
    pairs = sorted((str(s), str(i)) for s, i in counts.index)
    return RespondentExtract(file_name, result.reset_index(drop=True), groups, weights is not None,
                             int(present.sum()), int((present & np.isnan(value)).sum()), pairs)


def _answer_values(frame: pd.DataFrame, surveys: pd.Series, present: np.ndarray, problems: _Problems) -> np.ndarray:
    """1 for an answer that counts towards the share, 0 against, NaN outside the base; problems for the rest."""
    s_codes = surveys.cat.codes.to_numpy().astype(np.int64)
    i_codes = frame["indikator"].cat.codes.to_numpy().astype(np.int64)
    a_codes = frame["svar"].cat.codes.to_numpy().astype(np.int64)
    n_i, n_a = len(frame["indikator"].cat.categories) + 1, len(frame["svar"].cat.categories) + 1
    key = ((s_codes + 1) * n_i + (i_codes + 1)) * n_a + (a_codes + 1)
    # Few distinct (survey, indicator, answer) keys: decide each once, then look every row up.
    size = (len(surveys.cat.categories) + 1) * n_i * n_a
    unique = np.flatnonzero(np.bincount(key, minlength=size))
    s_names = list(surveys.cat.categories)
    i_names = [str(c).strip() for c in frame["indikator"].cat.categories]
    a_names = [str(c) for c in frame["svar"].cat.categories]
    values = np.full(len(unique), np.nan)
    unknown = np.zeros(len(unique), dtype=bool)
    messages = {}
    for position, k in enumerate(unique):
        rest, a = divmod(int(k), n_a)
        s, i = divmod(rest, n_i)
        if a == 0 or s == 0 or i == 0 or s_names[s - 1].startswith("?"):
            continue  # an empty answer is outside the base; empty keys and unknown surveys are reported elsewhere
        answer = fold(a_names[a - 1])
        coding = CODINGS.get((s_names[s - 1], i_names[i - 1]))
        if answer in NOT_IN_BASE:
            continue
        for c in (coding, CODED):
            if c is not None and answer in c.yes:
                values[position] = 1
                break
            if c is not None and answer in c.no:
                values[position] = 0
                break
        else:
            unknown[position] = True
            known = "1/0 eller ja/nej" if coding is None else "svarsalternativen i indikatorns definition"
            messages[position] = (f'svaret "{a_names[a - 1]}" kan inte räknas för indikatorn "{i_names[i - 1]}" '
                                  f"(förväntat: {known})")
    dense_values, dense_unknown = np.full(size, np.nan), np.zeros(size, dtype=bool)
    dense_values[unique], dense_unknown[unique] = values, unknown
    position_of = {int(k): position for position, k in enumerate(unique)}
    problems.rows(dense_unknown[key] & present, "svar", lambda row: messages[position_of[int(key[row])]])
    return dense_values[key]


# --------------------------------------------------------------------------- aggregation

def _group_specs(groups: list[str]) -> list[list[str]]:
    specs = [[]] + [[g] for g in groups]
    if "kön" in groups and "årskurs" in groups:
        specs.append(["kön", "årskurs"])
    return specs


def aggregate(extract: RespondentExtract, survey: str, indicator: str) -> pd.DataFrame:
    """Shares, answers (n) and effective answers (n_eff) per year, area and group, and for the whole file."""
    f = extract.frame
    columns = [*RESULT_COLUMNS, "n_eff", "is_example"]
    surveys, indicators = f["survey"].cat, f["indicator"].cat
    if survey not in surveys.categories or indicator not in indicators.categories:
        return pd.DataFrame(columns=columns)
    # Work on the integer codes of the chosen rows only: no copy of the whole frame.
    mask = ((surveys.codes.to_numpy() == surveys.categories.get_loc(survey))
            & (indicators.codes.to_numpy() == indicators.categories.get_loc(indicator)))
    rows = np.flatnonzero(mask)
    if len(rows) == 0:
        return pd.DataFrame(columns=columns)
    weight = f["weight"].to_numpy()[rows].astype(float) if extract.weighted else np.ones(len(rows))
    weighted_value = weight * f["value"].to_numpy()[rows]
    squared = weight * weight
    year = f["year"].to_numpy()[rows].astype(np.int64)
    first_year = int(year.min())
    year_index, year_count = year - first_year, int(year.max()) - first_year + 1
    area_codes = f["area"].cat.codes.to_numpy()[rows].astype(np.int64)
    area_names = [str(c) for c in f["area"].cat.categories]
    present = {area_names[a] for a in np.flatnonzero(np.bincount(area_codes, minlength=len(area_names)))}
    # The whole file stands for the city when it holds several areas and no city rows of its own.
    with_city = len(present) > 1 and CITY not in present
    # One pass over the rows: every sum lands in a dense cube year × area × each group column (with a
    # last slot for "no answer to the group question"); every chart cell is then a sum over the cube.
    shape = [year_count, len(area_names)]
    key = year_index * len(area_names) + area_codes
    group_names = {}
    for g in extract.groups:
        names = [str(c) for c in f[g].cat.categories]
        codes = f[g].cat.codes.to_numpy()[rows].astype(np.int64)
        key = key * (len(names) + 1) + np.where(codes < 0, len(names), codes)
        shape.append(len(names) + 1)
        group_names[g] = names
    size = int(np.prod(shape))
    cube = {name: np.bincount(key, weights=values, minlength=size).reshape(shape)
            for name, values in (("w", weight), ("wy", weighted_value), ("w2", squared))}
    cube["n"] = np.bincount(key, minlength=size).reshape(shape)
    parts = []
    for spec in _group_specs(extract.groups):
        other = tuple(2 + j for j, g in enumerate(extract.groups) if g not in spec)
        kept = tuple(slice(None) if g not in spec else slice(0, -1) for g in extract.groups if g in spec)
        for city in (False, True) if with_city else (False,):
            sums = {}
            for name, values in cube.items():
                values = values.sum(axis=other) if other else values
                values = values[(slice(None), slice(None), *kept)]
                sums[name] = values.sum(axis=1, keepdims=True) if city else values
            cells = np.flatnonzero(sums["n"])
            index = np.unravel_index(cells, sums["n"].shape)
            group = [ALL] * len(cells) if not spec else [" ".join(parts) for parts in zip(
                *([group_names[g][i] for i in idx] for g, idx in zip(spec, index[2:])))]
            parts.append(pd.DataFrame({
                "year": index[0] + first_year, "area": [CITY] * len(cells) if city else [area_names[i] for i in index[1]],
                "grp": group, **{name: values.ravel()[cells] for name, values in sums.items()}}))
    cells = pd.concat(parts, ignore_index=True)
    result = pd.DataFrame({
        "survey": survey, "year": cells["year"].astype(int), "area": cells["area"], "grp": cells["grp"],
        "indicator": indicator, "share": 100 * cells["wy"] / cells["w"], "missing": None,
        "n": cells["n"].astype("Int64"), "note": "", "n_eff": cells["w"] ** 2 / cells["w2"], "is_example": False})
    return result.sort_values(["area", "grp", "year"], ignore_index=True)[columns]


# --------------------------------------------------------------------------- synthetic extracts

DISTRICTS = ("Rinkeby-Kista", "Spånga-Tensta", "Hässelby-Vällingby", "Bromma", "Kungsholmen", "Norrmalm",
             "Östermalm", "Södermalm", "Enskede-Årsta-Vantör", "Skarpnäck", "Farsta", "Älvsjö",
             "Hägersten-Liljeholmen", "Skärholmen")
MU_ANSWERS = ("Instämmer helt", "Instämmer till stor del", "Instämmer till viss del", "Instämmer inte alls",
              "Ingen uppfattning")


def synthetic_respondents(rows: int, seed: int = 20161214, weighted: bool = True) -> pd.DataFrame:
    """An invented Medborgarundersökningen extract in file layout (for tests, demos and benchmarks)."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({
        "löpnummer": np.arange(1, rows + 1),
        "undersökning": "Medborgarundersökningen",
        "år": rng.integers(2011, 2017, rows),
        "område": np.array(DISTRICTS)[rng.integers(0, len(DISTRICTS), rows)],
        "kön": np.array(["Kvinna", "Man"])[rng.integers(0, 2, rows)],
        "åldersgrupp": np.array(["18–29 år", "30–49 år", "50–64 år", "65 år och äldre"])[rng.integers(0, 4, rows)],
        "indikator": np.where(rng.random(rows) < 0.8, "trygg_kvall", "trygg_park"),
    })
    safe = rng.random(rows) < np.where(frame["kön"] == "Kvinna", 0.6, 0.72)
    text = np.where(safe, np.array(MU_ANSWERS[:2])[rng.integers(0, 2, rows)],
                    np.array(MU_ANSWERS[2:])[rng.integers(0, 3, rows)])
    frame["svar"] = np.where(frame["indikator"] == "trygg_kvall", text, np.where(safe, "ja", "nej"))
    if weighted:
        frame["vikt"] = [f"{w:.4f}".replace(".", ",") for w in rng.uniform(0.5, 2.5, rows)]
    return frame


def excel_csv(frame: pd.DataFrame) -> bytes:
    """A frame as Swedish Excel saves "CSV (semikolonavgränsad)": ';' and Windows-1252."""
    return frame.to_csv(sep=";", index=False, lineterminator="\r\n").encode("cp1252")
