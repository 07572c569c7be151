"""Survey results: which surveys exist, reading extracts (long or wide), storing and loading them."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from sqlalchemy import Engine, delete, insert, select, tuple_

from . import audit, db, schema
from .audit import Actor
from .privacy import personal_data
from .problems import InputError, Problem
from .tabular import (MAX_NAMED_ROWS, Field, TextTable, column_names, is_empty, missing_marker, normalise_header,
                      parse_cell, per_category, read_table, read_text_table, recode)


@dataclass(frozen=True)
class Survey:
    """A survey the council follows."""

    id: str
    name: str
    population: str
    frequency: str


SURVEYS = [
    Survey("medborgarundersokningen", "Medborgarundersökningen", "vuxna 18 år och äldre", "varje år (ingen 2020)"),
    Survey("stockholmsenkaten", "Stockholmsenkäten", "elever i årskurs 9 och gymnasiet år 2", "jämna år"),
    Survey("trygghetsmatningen", "Trygghetsmätningen", "16–79 år", "vart tredje år"),
    Survey("ntu", "Nationella trygghetsundersökningen (NTU)", "16–84 år", "varje år"),
]
SURVEY_BY_ID = {s.id: s for s in SURVEYS}

CITY = "Hela staden"
ALL = "Alla"

RESULT_COLUMNS = [c.name for c in schema.SURVEY_RESULT.loaded() if not c.primary_key]


def fold(text: str) -> str:
    """Lower-case ASCII form used to recognise names regardless of å, ä, ö and spacing."""
    text = unicodedata.normalize("NFKD", text.casefold())
    return re.sub(r"[^a-z0-9]", "", text.encode("ascii", "ignore").decode())


def survey_id(name: str) -> str | None:
    """The id of a known survey from its id or name as written in a file."""
    key = fold(name)
    for s in SURVEYS:
        if key in (fold(s.id), fold(s.name), fold(s.name.split(" (")[0])):
            return s.id
    return None


def survey_in_text(text: str) -> str | None:
    """The known survey a title row or file name speaks of, if exactly one."""
    key = fold(text)
    found = {s.id for s in SURVEYS if fold(s.name.split(" (")[0]) in key or fold(s.id) in key}
    return found.pop() if len(found) == 1 else None


LONG_FIELDS = schema.SURVEY_RESULT.fields()
KEY_COLUMNS = {"område", "grupp", "indikator"}
# A year column, perhaps marked: "2016", "2015*", "2016 (prel.)", "2016 prel", "2016p".
YEAR_HEADER = re.compile(r"^((?:19|20)\d\d)\s*(\*+|\(.*\)|prel\.?|preliminär|p)?$", re.IGNORECASE)
PRELIMINARY = re.compile(r"prel|^\(?p\)?$", re.IGNORECASE)
SCALES = ("procent", "bråk")


def year_header(header: str) -> tuple[int, str] | None:
    """The year of a wide table's column and its marker ("" when unmarked), or None for another column."""
    found = YEAR_HEADER.match(header.replace("\u00a0", " ").strip())
    if not found:
        return None
    return int(found.group(1)), (found.group(2) or "").strip()


def marker_note(header: str, marker: str) -> str:
    """The note every value of a marked year column carries."""
    if PRELIMINARY.search(marker):
        return f'preliminär uppgift (kolumnen "{header}")'
    return f'markerad {marker} i kolumnrubriken "{header}"'


# --- recognising names: the same area, group or indicator however a file spells it -----------------------

CITY_KEYS = {"helastaden", "stockholmsstad", "stockholm", "stockholmskommun", "0180", "helastockholm",
             "staden", "stockholmstotalt"}
ALL_KEYS = {"alla", "totalt", "total", "samtliga", "bådakönen", "allasvarande", "samtligasvarande"}
REGION_CODE = re.compile(r"^\d{4}\s+(?=\S)")
AREA_SUFFIX = re.compile(r"\s*\b(sdf|sdn|sdo|stadsdelsförvaltning|stadsdelsnämnd|stadsdelsområde|stadsdel)$",
                         re.IGNORECASE)


def name_key(text: str) -> str:
    """The comparable form of a name: case, spaces, underscores, hyphens and dashes do not matter."""
    return re.sub(r"[\s_\-\u2010-\u2015.]+", "", unicodedata.normalize("NFC", text).casefold())


@dataclass(frozen=True)
class KnownNames:
    """The areas, groups and indicators already stored, which a file's spellings are matched to."""

    areas: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    indicators: tuple[str, ...] = ()


def default_known() -> KnownNames:
    """The names every installation knows: Stockholm's stadsdelsområden, the city and "Alla"."""
    from .areas import AREA_CHANGES, SDO_2007

    return KnownNames(areas=(*SDO_2007, *(c.after for c in AREA_CHANGES), CITY), groups=(ALL,))


def known_names(engine: Engine) -> KnownNames:
    """The stored names plus the default ones, for matching and for listing what is new."""
    t = db.survey_result
    with engine.connect() as conn:
        stored_areas = [a for (a,) in conn.execute(select(t.c.area).distinct())]
        stored_groups = [g for (g,) in conn.execute(select(t.c.grp).distinct())]
        stored_indicators = [i for (i,) in conn.execute(select(db.survey_indicator.c.indicator).distinct())]
    base = default_known()
    return KnownNames(tuple(dict.fromkeys([*base.areas, *stored_areas])),
                      tuple(dict.fromkeys([*base.groups, *stored_groups])), tuple(dict.fromkeys(stored_indicators)))


def canonical_names(kind: str, known: tuple[str, ...], texts: list[str]) -> list[str]:
    """Each text as the known name it spells ("area", "group" or "indicator"); new names as their best spelling."""
    by_key = {name_key(n): n for n in known}

    def candidates(text: str) -> list[str]:
        keys = [name_key(text)]
        if kind == "area":
            without_code = REGION_CODE.sub("", text)
            stripped = AREA_SUFFIX.sub("", without_code).strip()
            keys += [name_key(without_code), name_key(stripped)]
            if stripped.casefold().endswith("s") and stripped != without_code:
                keys.append(name_key(stripped[:-1]))  # "Norrmalms stadsdelsförvaltning"
        return keys

    def match(text: str) -> str | None:
        for key in candidates(text):
            if kind == "area" and key in CITY_KEYS:
                return CITY
            if kind == "group" and key in ALL_KEYS:
                return ALL
            if key in by_key:
                return by_key[key]
        return None

    cleaned = [re.sub(r"\s+", " ", t).strip() for t in texts]
    matched = [match(t) if t else t for t in cleaned]
    # A new name spelt several ways is written the way most like a name: not all capitals, not all small.
    spellings: dict[str, list[str]] = {}
    for text, found in zip(cleaned, matched):
        if found is None:
            spellings.setdefault(name_key(text), []).append(text)
    best = {key: min(options, key=lambda t: (t.isupper(), t.islower(), t)) for key, options in spellings.items()}
    return [found if found is not None else best[name_key(text)] for text, found in zip(cleaned, matched)]


# --- reading: the file once, each column checked as a whole ------------------------------------------

@dataclass
class SurveyExtract:
    """A validated survey file: its results and what the analyst should know about it."""

    file: str
    results: pd.DataFrame  # RESULT_COLUMNS plus `rad`
    layout: str  # "lång" or "bred"
    title: list[str] = field(default_factory=list)
    new_names: dict[str, list[str]] = field(default_factory=dict)  # "områden", "grupper", "indikatorer"

    def summary(self) -> dict[str, object]:
        """Counts an analyst checks before importing: rows, surveys, years, areas, groups, missing."""
        r = self.results
        missing = r.loc[r["missing"].notna(), "missing"].value_counts()
        return {
            "rader": len(r),
            "undersökningar": sorted(SURVEY_BY_ID[s].name for s in r["survey"].unique()),
            "år": sorted(int(y) for y in r["year"].unique()),
            "områden": sorted(str(a) for a in r["area"].unique()),
            "grupper": sorted(str(g) for g in r["grp"].unique()),
            "indikatorer": sorted(str(i) for i in r["indicator"].unique()),
            "saknade värden": {str(marker): int(count) for marker, count in missing.items() if count},
            "saknat antal svar": int(r["n"].isna().sum()),
        }


class _Problems:
    """Problems found column by column: the first rows of each kind named, the rest counted."""

    def __init__(self, file: str):
        self.file, self.items = file, []

    def rows(self, rows: np.ndarray, mask: np.ndarray, column: str, messages: np.ndarray | str) -> None:
        positions = np.flatnonzero(mask)
        for position in positions[:MAX_NAMED_ROWS]:
            message = messages if isinstance(messages, str) else messages[position]
            self.items.append(Problem(self.file, message, int(rows[position]), column))
        if len(positions) > MAX_NAMED_ROWS:
            self.items.append(Problem(self.file, f"ytterligare {len(positions) - MAX_NAMED_ROWS} rader har samma "
                                                 "slags fel", None, column))


def read_extract(file_name: str, data: bytes, survey: str | None = None, *, scale: str | None = None,
                 known: KnownNames | None = None) -> SurveyExtract:
    """Validate a survey extract (CSV or Excel, long or wide); raises InputError listing every problem.

    `scale` is "procent" or "bråk" when the user has said how shares are written; without it, a file
    whose shares are all at most 1 is refused. Names are matched to `known` (or the default ones).
    """
    names = column_names(LONG_FIELDS)
    table = read_text_table(file_name, data, KEY_COLUMNS, names)
    positions = {names[normalise_header(h)]: i for i, h in enumerate(table.header)
                 if normalise_header(h) in names and year_header(h) is None}
    years = [(i, *year_header(h)) for i, h in enumerate(table.header) if year_header(h) is not None]
    is_wide = "år" not in positions and bool(years)
    default_survey = survey or survey_in_text(" ".join(table.title)) or survey_in_text(file_name)
    problems = _Problems(table.file)
    required = [f.name for f in LONG_FIELDS if f.required and not (is_wide and f.name in ("år", "andel", "antal_svar"))]
    missing_columns = [Problem(file_name, f'kolumnen "{name}" saknas') for name in required if name not in positions]
    if missing_columns:
        raise InputError(missing_columns)
    known = known or default_known()
    rows = table.rows
    base = {"survey": _surveys(table, positions, default_survey, problems)}
    for name, key, kind, names_known in (("område", "area", "area", known.areas), ("grupp", "grp", "group", known.groups),
                                         ("indikator", "indicator", "indicator", known.indicators)):
        column = recode(table.column(positions[name]), lambda texts, k=kind, n=names_known: canonical_names(k, n, texts),
                        whole=True)
        problems.rows(rows, is_empty(column), name, "värde saknas")
        base[key] = column
    note = table.column(positions["anmärkning"]) if "anmärkning" in positions else None
    if note is not None:
        reasons = per_category(note, lambda t: "; ".join(personal_data(t)) or None)
        problems.rows(rows, pd.notna(reasons), "anmärkning", reasons)
    if is_wide:
        frame = _wide(table, base, note, years, problems)
    else:
        frame = _long(table, base, note, positions, problems)
    _check_scale(file_name, frame, scale, problems)
    _duplicates(frame, problems)
    if problems.items:
        raise InputError(problems.items)
    if frame.empty:
        raise InputError([Problem(file_name, "filen har en rubrikrad men inga datarader")])
    frame["year"] = frame["year"].astype(np.int64)
    new_names = {label: sorted({str(v) for v in frame[key].unique()} - set(names_known))
                 for label, key, names_known in (("områden", "area", known.areas), ("grupper", "grp", known.groups),
                                                 ("indikatorer", "indicator", known.indicators))}
    return SurveyExtract(file_name, frame, "bred" if is_wide else "lång", table.title, new_names)


def _surveys(table: TextTable, positions: dict[str, int], default: str | None, problems: _Problems) -> pd.Series:
    known = ", ".join(s.name for s in SURVEYS)
    count = len(table.rows)
    if "undersökning" in positions:
        column = table.column(positions["undersökning"])
        ids = per_category(column, lambda t: survey_id(t) if t else default)
        messages = per_category(column, lambda t: f'okänd undersökning "{t}" (kända: {known})' if t else
                                "undersökningen framgår inte; lägg till kolumnen \"undersökning\" eller välj "
                                "undersökning vid importen")
    else:
        ids = np.full(count, default, dtype=object)
        messages = np.full(count, "undersökningen framgår inte; lägg till kolumnen \"undersökning\" eller välj "
                                  "undersökning vid importen", dtype=object)
    unknown = pd.isna(ids)
    problems.rows(table.rows, unknown, "undersökning", messages)
    if "undersökning" in positions:
        return recode(table.column(positions["undersökning"]), lambda t: survey_id(t) if t else default)
    return pd.Series(pd.Categorical.from_codes(np.zeros(count, dtype=np.int32), categories=[default or ""]))


def _values(column: pd.Series, f: Field, header: str, rows: np.ndarray, problems: _Problems,
            markers: bool) -> tuple[np.ndarray, pd.Categorical]:
    # Parse each distinct text once, then spread the results to the rows through the codes.
    categories = list(column.cat.categories) + [""]
    codes = column.cat.codes.to_numpy().copy()
    codes[codes < 0] = len(categories) - 1
    values_c, marks_c, errors_c = [], [], []
    for text in categories:
        text = str(text)
        marker = missing_marker(text) if markers else None
        if marker or text == "":
            values_c.append(np.nan)
            marks_c.append((marker or "tom") if markers else None)
            errors_c.append(None)
            continue
        value, error = parse_cell(f, text)
        values_c.append(np.nan if value is None else float(value))
        marks_c.append(None)
        errors_c.append(error)
    values = np.array(values_c, dtype=float)[codes]
    labels = list(dict.fromkeys(m for m in marks_c if m is not None))
    mark_codes = np.array([labels.index(m) if m is not None else -1 for m in marks_c], dtype=np.int32)[codes]
    marks = pd.Categorical.from_codes(mark_codes, categories=pd.Index(labels, dtype=object))
    errors = np.array(errors_c, dtype=object)
    bad = np.array([e is not None for e in errors_c])[codes]
    problems.rows(rows, bad, header, errors[codes] if bad.any() else "")
    return values, marks


def _long(table: TextTable, base: dict, note: pd.Series | None, positions: dict[str, int],
          problems: _Problems) -> pd.DataFrame:
    fields = {f.name: f for f in LONG_FIELDS}
    rows = table.rows
    year, _ = _values(table.column(positions["år"]), replace(fields["år"], allow_empty=False), "år", rows, problems, False)
    empty_year = is_empty(table.column(positions["år"]))
    problems.rows(rows, empty_year, "år", "värde saknas")
    share, missing = _values(table.column(positions["andel"]), fields["andel"], "andel", rows, problems, True)
    n, _ = _values(table.column(positions["antal_svar"]), fields["antal_svar"], "antal_svar", rows, problems, True)
    return _frame(rows, base, year, share, missing, n,
                  note if note is not None else pd.Series(pd.Categorical.from_codes(np.zeros(len(rows), dtype=np.int32),
                                                                                      categories=[""])))


def _wide(table: TextTable, base: dict, note: pd.Series | None, years: list[tuple[int, int, str]],
          problems: _Problems) -> pd.DataFrame:
    parts = []
    rows = table.rows
    count = len(rows)
    for index, year, marker in years:
        header = table.header[index]
        share_field = Field(header, "number", minimum=0, maximum=100)
        share, missing = _values(table.column(index), share_field, header, rows, problems, True)
        own_note = marker_note(header, marker) if marker else ""
        if note is None:
            notes = pd.Series(pd.Categorical.from_codes(np.zeros(count, dtype=np.int32), categories=[own_note]))
        else:
            notes = recode(note, lambda t, extra=own_note: "; ".join(x for x in (t, extra) if x))
        parts.append(_frame(rows, base, np.full(count, float(year)), share, missing, np.full(count, np.nan), notes))
    frame = pd.concat(parts, ignore_index=True)
    for column in ("survey", "area", "grp", "indicator", "note", "missing"):
        frame[column] = frame[column].astype("category")
    return frame.sort_values(["rad", "year"], kind="stable", ignore_index=True)


def _frame(rows, base, year, share, missing, n, note) -> pd.DataFrame:
    return pd.DataFrame({
        "rad": rows, "survey": base["survey"].array, "year": year,
        "area": base["area"].array, "grp": base["grp"].array, "indicator": base["indicator"].array,
        "share": share, "missing": missing, "n": pd.Series(n).astype("Int64").to_numpy(),
        "note": note.array})


def _check_scale(file_name: str, frame: pd.DataFrame, scale: str | None, problems: _Problems) -> None:
    share = frame["share"].to_numpy()
    present = share[~np.isnan(share)]
    if scale == "bråk":
        too_big = ~np.isnan(share) & (share > 1)
        problems.rows(frame["rad"].to_numpy(), too_big, "andel",
                      "med skalan bråk ska varje andel vara mellan 0 och 1; importera utan skalan bråk om andelarna "
                      "är skrivna i procent")
        frame["share"] = np.round(share * 100, 10)
    elif scale is None and len(present) and present.max() <= 1 and ((present > 0) & (present < 1)).any():
        # Only 0 and 1 could be either scale; a value strictly between them settles it.
        first = float(present[(present > 0) & (present < 1)][0])
        example = str(round(first, 4)).replace(".", ",")
        problems.items.append(Problem(file_name, f"alla andelar är högst 1 (till exempel {example}), så de ser ut att "
                                                 "vara skrivna som bråk och inte i procent; skriv dem i procent "
                                                 f"({example} blir {str(round(first * 100, 2)).replace('.', ',')}) "
                                                 "eller välj skalan bråk (på kommandoraden --skala bråk, på sidan "
                                                 "Data under Inställningar); är de verkligen procent, välj skalan "
                                                 "procent (--skala procent)", None, "andel"))


def _duplicates(frame: pd.DataFrame, problems: _Problems) -> None:
    if frame.empty:
        return
    keys = ["survey", "year", "area", "grp", "indicator"]
    categorical = all(isinstance(frame[c].dtype, pd.CategoricalDtype) for c in ("survey", "area", "grp", "indicator"))
    parts = _parts(frame) if categorical and not frame["year"].isna().any() else None
    if parts is None:
        dup = frame.duplicated(keys, keep=False).to_numpy()
    else:
        # One int64 per row hashes in a fraction of the memory five columns take.
        with_years = frame.assign(year=frame["year"].astype(np.int64))
        key = _key(with_years, parts)
        dup = pd.Series(key).duplicated(keep=False).to_numpy() & (key >= 0)
    if not dup.any():
        return
    found = 0
    for _, group in frame[dup].groupby(keys, sort=False, observed=True):
        first = int(group["rad"].iloc[0])
        for number in group["rad"].iloc[1:]:
            found += 1
            if found <= MAX_NAMED_ROWS:
                problems.items.append(Problem(problems.file, "samma undersökning, år, område, grupp och indikator "
                                                             f"som rad {first}", int(number), "år"))
    if found > MAX_NAMED_ROWS:
        problems.items.append(Problem(problems.file, f"ytterligare {found - MAX_NAMED_ROWS} rader upprepar en "
                                                     "tidigare rad", None, "år"))


INDICATOR_FIELDS = schema.SURVEY_INDICATOR.fields()


def read_indicators(file_name: str, data: bytes) -> pd.DataFrame:
    """Validated indicator descriptions: question wording, answer scale, definition and source."""
    frame = read_table(file_name, data, INDICATOR_FIELDS)
    problems = []
    ids = []
    for number, text in zip(frame["rad"], frame["undersökning"]):
        sid = survey_id(text)
        if sid is None:
            problems.append(Problem(file_name, f'okänd undersökning "{text}"', number, "undersökning"))
        ids.append(sid)
    if problems:
        raise InputError(problems)
    frame["undersökning"] = ids
    return frame.fillna("")


def store_indicators(conn, frame: pd.DataFrame, dataset_id: int | None) -> None:
    """Insert or replace indicator descriptions inside the caller's transaction."""
    for row in frame.itertuples(index=False):
        values = dict(survey=row.undersökning, indicator=row.indikator, name=row.namn, question=row.fråga,
                      scale=row.svarsskala, definition=row.definition, source=row.källa, dataset_id=dataset_id)
        conn.execute(delete(db.survey_indicator).where(
            (db.survey_indicator.c.survey == values["survey"]) & (db.survey_indicator.c.indicator == values["indicator"])))
        conn.execute(insert(db.survey_indicator).values(**values))


KEY = ["survey", "year", "area", "grp", "indicator"]
VALUE_COLUMNS = ["share", "missing", "n", "note"]


@dataclass
class ImportDiff:
    """What an import would do to the stored results: new cells, changed cells (old → new), unchanged."""

    new: int
    changed: int
    unchanged: int
    examples: list[str] = field(default_factory=list)  # the first changed cells, "område, grupp, indikator år: gammalt → nytt"

    def lines(self) -> list[str]:
        """The diff as lines for the command line and the Data page."""
        lines = [f"nya rader: {self.new}", f"ändrade värden: {self.changed}", f"oförändrade: {self.unchanged}"]
        if self.examples:
            lines.append("de första ändrade (gammalt → nytt):")
            lines += [f"  {e}" for e in self.examples]
        return lines


STATES = ["ny", "ändrad", "oförändrad"]


def _codes(series: pd.Series, categories: pd.Index) -> np.ndarray:
    return categories.get_indexer(series.astype(object)) if not isinstance(series.dtype, pd.CategoricalDtype) \
        else series.cat.codes.to_numpy().astype(np.int64)


def _parts(results: pd.DataFrame) -> dict[str, pd.Index] | None:
    """The extract's categories per key column, or None when their codes do not fit one int64 together."""
    parts = {c: pd.Index(results[c].cat.categories.astype(object)) for c in ("survey", "area", "grp", "indicator")}
    bits = 9 + sum(max(len(p), 1).bit_length() for p in parts.values())  # 9 bits hold the years 1800–2311
    return parts if bits <= 62 else None


def _key(results: pd.DataFrame, parts: dict[str, pd.Index], frame=None) -> np.ndarray:
    """One int64 per row from the codes of survey, year, area, group and indicator in the extract's categories.

    Rows of `frame` (stored rows) with a name the extract does not have get -1.
    """
    frame = results if frame is None else frame
    count = len(frame["year"])
    key = np.zeros(count, dtype=np.int64)
    valid = np.ones(count, dtype=bool)
    for column in KEY:
        if column == "year":
            codes, size = np.asarray(frame["year"], dtype=np.int64) - 1800, 512
        elif frame is results:
            codes, size = results[column].cat.codes.to_numpy().astype(np.int64), len(parts[column])
        else:
            # Factorised as plain objects and looked up per distinct name: no string column is ever built.
            labels, uniques = pd.factorize(np.asarray(frame[column], dtype=object))
            position = {name: i for i, name in enumerate(parts[column])}
            lookup = np.array([position.get(u, -1) for u in uniques] + [-1], dtype=np.int64)
            codes, size = lookup[labels], len(parts[column])
        valid &= (codes >= 0) & (codes < max(size, 1))
        key = (key << max(size, 1).bit_length()) + np.maximum(codes, 0)
    return np.where(valid, key, -1)


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _compare(conn, results: pd.DataFrame) -> pd.DataFrame:
    """Per row of the extract: `state` ("ny", "ändrad", "oförändrad") and the stored values beside it.

    The stored rows of the file's surveys and years are read in chunks and matched on one int64 key,
    so comparing a million rows needs neither a million tuples nor a merge of text columns.
    """
    for column in ("survey", "area", "grp", "indicator", "missing", "note"):
        if not isinstance(results[column].dtype, pd.CategoricalDtype):
            results[column] = results[column].astype("category")
    parts = _parts(results)
    if parts is None:
        raise InputError([Problem("filen", "filen har fler olika områden, grupper och indikatorer än som går att "
                                           "jämföra; dela upp den")])
    file_keys = _key(results, parts)
    count = len(results)
    found = np.zeros(count, dtype=bool)
    old_share, old_n = np.full(count, np.nan), np.full(count, np.nan, dtype=np.float32)
    # Stored markers and notes as codes into the distinct texts ("" is 0): a byte or four per row, not an object.
    labels: dict[str, dict[str, int]] = {"missing": {"": 0}, "note": {"": 0}}
    old_codes = {"missing": np.zeros(count, dtype=np.int32), "note": np.zeros(count, dtype=np.int32)}
    surveys = [str(s) for s in parts["survey"]]
    years = [int(y) for y in np.unique(results["year"].to_numpy())]
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    # The driver's own cursor: plain tuples, five times faster to frame than result rows.
    cursor = conn.connection.cursor()
    cursor.execute(f"SELECT {', '.join([*KEY, *VALUE_COLUMNS])} FROM survey_result WHERE survey IN "
                   f"({', '.join([mark] * len(surveys))}) AND year IN ({', '.join([mark] * len(years))})",
                   (*surveys, *years))
    while chunk := cursor.fetchmany(50_000):
        # Columns as plain object arrays: no string conversion of a million stored names.
        stored = {name: np.array(values, dtype=object) for name, values in zip([*KEY, *VALUE_COLUMNS], zip(*chunk))}
        del chunk
        stored_keys = _key(results, parts, stored)
        usable = stored_keys >= 0
        if not usable.any():
            continue
        # The stored chunk is hashed, not the file: a small stored table costs almost nothing.
        matches = pd.Index(stored_keys[usable]).get_indexer(file_keys)
        at = np.flatnonzero(matches >= 0)
        hit = matches[at]
        found[at] = True
        old_share[at] = np.array([np.nan if v is None else v for v in stored["share"][usable]], dtype=float)[hit]
        old_n[at] = np.array([np.nan if v is None else v for v in stored["n"][usable]], dtype=np.float32)[hit]
        for column in ("missing", "note"):
            codes, uniques = pd.factorize(stored[column][usable])
            known = labels[column]
            lookup = np.array([known.setdefault(_text(u), len(known)) for u in uniques] + [0], dtype=np.int32)
            old_codes[column][at] = lookup[codes][hit]
    cursor.close()
    share = results["share"].to_numpy(dtype=float)
    n = results["n"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    same = found & ((np.isnan(share) & np.isnan(old_share)) | (np.abs(share - old_share) < 1e-9)) & \
        ((np.isnan(n) & np.isnan(old_n)) | (n == old_n))
    for column in ("missing", "note"):
        # The file's categories in the same codes; a text never stored gets -1 and so never matches.
        file_column = results[column]
        lookup = np.array([labels[column].get(_text(c), -1) for c in file_column.cat.categories] + [0], dtype=np.int32)
        same &= lookup[file_column.cat.codes.to_numpy()] == old_codes[column]
    state = np.where(~found, 0, np.where(same, 2, 1)).astype(np.int8)
    return pd.DataFrame({
        "state": pd.Categorical.from_codes(state, categories=STATES), "share_old": old_share, "n_old": old_n,
        **{f"{c}_old": pd.Categorical.from_codes(old_codes[c], categories=pd.Index(list(labels[c]), dtype=object))
           for c in ("missing", "note")}})


def _value_text(share, missing) -> str:
    from .formatting import number

    if isinstance(missing, str) and missing:
        return missing
    return ".." if share is None or pd.isna(share) else number(float(share), 1)


def _change_text(r) -> str:
    old, new = _value_text(r.share_old, r.missing_old), _value_text(r.share, r.missing)
    parts = [f"{old} → {new}"] if old != new else [f"{new} (samma andel)"]
    n_old, n_new = (None if pd.isna(r.n_old) else int(r.n_old)), (None if pd.isna(r.n) else int(r.n))
    if n_old != n_new:
        parts.append(f"antal svar {n_old if n_old is not None else '..'} → {n_new if n_new is not None else '..'}")
    if _text(r.note_old) != _text(r.note):
        parts.append(f'anmärkning "{_text(r.note_old)}" → "{_text(r.note)}"')
    return ", ".join(parts)


def _diff(results: pd.DataFrame, compared: pd.DataFrame, limit: int) -> ImportDiff:
    counts = compared["state"].value_counts()
    first = np.flatnonzero((compared["state"] == "ändrad").to_numpy())[:limit]
    changed = pd.concat([results.iloc[first].reset_index(drop=True), compared.iloc[first].reset_index(drop=True)], axis=1)
    examples = [f"{r.area}, {r.grp}, {r.indicator} {int(r.year)}: {_change_text(r)}" for r in changed.itertuples()]
    return ImportDiff(int(counts.get("ny", 0)), int(counts.get("ändrad", 0)), int(counts.get("oförändrad", 0)), examples)


def diff_extract(engine: Engine, extract: SurveyExtract, limit: int = 10) -> ImportDiff:
    """What importing the extract would change, without changing anything."""
    with engine.connect() as conn:
        return _diff(extract.results, _compare(conn, extract.results), limit)


INSERT_COLUMNS = [*RESULT_COLUMNS, "dataset_id"]


def _insert_results(conn, frame: pd.DataFrame, dataset_id: int | None) -> None:
    """Insert rows through the driver's executemany in bounded chunks of plain tuples."""
    placeholder = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = (f"INSERT INTO survey_result ({', '.join(INSERT_COLUMNS)}) "
           f"VALUES ({', '.join([placeholder] * len(INSERT_COLUMNS))})")
    cursor = conn.connection.cursor()
    try:
        for start in range(0, len(frame), 50_000):
            part = frame.iloc[start:start + 50_000]
            share = part["share"].to_numpy(dtype=float)
            n = part["n"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
            rows = zip(part["survey"].astype(object).tolist(), part["year"].astype(int).tolist(),
                       part["area"].astype(object).tolist(), part["grp"].astype(object).tolist(),
                       part["indicator"].astype(object).tolist(),
                       [None if v != v else v for v in share.tolist()],
                       [m if isinstance(m, str) and m else None for m in part["missing"].astype(object).tolist()],
                       [None if v != v else int(v) for v in n.tolist()],
                       [t if isinstance(t, str) else "" for t in part["note"].astype(object).tolist()])
            cursor.executemany(sql, [(*row, dataset_id) for row in rows])
    finally:
        cursor.close()


def _in_index_order(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows in the unique index's order (survey, year, area, grp, indicator).

    SQLite then appends to the index B-tree instead of jumping about in it: a million rows go in
    in about 60 % of the time.
    """
    if len(frame) < 10_000:
        return frame
    order = [frame[c].cat.reorder_categories(sorted(frame[c].cat.categories, key=str)).cat.codes.to_numpy()
             if isinstance(frame[c].dtype, pd.CategoricalDtype) else frame[c].to_numpy() for c in KEY]
    return frame.iloc[np.lexsort(order[::-1])]


def store_extract(conn, extract: SurveyExtract, dataset_id: int | None) -> int:
    """Insert new cells and replace changed ones inside the caller's transaction; returns the cells replaced.

    Cells whose stored value is the same are left as they are.
    """
    r = extract.results
    state = _compare(conn, r)["state"].to_numpy()
    t = db.survey_result
    changed = r[state == "ändrad"]
    keys = list(zip(changed["survey"].astype(object), changed["year"].astype(int), changed["area"].astype(object),
                    changed["grp"].astype(object), changed["indicator"].astype(object)))
    for start in range(0, len(keys), 300):
        conn.execute(delete(t).where(tuple_(t.c.survey, t.c.year, t.c.area, t.c.grp, t.c.indicator)
                                     .in_(keys[start:start + 300])))
    _insert_results(conn, _in_index_order(r[state != "oförändrad"]), dataset_id)
    # Indicators without a description still get a name, so every result can be labelled.
    known = {tuple(k) for k in conn.execute(select(db.survey_indicator.c.survey, db.survey_indicator.c.indicator))}
    pairs = r[["survey", "indicator"]].astype(object).drop_duplicates()
    for s, i in sorted(set(zip(pairs["survey"], pairs["indicator"])) - known):
        conn.execute(insert(db.survey_indicator).values(survey=s, indicator=i, name=i, dataset_id=dataset_id))
    return len(keys)


def import_extract(engine: Engine, extract: SurveyExtract, *, by: Actor) -> dict[str, int]:
    """Store an extract in one transaction; a failure leaves the database as it was."""
    replaced = audit.import_file(engine, by, "undersökning", extract.file, len(extract.results),
                                 lambda conn, dataset_id: store_extract(conn, extract, dataset_id))
    return {"rader": len(extract.results), "ersatta": replaced}


def load_results(engine: Engine, survey: str | None = None) -> pd.DataFrame:
    """Stored survey results, one row per survey, year, area, group and indicator."""
    t = db.survey_result
    query = select(*(t.c[c] for c in RESULT_COLUMNS), db.dataset.c.is_example).select_from(
        t.outerjoin(db.dataset))
    if survey:
        query = query.where(t.c.survey == survey)
    with engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(query.order_by(t.c.survey, t.c.indicator, t.c.area, t.c.grp, t.c.year)).all(),
                             columns=[*RESULT_COLUMNS, "is_example"])
    frame["n"] = frame["n"].astype("Int64")
    frame["share"] = frame["share"].astype(float)
    frame["is_example"] = frame["is_example"].fillna(False).astype(bool)
    return frame


def load_indicators(engine: Engine) -> pd.DataFrame:
    """Every indicator with its question wording, scale, definition and source."""
    t = db.survey_indicator
    columns = [c.name for c in schema.SURVEY_INDICATOR.loaded()]
    with engine.connect() as conn:
        rows = conn.execute(select(*schema.SURVEY_INDICATOR.selected(t)).order_by(t.c.survey, t.c.indicator)).all()
    return pd.DataFrame(rows, columns=columns)


def latest_change(results: pd.DataFrame, survey: str, indicator: str, area: str, group: str = ALL) -> dict | None:
    """The latest wave of one series and its change since the wave before, or None without data."""
    series = results[(results["survey"] == survey) & (results["indicator"] == indicator)
                     & (results["area"] == area) & (results["grp"] == group) & results["share"].notna()]
    if series.empty:
        return None
    series = series.sort_values("year")
    last = series.iloc[-1]
    previous = series.iloc[-2] if len(series) > 1 else None
    return {"year": int(last["year"]), "share": float(last["share"]), "n": last["n"],
            "previous_year": None if previous is None else int(previous["year"]),
            "change": None if previous is None else float(last["share"]) - float(previous["share"])}
