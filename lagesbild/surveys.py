"""Survey results: which surveys exist, reading extracts (long or wide), storing and loading them."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import Engine, delete, insert, select, tuple_

from . import audit, db
from .audit import Actor
from .problems import InputError, Problem
from .tabular import (Field, RawTable, column_names, find_header, missing_marker, normalise_header,
                      parse_cell, raw_rows, read_table, table_from_rows)


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

RESULT_COLUMNS = ["survey", "year", "area", "grp", "indicator", "share", "missing", "n", "note"]


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


LONG_FIELDS = [
    Field("undersökning", required=False),
    Field("år", "int", minimum=1900, maximum=2100, aliases=("ar", "year")),
    Field("område", aliases=("stadsdelsområde", "omrade")),
    Field("grupp"),
    Field("indikator"),
    Field("andel", "number", allow_empty=True, minimum=0, maximum=100, aliases=("andel procent",)),
    Field("antal_svar", "int", allow_empty=True, minimum=0, aliases=("n", "antal svarande")),
    Field("anmärkning", required=False, allow_empty=True, aliases=("kommentar",)),
]
KEY_COLUMNS = {"område", "grupp", "indikator"}
YEAR_HEADER = re.compile(r"^(19|20)\d\d$")


@dataclass
class SurveyExtract:
    """A validated survey file: its results and what the analyst should know about it."""

    file: str
    results: pd.DataFrame  # RESULT_COLUMNS plus `rad`
    layout: str  # "lång" or "bred"
    title: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, object]:
        """Counts an analyst checks before importing: rows, surveys, years, areas, groups, missing."""
        r = self.results
        missing = r.loc[r["missing"].notna(), "missing"].value_counts()
        return {
            "rader": len(r),
            "undersökningar": sorted(SURVEY_BY_ID[s].name for s in r["survey"].unique()),
            "år": sorted(int(y) for y in r["year"].unique()),
            "områden": sorted(r["area"].unique()),
            "grupper": sorted(r["grp"].unique()),
            "indikatorer": sorted(r["indicator"].unique()),
            "saknade värden": {marker: int(count) for marker, count in missing.items()},
            "saknat antal svar": int(r["n"].isna().sum()),
        }


def read_extract(file_name: str, data: bytes, survey: str | None = None) -> SurveyExtract:
    """Validate a survey extract (CSV or Excel, long or wide); raises InputError listing every problem."""
    rows = raw_rows(file_name, data)
    names = column_names(LONG_FIELDS)
    raw = table_from_rows(file_name, rows, find_header(file_name, rows, KEY_COLUMNS, names))
    headers = [normalise_header(h) for h in raw.header]
    is_wide = "år" not in {names.get(h) for h in headers} and any(YEAR_HEADER.match(h) for h in headers)
    default_survey = survey or survey_in_text(" ".join(raw.title)) or survey_in_text(file_name)
    if is_wide:
        frame, problems = _wide_records(raw)
    else:
        frame, problems = _long_records(raw)
    problems += _resolve_surveys(raw.file, frame, default_survey)
    problems += _duplicates(raw.file, frame)
    if problems:
        raise InputError(problems)
    if frame.empty:
        raise InputError([Problem(file_name, "filen har en rubrikrad men inga datarader")])
    frame["year"] = frame["year"].astype(int)
    frame["n"] = frame["n"].astype("Int64")
    frame["share"] = frame["share"].astype(float)
    return SurveyExtract(file_name, frame, "bred" if is_wide else "lång", raw.title)


def _value_and_missing(f: Field, text: str, row: int, file: str, problems: list[Problem]):
    marker = missing_marker(text)
    if marker or text == "":
        return None, marker or "tom"
    value, error = parse_cell(f, text)
    if error:
        problems.append(Problem(file, error, row, f.name))
    return value, None


def _long_records(raw: RawTable) -> tuple[pd.DataFrame, list[Problem]]:
    names = column_names(LONG_FIELDS)
    positions = {names[normalise_header(h)]: i for i, h in enumerate(raw.header) if normalise_header(h) in names}
    problems = [Problem(raw.file, f'kolumnen "{f.name}" saknas') for f in LONG_FIELDS
                if f.required and f.name not in positions]
    if problems:
        return pd.DataFrame(), problems
    fields = {f.name: f for f in LONG_FIELDS}
    records = []
    for number, cells in raw.rows:
        cell = {name: cells[i] for name, i in positions.items()}
        rec = {"rad": number, "survey_text": cell.get("undersökning", ""), "note": cell.get("anmärkning", "")}
        for name, key in (("år", "year"), ("område", "area"), ("grupp", "grp"), ("indikator", "indicator")):
            value, error = parse_cell(fields[name], cell[name])
            if error:
                problems.append(Problem(raw.file, error, number, name))
            rec[key] = value
        rec["share"], rec["missing"] = _value_and_missing(fields["andel"], cell["andel"], number, raw.file, problems)
        n_text = cell["antal_svar"]
        rec["n"] = None if (n_text == "" or missing_marker(n_text)) else \
            _value_and_missing(fields["antal_svar"], n_text, number, raw.file, problems)[0]
        records.append(rec)
    return pd.DataFrame.from_records(records), problems


def _wide_records(raw: RawTable) -> tuple[pd.DataFrame, list[Problem]]:
    names = column_names(LONG_FIELDS)
    fields = {f.name: f for f in LONG_FIELDS}
    positions = {names[normalise_header(h)]: i for i, h in enumerate(raw.header) if normalise_header(h) in names}
    years = [(i, int(normalise_header(h))) for i, h in enumerate(raw.header) if YEAR_HEADER.match(normalise_header(h))]
    problems: list[Problem] = []
    records = []
    for number, cells in raw.rows:
        base = {"rad": number, "n": None, "note": cells[positions["anmärkning"]] if "anmärkning" in positions else "",
                "survey_text": cells[positions["undersökning"]] if "undersökning" in positions else ""}
        for name, key in (("område", "area"), ("grupp", "grp"), ("indikator", "indicator")):
            value, error = parse_cell(fields[name], cells[positions[name]])
            if error:
                problems.append(Problem(raw.file, error, number, name))
            base[key] = value
        for i, year in years:
            share_field = Field(str(year), "number", minimum=0, maximum=100)
            share, missing = _value_and_missing(share_field, cells[i], number, raw.file, problems)
            records.append({**base, "year": year, "share": share, "missing": missing})
    return pd.DataFrame.from_records(records), problems


def _resolve_surveys(file: str, frame: pd.DataFrame, default: str | None) -> list[Problem]:
    if frame.empty:
        return []
    problems, ids = [], []
    known = ", ".join(s.name for s in SURVEYS)
    for number, text in zip(frame["rad"], frame["survey_text"]):
        sid = survey_id(text) if text else default
        if sid is None:
            message = (f'okänd undersökning "{text}" (kända: {known})' if text else
                       "undersökningen framgår inte; lägg till kolumnen \"undersökning\" eller välj undersökning vid importen")
            problems.append(Problem(file, message, number, "undersökning"))
        ids.append(sid)
    frame["survey"] = ids
    del frame["survey_text"]
    return problems


def _duplicates(file: str, frame: pd.DataFrame) -> list[Problem]:
    if frame.empty:
        return []
    keys = ["survey", "year", "area", "grp", "indicator"]
    dup = frame[frame.duplicated(keys, keep=False) & frame[keys].notna().all(axis=1)]
    problems = []
    for _, group in dup.groupby(keys, sort=False):
        first = int(group["rad"].iloc[0])
        for number in group["rad"].iloc[1:]:
            problems.append(Problem(file, f"samma undersökning, år, område, grupp och indikator som rad {first}",
                                    int(number), "år"))
    return problems


INDICATOR_FIELDS = [
    Field("undersökning"), Field("indikator"), Field("namn"),
    Field("fråga", allow_empty=True), Field("svarsskala", allow_empty=True),
    Field("definition", allow_empty=True), Field("källa", allow_empty=True),
]


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


def store_extract(conn, extract: SurveyExtract, dataset_id: int | None) -> int:
    """Insert the extract's results, replacing earlier values for the same cells; returns rows replaced."""
    r = extract.results
    keys = list(zip(r["survey"], r["year"].astype(int), r["area"], r["grp"], r["indicator"]))
    t = db.survey_result
    replaced = 0
    for start in range(0, len(keys), 300):
        chunk = keys[start:start + 300]
        replaced += conn.execute(delete(t).where(
            tuple_(t.c.survey, t.c.year, t.c.area, t.c.grp, t.c.indicator).in_(chunk))).rowcount or 0
    rows = [dict(survey=s, year=int(y), area=a, grp=g, indicator=i,
                 share=None if pd.isna(sh) else float(sh), missing=m if isinstance(m, str) else None,
                 n=None if pd.isna(n) else int(n), note=note or "", dataset_id=dataset_id)
            for s, y, a, g, i, sh, m, n, note in zip(*(r[c] for c in RESULT_COLUMNS))]
    conn.execute(insert(t), rows)
    # Indicators without a description still get a name, so every result can be labelled.
    known = {tuple(k) for k in conn.execute(select(db.survey_indicator.c.survey, db.survey_indicator.c.indicator))}
    for s, i in sorted(set(zip(r["survey"], r["indicator"])) - known):
        conn.execute(insert(db.survey_indicator).values(survey=s, indicator=i, name=i, dataset_id=dataset_id))
    return replaced


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
    with engine.connect() as conn:
        rows = conn.execute(select(t.c.survey, t.c.indicator, t.c.name, t.c.question, t.c.scale,
                                   t.c.definition, t.c.source).order_by(t.c.survey, t.c.indicator)).all()
    return pd.DataFrame(rows, columns=["survey", "indicator", "name", "question", "scale", "definition", "source"])


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
