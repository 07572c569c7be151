"""Every importable kind of file checked the same way: what it is, what it holds, what importing it would do.

The command line (`check`, `import`) and the Data page both call check_file and then save.
"""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from . import db
from .audit import Actor
from .problems import InputError, Problem
from .tabular import EXCEL_SUFFIXES, normalise_header, raw_rows, sniff_separator

KINDS = {
    "undersökning": "undersökningsresultat (lång eller bred tabell)",
    "svar": "svar på individnivå (en rad per svarande och fråga)",
    "platser": "otrygga platser",
    "iakttagelser": "iakttagelser vid platserna",
    "åtgärder": "åtgärder vid platserna",
    "gränser": "områdesgränser (GeoJSON eller zippad shapefil)",
}


@dataclass(frozen=True)
class Options:
    """What the user has said about a file that the file itself leaves open."""

    survey: str | None = None  # survey id for a survey file without the column
    scale: str | None = None  # "procent" or "bråk"
    name_column: str | None = None  # a boundary file's column with the area names
    crs: str | None = None  # coordinate system of coordinates without one, e.g. "EPSG:3006"


@dataclass
class Checked:
    """A file that passed every check, with what it holds and what importing it would do."""

    kind: str
    file: str
    payload: Any
    heading: str
    summary: list[str] = field(default_factory=list)
    diff: list[str] = field(default_factory=list)
    new_names: dict[str, list[str]] = field(default_factory=dict)
    can_save: bool = True

    def lines(self) -> list[str]:
        """Everything `check` prints: the summary, what the import would do and the new names."""
        out = [*self.summary, "Det här gör importen:" if self.can_save else "Importen:", *[f"  {d}" for d in self.diff]]
        if self.new_names:
            out.append("Nya namn (finns inte sedan tidigare; kontrollera stavningen innan du importerar):")
            out += [f"  nya {label}: {', '.join(names) if names else 'inga'}" for label, names in self.new_names.items()]
        return out


def summary_lines(summary: dict[str, object]) -> list[str]:
    """One "  key: value" line per entry; lists as "count (a, b, c)", dicts as "k: v, …"."""
    lines = []
    for key, value in summary.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k}: {v}" for k, v in value.items()) or "inga"
        elif isinstance(value, list):
            value = f"{len(value)} ({', '.join(str(v) for v in value)})"
        elif isinstance(value, bool):
            value = "ja" if value else "nej"
        lines.append(f"  {key}: {value}")
    return lines


def kind_from_text(text: str) -> str | None:
    """A kind from how a user writes it ("atgarder", "Gränser")."""
    from .surveys import fold

    return next((k for k in KINDS if fold(k) == fold(text)), None)


def detect_kind(file_name: str, data: bytes) -> str:
    """The kind of file, recognised from its ending and its columns."""
    suffix = Path(file_name).suffix.lower()
    if suffix == ".zip":
        return "gränser"
    if suffix == ".parquet":
        return "svar"
    if suffix in (".geojson", ".json"):
        try:
            features = json.loads(data.decode("utf-8-sig")).get("features") or []
        except (ValueError, AttributeError):
            return "gränser"  # the boundary reader explains what is wrong with it
        first = next((f for f in features if isinstance(f, dict)), {})
        if ((first.get("geometry") or {}).get("type") or "") in ("Point", ""):
            props = {normalise_header(k) for k in (first.get("properties") or {})}
            return "platser" if {"namn", "status"} <= props else "iakttagelser"
        return "gränser"
    headers = _header_cells(file_name, data)
    for row in headers:
        cells = set(row)
        if "svar" in cells or "svarsalternativ" in cells:
            return "svar"
        if "plats" in cells and ("åtgärd" in cells or "aktör" in cells):
            return "åtgärder"
        if "plats" in cells and "beskrivning" in cells:
            return "iakttagelser"
        if "namn" in cells and "status" in cells:
            return "platser"
    return "undersökning"


def _header_cells(file_name: str, data: bytes) -> list[set[str]]:
    if Path(file_name).suffix.lower() in EXCEL_SUFFIXES:
        try:
            rows = raw_rows(file_name, data)[:30]
        except InputError:
            return []
    else:
        head = data[:65_536].decode("utf-8", errors="replace")
        rows = list(csv.reader(io.StringIO(head, newline=""), delimiter=sniff_separator(head)))[:30]
    return [{normalise_header(c) for c in row if c} for row in rows]


def check_file(file_name: str, data: bytes, kind: str | None = None, options: Options = Options(),
               engine: Engine | None = None) -> Checked:
    """Validate a file of any kind and compare it with the database (when given); raises InputError."""
    kind = kind or detect_kind(file_name, data)
    return _CHECKS[kind](file_name, data, options, engine)


def save(engine: Engine, checked: Checked, by: Actor) -> str:
    """Store a checked file in one transaction and say what was stored."""
    if not checked.can_save:
        raise InputError([Problem(checked.file, "svar på individnivå sparas inte i databasen; läs in filen på sidan "
                                                "Trender, där den används bara under sessionen")])
    return _SAVES[checked.kind](engine, checked, by)


# --- one function pair per kind ---------------------------------------------------------------------------

def _survey(file_name: str, data: bytes, options: Options, engine: Engine | None) -> Checked:
    from . import surveys

    known = surveys.known_names(engine) if engine is not None else surveys.default_known()
    extract = surveys.read_extract(file_name, data, options.survey, scale=options.scale, known=known)
    diff = surveys.diff_extract(engine, extract) if engine is not None else \
        surveys.ImportDiff(len(extract.results), 0, 0)
    return Checked("undersökning", file_name, extract, f"filen är felfri ({extract.layout} tabell)",
                   summary_lines(extract.summary()), diff.lines(), extract.new_names)


def _save_survey(engine: Engine, checked: Checked, by: Actor) -> str:
    from .surveys import import_extract

    result = import_extract(engine, checked.payload, by=by)
    return f"Sparat i databasen: {result['rader']} rader, varav {result['ersatta']} ersatte tidigare värden."


def _respondents(file_name: str, data: bytes, options: Options, engine: Engine | None) -> Checked:
    from .respondents import read_respondents

    extract = read_respondents(file_name, data)
    return Checked("svar", file_name, extract, "filen är felfri (svar på individnivå)", summary_lines(extract.summary()),
                   ["ingenting sparas: svar på individnivå läses in på sidan Trender och används bara under sessionen"],
                   can_save=False)


def _stored_place_names(engine: Engine | None) -> set[str]:
    if engine is None:
        return set()
    with engine.connect() as conn:
        return {n.casefold() for (n,) in conn.execute(select(db.place.c.name).where(db.place.c.removed_at.is_(None)))}


def _places(file_name: str, data: bytes, options: Options, engine: Engine | None) -> Checked:
    from .places import read_places

    frame = read_places(file_name, data, crs=options.crs)
    stored = _stored_place_names(engine)
    exists = [n for n in frame["namn"] if n.casefold() in stored]
    diff = [f"nya platser: {len(frame) - len(exists)}"]
    if exists:
        diff.append(f"finns redan (importen avvisas, en plats ändras i formuläret på sidan Karta): {', '.join(exists[:20])}")
    return Checked("platser", file_name, frame, f"filen är felfri: {len(frame)} platser", [f"  platser: {len(frame)}"],
                   diff, _new_areas(engine, frame["område"]))


def _new_areas(engine: Engine | None, names) -> dict[str, list[str]]:
    from .surveys import default_known, known_names, name_key

    known = known_names(engine) if engine is not None else default_known()
    keys = {name_key(a) for a in known.areas}
    return {"områden": sorted({str(a) for a in names if a and name_key(str(a)) not in keys})}


def _at_places(kind: str, file_name: str, frame, engine: Engine | None, heading: str) -> Checked:
    stored = _stored_place_names(engine)
    unknown = sorted({p for p in frame["plats"] if p.casefold() not in stored}) if engine is not None else []
    diff = [f"nya {kind}: {len(frame)}"]
    if unknown:
        diff.append(f"okända platser (importen avvisas tills platserna finns): {', '.join(unknown[:20])}")
    return Checked(kind, file_name, frame, heading, [f"  {kind}: {len(frame)}"], diff)


def _observations(file_name: str, data: bytes, options: Options, engine: Engine | None) -> Checked:
    from .places import read_observations

    frame = read_observations(file_name, data, crs=options.crs)
    return _at_places("iakttagelser", file_name, frame, engine, f"filen är felfri: {len(frame)} iakttagelser")


def _actions(file_name: str, data: bytes, options: Options, engine: Engine | None) -> Checked:
    from .places import read_actions

    frame = read_actions(file_name, data)
    return _at_places("åtgärder", file_name, frame, engine, f"filen är felfri: {len(frame)} åtgärder")


def _boundaries(file_name: str, data: bytes, options: Options, engine: Engine | None) -> Checked:
    from . import areas

    frame = areas.read_boundaries(file_name, data, name_column=options.name_column, crs=options.crs)
    stored = set(areas.load_boundaries(engine)["area"]) if engine is not None else set()
    names = list(frame["area"])
    replaced = [a for a in names if a in stored]
    diff = [f"nya områdesgränser: {len(names) - len(replaced)}", f"ersätter sparade gränser: {len(replaced)}"
            + (f" ({', '.join(replaced)})" if replaced else "")]
    return Checked("gränser", file_name, frame, f"filen är felfri: {len(names)} områden",
                   [f"  områden: {len(names)} ({', '.join(names)})"], diff, _new_areas(engine, names))


def _save_places(engine: Engine, checked: Checked, by: Actor) -> str:
    from .places import import_places

    return f"Sparat i databasen: {import_places(engine, checked.file, checked.payload, by=by)} platser."


def _save_observations(engine: Engine, checked: Checked, by: Actor) -> str:
    from .places import import_observations

    return f"Sparat i databasen: {import_observations(engine, checked.file, checked.payload, by=by)} iakttagelser."


def _save_actions(engine: Engine, checked: Checked, by: Actor) -> str:
    from .places import import_actions

    return f"Sparat i databasen: {import_actions(engine, checked.file, checked.payload, by=by)} åtgärder."


def _save_boundaries(engine: Engine, checked: Checked, by: Actor) -> str:
    from .areas import import_boundaries

    return f"Sparat i databasen: {import_boundaries(engine, checked.file, checked.payload, by=by)} områden."


_CHECKS = {"undersökning": _survey, "svar": _respondents, "platser": _places, "iakttagelser": _observations,
           "åtgärder": _actions, "gränser": _boundaries}
_SAVES = {"undersökning": _save_survey, "platser": _save_places, "iakttagelser": _save_observations,
          "åtgärder": _save_actions, "gränser": _save_boundaries}
