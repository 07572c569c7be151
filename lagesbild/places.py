"""Unsafe places (otrygga platser): the places, what was observed there, what was done and what comes next."""
from __future__ import annotations

import datetime as dt
import io
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine, insert, select

from . import audit, auth, db, schema
from .audit import Actor
from .db import atomic
from .privacy import personal_data
from .problems import InputError, Problem, raise_if
from .formatting import formula_safe, formula_unquoted
from .tabular import TIME_HINT, Field, parse_cell, parse_time, read_table

# The one place to adjust the categories, statuses and confidentiality levels (their symbols, colours and
# meanings on screen: lagesbild/views/maps.py).
CATEGORIES = ("alkohol/narkotika", "våld/rån", "inbrott/stöld", "bosättningar/sovplatser", "ungdomar",
              "fysisk miljö/belysning", "prostitution", "byggetablering", "annat")
DEFAULT_CATEGORY = "annat"
PLACE_STATUSES = ("ny", "pågående", "bevakas", "avslutad")
ACTION_STATUSES = ("planerad", "pågår", "genomförd")
CONFIDENTIALITY = ("öppen", "intern")
# Coordinates outside this box are almost always swapped lat/lon or SWEREF 99 metres.
SWEDEN = {"lat": (55.0, 69.5), "lon": (10.5, 24.5)}

# Coordinates in metres as GIS staff export them: SWEREF 99 TM or the city's SWEREF 99 18 00, converted on reading.
METRE_FIELDS = [
    Field("N", "number", required=False, allow_empty=True, aliases=("northing", "nord", "n_koordinat")),
    Field("E", "number", required=False, allow_empty=True, aliases=("easting", "öst", "ost", "e_koordinat")),
    Field("x", "number", required=False, allow_empty=True, aliases=("x_koordinat",)),
    Field("y", "number", required=False, allow_empty=True, aliases=("y_koordinat",)),
]
METRE_COLUMNS = [f.name for f in METRE_FIELDS]
SWEREF = {"EPSG:3006": "SWEREF 99 TM", "EPSG:3011": "SWEREF 99 18 00"}
NORTHING = (6_100_000, 7_700_000)  # Sweden's northings in every SWEREF 99 projection
TM_EASTING = (258_000, 930_000)  # SWEREF 99 TM over Sweden; the local zones lie below
CRS_HINT = ("ange koordinatsystemet: på kommandoraden --crs EPSG:3006 (SWEREF 99 TM) eller --crs EPSG:3011 "
            "(SWEREF 99 18 00), på sidan Data i listan Koordinatsystem")

PLACE_FIELDS = schema.PLACE.fields({"status": PLACE_STATUSES, "kategori": CATEGORIES})
OBSERVATION_FIELDS = schema.OBSERVATION.fields({"kategori": CATEGORIES, "sekretess": CONFIDENTIALITY})
ACTION_FIELDS = schema.ACTION.fields({"status": ACTION_STATUSES, "sekretess": CONFIDENTIALITY})
# Every typed text is checked for personal data, names and organisations included.
TEXT_COLUMNS = ("namn", "plats", "område", "organisation", "aktör", "lägesbild", "nästa_steg", "beskrivning", "åtgärd")
FORM = "formuläret"


def privacy_problems(file: str, frame: pd.DataFrame) -> list[Problem]:
    """A problem for every typed cell that holds personal data."""
    problems = []
    for column in (c for c in TEXT_COLUMNS if c in frame.columns):
        for number, text in zip(frame["rad"], frame[column]):
            problems += [Problem(file, reason, int(number), column) for reason in personal_data(text or "")]
    return problems


def _unquote_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    for column in (c for c in TEXT_COLUMNS if c in frame.columns):
        frame[column] = [formula_unquoted(t) for t in frame[column]]
    return frame


def _is_geojson(file_name: str) -> bool:
    return Path(file_name).suffix.lower() in (".geojson", ".json")


def crs_code(text: str | None) -> str | None:
    """"EPSG:3006" from how a user writes a coordinate system ("3006", "sweref99tm", "SWEREF 99 18 00"), or None."""
    if not text:
        return None
    key = re.sub(r"[\s_:\-]", "", str(text)).casefold()
    if key in ("3006", "epsg3006", "sweref99tm", "sweref99", "urnogcdefcrsepsg3006"):
        return "EPSG:3006"
    if key in ("3011", "epsg3011", "sweref991800", "urnogcdefcrsepsg3011"):
        return "EPSG:3011"
    if key in ("4326", "epsg4326", "wgs84", "crs84", "urnogcdefcrsogc13crs84", "urnogcdefcrsepsg4326"):
        return "EPSG:4326"
    return None


def guess_sweref(eastings: np.ndarray) -> str | None:
    """The SWEREF 99 projection eastings in metres belong to, or None when they fit neither."""
    e = eastings[~np.isnan(eastings)]
    if not len(e):
        return None
    if ((e >= TM_EASTING[0]) & (e <= TM_EASTING[1])).all():
        return "EPSG:3006"
    if ((e >= 50_000) & (e < TM_EASTING[0])).all():
        return "EPSG:3011"
    return None


def to_wgs84(east: np.ndarray, north: np.ndarray, crs: str) -> tuple[np.ndarray, np.ndarray]:
    """(lat, lon) in WGS84 of projected coordinates."""
    from pyproj import Transformer

    lon, lat = Transformer.from_crs(crs, "EPSG:4326", always_xy=True).transform(east, north)
    return np.asarray(lat, dtype=float), np.asarray(lon, dtype=float)


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value)).replace(".", ",")


def _column(frame: pd.DataFrame, name: str) -> np.ndarray:
    if name not in frame.columns:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype=float, copy=True)


def _coordinates(file_name: str, frame: pd.DataFrame, crs: str | None, required: bool) -> pd.DataFrame:
    """The frame with lat/lon filled from N/E or x/y in SWEREF 99; InputError for any point outside Sweden, with a hint."""
    problems: list[Problem] = []
    rows = frame["rad"].to_numpy()
    north, east = _column(frame, "N"), _column(frame, "E")
    x, y = _column(frame, "x"), _column(frame, "y")
    if np.isnan(north).all() and not np.isnan(x).all():
        # Swedish surveyors write x for the northing; GIS programs write x for the easting.
        x_is_north = np.nanmedian(x) >= NORTHING[0]
        north, east = (x, y) if x_is_north else (y, x)
    metres = ~np.isnan(north) | ~np.isnan(east)
    lat, lon = _column(frame, "lat"), _column(frame, "lon")
    if metres.any():
        chosen = crs_code(crs) if crs else guess_sweref(east[metres])
        if crs and chosen in (None, "EPSG:4326"):
            problems.append(Problem(file_name, f'koordinatsystemet "{crs}" tas inte emot för meterkoordinater; {CRS_HINT}'))
        elif chosen is None:
            problems.append(Problem(file_name, "koordinaterna är i meter men passar varken SWEREF 99 TM eller SWEREF 99 "
                                               f"18 00; {CRS_HINT}"))
        else:
            both = metres & ~np.isnan(north) & ~np.isnan(east)
            for name, values in (("N", north), ("E", east)):
                for position in np.flatnonzero(metres & np.isnan(values))[:10]:
                    problems.append(Problem(file_name, "värde saknas (punkten har bara den ena koordinaten)",
                                            int(rows[position]), name))
            new_lat, new_lon = to_wgs84(east[both], north[both], chosen)
            lat[both], lon[both] = new_lat, new_lon
    frame["lat"], frame["lon"] = lat, lon
    missing = np.isnan(lat) | np.isnan(lon)
    if required and missing.any():
        if "lat" not in frame.columns and not metres.any():
            problems.append(Problem(file_name, 'kolumnerna "lat" och "lon" saknas (eller "N" och "E" i SWEREF 99)'))
        for position in np.flatnonzero(missing)[:10]:
            problems.append(Problem(file_name, "värde saknas", int(rows[position]), "lat" if np.isnan(lat[position]) else "lon"))
    for position in np.flatnonzero(~missing):
        problems += _outside_sweden(file_name, int(rows[position]), lat[position], lon[position], metres[position])
    raise_if(problems)
    return frame.drop(columns=[c for c in METRE_COLUMNS if c in frame.columns])


def _outside_sweden(file_name: str, row: int, lat: float, lon: float, from_metres: bool) -> list[Problem]:
    in_lat = SWEDEN["lat"][0] <= lat <= SWEDEN["lat"][1]
    in_lon = SWEDEN["lon"][0] <= lon <= SWEDEN["lon"][1]
    if in_lat and in_lon:
        return []
    if from_metres:
        return [Problem(file_name, f"punkten hamnar utanför Sverige (lat {_decimal(round(lat, 4))}, lon "
                                   f"{_decimal(round(lon, 4))}); kontrollera koordinatsystemet, {CRS_HINT}", row, "N")]
    if max(abs(lat), abs(lon)) > 1000:
        system = SWEREF.get(guess_sweref(np.array([min(lat, lon)])) or "EPSG:3006")
        hint = (f"ser ut som {system} (meter, inte grader); döp om kolumnerna till \"N\" och \"E\" så räknas "
                "punkterna om till lat och lon")
    elif SWEDEN["lat"][0] <= lon <= SWEDEN["lat"][1] and SWEDEN["lon"][0] <= lat <= SWEDEN["lon"][1]:
        hint = "lat och lon verkar ha bytt plats; byt plats på kolumnerna"
    else:
        hint = "punkten ligger utanför Sverige"
    problems = []
    for name, value, ok in (("lat", lat, in_lat), ("lon", lon, in_lon)):
        if not ok:
            low, high = SWEDEN[name]
            bound = f"är mindre än {_decimal(low)}" if value < low else f"är större än {_decimal(high)}"
            problems.append(Problem(file_name, f'"{_number_text(value)}" {bound}; {hint}', row, name))
    return problems


def _read_points(file_name: str, data: bytes, fields: list[Field], required: bool, crs: str | None) -> pd.DataFrame:
    """The rows of a GeoJSON, CSV or Excel file with their points in WGS84 (`required`: every row has one)."""
    if _is_geojson(file_name):
        return _from_geojson(file_name, data, fields, own_point_required=required, crs=crs)
    return _coordinates(file_name, read_table(file_name, data, fields + METRE_FIELDS), crs, required=required)


def read_places(file_name: str, data: bytes, crs: str | None = None) -> pd.DataFrame:
    """Validated places from CSV, Excel or GeoJSON; points in SWEREF 99 (N/E, x/y) are converted to WGS84."""
    frame = _unquote_formulas(_read_points(file_name, data, PLACE_FIELDS, True, crs))
    problems = privacy_problems(file_name, frame)
    seen: dict[str, int] = {}
    for number, name in zip(frame["rad"], frame["namn"]):
        if name.casefold() in seen:
            problems.append(Problem(file_name, f'platsen "{name}" finns redan på rad {seen[name.casefold()]}', number, "namn"))
        seen[name.casefold()] = number
    raise_if(problems)
    return frame


def read_observations(file_name: str, data: bytes, crs: str | None = None) -> pd.DataFrame:
    """Validated observations from CSV, Excel or GeoJSON; points in SWEREF 99 (N/E, x/y) are converted to WGS84."""
    frame = _unquote_formulas(_times(file_name, _read_points(file_name, data, OBSERVATION_FIELDS, False, crs)))
    raise_if(privacy_problems(file_name, frame))
    return frame


def _times(file_name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with `datum` a date and `tid` its time of day (or None), taken from a date and time in `datum` too."""
    problems, dates, times = [], [], []
    for number, when, time in zip(frame["rad"], frame["datum"], frame["tid"]):
        time = None if schema.is_missing(time) else time
        if isinstance(when, dt.datetime):
            if time is not None and time != when.time():
                problems.append(Problem(file_name, f"klockslaget {schema.time_text(time)} skiljer sig från "
                                                   f"{schema.time_text(when.time())} i kolumnen \"datum\"",
                                        int(number), "tid"))
            when, time = when.date(), when.time()
        dates.append(when)
        times.append(time)
    raise_if(problems)
    frame["datum"] = pd.Series(dates, index=frame.index, dtype=object)
    frame["tid"] = pd.Series(times, index=frame.index, dtype=object)
    return frame


def _from_geojson(file_name: str, data: bytes, fields: list[Field], own_point_required: bool,
                  crs: str | None = None) -> pd.DataFrame:
    """Rows from a FeatureCollection: properties by column name, the point as lat/lon ("egen_punkt": "nej" drops it).

    Points in metres (SWEREF 99 TM or 18 00, named by the file's "crs" member or recognised) are converted.
    """
    try:
        collection = json.loads(data.decode("utf-8-sig"))
        features = collection["features"]
        if not isinstance(features, list):
            raise TypeError("features")
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise InputError([Problem(file_name, "filen är inte en GeoJSON FeatureCollection")]) from exc
    stated = ((collection.get("crs") or {}).get("properties") or {}).get("name") if isinstance(collection.get("crs"), dict) else None
    crs = crs or (crs_code(stated) if stated else None)
    problems, records = [], []
    for number, feature in enumerate(features, start=1):
        feature = feature if isinstance(feature, dict) else {}
        props = feature.get("properties") or {}
        geometry = feature.get("geometry") or {}
        record: dict[str, object] = {"rad": number}
        for f in fields:
            if f.name in ("lat", "lon"):
                continue
            value, error = parse_cell(f, str(props.get(f.name, "") or "").strip())
            if error and (f.required or f.name in props):
                problems.append(Problem(file_name, error, number, f.name))
            record[f.name] = value
        record["lat"] = record["lon"] = record["E"] = record["N"] = None
        if geometry.get("type") == "Point" and str(props.get("egen_punkt", "")).strip().casefold() != "nej":
            coordinates = geometry.get("coordinates") or []
            values = {}
            for name, text in zip(("lon", "lat"), coordinates[:2]):
                spec = next(f for f in fields if f.name == name)
                value, error = parse_cell(spec, str(text))
                if error:
                    problems.append(Problem(file_name, error, number, name))
                values[name] = value
            if any(abs(v) > 1000 for v in values.values() if v is not None):
                record["E"], record["N"] = values.get("lon"), values.get("lat")
            else:
                record.update(values)
        elif own_point_required:
            problems.append(Problem(file_name, "geometrin är inte en punkt (Point)", number, "geometry"))
        records.append(record)
    raise_if(problems)
    frame = pd.DataFrame.from_records(records, columns=["rad", *[f.name for f in fields], "E", "N"])
    if crs_code(crs) == "EPSG:4326":
        crs = None
    return _coordinates(file_name, frame, crs, required=own_point_required)


def read_actions(file_name: str, data: bytes) -> pd.DataFrame:
    """Validated actions from a CSV or Excel file."""
    frame = _unquote_formulas(read_table(file_name, data, ACTION_FIELDS))
    raise_if(privacy_problems(file_name, frame))
    return frame


def _place_ids(conn) -> dict[str, int]:
    return {name.casefold(): pid for pid, name in conn.execute(select(db.place.c.id, db.place.c.name))}


def _value(row, name: str, default=None):
    value = getattr(row, name, default)
    return default if _missing(value) else value


def store_places(conn, frame: pd.DataFrame, dataset_id: int | None, file_name: str) -> None:
    """Insert places inside the caller's transaction; a name already stored is refused."""
    existing = _place_ids(conn)
    forums = {fid for (fid,) in conn.execute(select(db.forum.c.id))}
    problems = [Problem(file_name, f'platsen "{name}" finns redan', int(number), "namn")
                for number, name in zip(frame["rad"], frame["namn"]) if name.casefold() in existing]
    problems += [Problem(file_name, f'okänd samverkansaktivitet "{forum}"', int(number), "aktivitet")
                 for number, forum in zip(frame["rad"], frame["aktivitet"]) if forum and forum not in forums]
    raise_if(problems)
    conn.execute(insert(db.place), [dict(
        name=r.namn, lat=float(r.lat), lon=float(r.lon), area=r.område, forum_id=r.aktivitet or None,
        status=r.status, category=_value(r, "kategori") or None, situation=_value(r, "lägesbild", ""),
        situation_date=_value(r, "lägesbild_datum"), next_followup=_value(r, "nästa_uppföljning"),
        next_step=_value(r, "nästa_steg", ""), dataset_id=dataset_id) for r in frame.itertuples(index=False)])


def store_observations(conn, frame: pd.DataFrame, dataset_id: int | None, file_name: str) -> None:
    """Insert observations inside the caller's transaction; every place must already exist."""
    ids = _place_ids(conn)
    problems = [Problem(file_name, f'okänd plats "{name}"; lägg först till platsen', int(number), "plats")
                for number, name in zip(frame["rad"], frame["plats"]) if name.casefold() not in ids]
    raise_if(problems)
    conn.execute(insert(db.observation), [dict(
        place_id=ids[r.plats.casefold()], date=r.datum, category=r.kategori, organisation=r.organisation,
        description=r.beskrivning, confidentiality=r.sekretess,
        lat=None if pd.isna(r.lat) else float(r.lat), lon=None if pd.isna(r.lon) else float(r.lon),
        time=schema.stored_time(_value(r, "tid")), dataset_id=dataset_id) for r in frame.itertuples(index=False)])


def store_actions(conn, frame: pd.DataFrame, dataset_id: int | None, file_name: str) -> None:
    """Insert actions inside the caller's transaction; every place must already exist."""
    ids = _place_ids(conn)
    problems = [Problem(file_name, f'okänd plats "{name}"; lägg först till platsen', int(number), "plats")
                for number, name in zip(frame["rad"], frame["plats"]) if name.casefold() not in ids]
    raise_if(problems)
    conn.execute(insert(db.action), [dict(
        place_id=ids[r.plats.casefold()], date=r.datum, actor=r.aktör, description=r.åtgärd, status=r.status,
        confidentiality=r.sekretess, dataset_id=dataset_id) for r in frame.itertuples(index=False)])


def import_observations(engine: Engine, file_name: str, frame: pd.DataFrame, *, by: Actor) -> int:
    """Store validated observations in one transaction; returns how many were added."""
    audit.import_file(engine, by, "observationer", file_name, len(frame),
                      lambda conn, dataset_id: store_observations(conn, frame, dataset_id, file_name))
    return len(frame)


def import_actions(engine: Engine, file_name: str, frame: pd.DataFrame, *, by: Actor) -> int:
    """Store validated actions in one transaction; returns how many were added."""
    audit.import_file(engine, by, "åtgärder", file_name, len(frame),
                      lambda conn, dataset_id: store_actions(conn, frame, dataset_id, file_name))
    return len(frame)


def import_places(engine: Engine, file_name: str, frame: pd.DataFrame, *, by: Actor) -> int:
    """Store validated places in one transaction; returns how many were added."""
    audit.import_file(engine, by, "platser", file_name, len(frame),
                      lambda conn, dataset_id: store_places(conn, frame, dataset_id, file_name))
    return len(frame)


# --- forms: one entry at a time, every problem reported at once, saved at once ----------------------

def _text_problems(values: dict[str, str], required: tuple[str, ...]) -> list[Problem]:
    problems = [Problem(FORM, "värde saknas", None, column) for column in required if not values.get(column)]
    problems += [Problem(FORM, reason, None, column) for column, text in values.items() for reason in personal_data(text)]
    return problems


def _choice_problem(value: object, allowed: tuple[str, ...]) -> str:
    if not value:
        return f"välj {', '.join(allowed[:-1])} eller {allowed[-1]}"
    return f'"{value}" är inte ett tillåtet värde (tillåtna: {", ".join(allowed)})'


def _choice_problems(values: dict[str, object], allowed: dict[str, tuple[str, ...]]) -> list[Problem]:
    return [Problem(FORM, _choice_problem(values[c], allowed[c]), None, c) for c in allowed if values[c] not in allowed[c]]


def _point_problems(lat: float | None, lon: float | None, required: bool) -> list[Problem]:
    if lat is None and lon is None:
        return [Problem(FORM, "välj en punkt på kartan eller skriv koordinaterna", None, "lat")] if required else []
    problems = []
    for name, value in (("lat", lat), ("lon", lon)):
        low, high = SWEDEN[name]
        if value is None:
            problems.append(Problem(FORM, "värde saknas", None, name))
        elif not low <= value <= high:
            problems.append(Problem(FORM, f"{_decimal(value)} ligger utanför Sverige ({_decimal(low)}–{_decimal(high)}); "
                                          "är lat och lon förväxlade?", None, name))
    return problems


def _decimal(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def _date_problems(date: dt.date | None, today: dt.date, future_allowed: bool = False) -> list[Problem]:
    if date is None:
        return [Problem(FORM, "värde saknas", None, "datum")]
    if date > today and not future_allowed:
        return [Problem(FORM, f"{date.isoformat()} har inte inträffat än", None, "datum")]
    return []


def _known_place(conn, place: str) -> list[Problem]:
    live = {name.casefold() for (name,) in conn.execute(select(db.place.c.name).where(db.place.c.removed_at.is_(None)))}
    if place and place.casefold() not in live:
        return [Problem(FORM, f'okänd plats "{place}"; lägg först till platsen', None, "plats")]
    return []


def add_observation(engine: Engine, place: str, date: dt.date | None, category: str, organisation: str,
                    description: str, confidentiality: str | None, lat: float | None = None,
                    lon: float | None = None, today: dt.date | None = None, *, by: Actor,
                    time: dt.time | str | None = None) -> int:
    """Save one observation from the form (at the place, or at its own point) and return its id; raises InputError naming every field at fault."""
    auth.require(by.role, "registrera")
    today = today or dt.date.today()
    texts = {"plats": (place or "").strip(), "organisation": (organisation or "").strip(),
             "beskrivning": (description or "").strip()}
    problems = _text_problems(texts, ("plats", "organisation", "beskrivning"))
    problems += _date_problems(date, today)
    problems += _choice_problems({"kategori": category, "sekretess": confidentiality},
                                 {"kategori": CATEGORIES, "sekretess": CONFIDENTIALITY})
    problems += _point_problems(lat, lon, required=False)
    time, time_problems = _form_time(time)
    problems += time_problems
    with atomic(engine) as conn:
        raise_if(problems + _known_place(conn, texts["plats"]))
        new_id = conn.execute(insert(db.observation).values(
            place_id=_place_ids(conn)[texts["plats"].casefold()], date=date, category=category,
            organisation=texts["organisation"], description=texts["beskrivning"], confidentiality=confidentiality,
            lat=None if lat is None else float(lat), lon=None if lon is None else float(lon),
            time=schema.stored_time(time))).inserted_primary_key[0]
        audit.record(conn, by, db.observation, new_id, "ny", None, audit.row_values(conn, db.observation, new_id))
        db.bump_version(conn)
    return int(new_id)


def _form_time(value: object) -> tuple[dt.time | None, list[Problem]]:
    """The form's time of day (a time, a text such as "21:30", or nothing) and the problem when it is none of them."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, []
    if isinstance(value, dt.time):
        return value.replace(second=0, microsecond=0), []
    parsed = parse_time(value) if isinstance(value, str) else None
    if parsed is None:
        return None, [Problem(FORM, f'"{value}" är inte ett klockslag ({TIME_HINT})', None, "tid")]
    return parsed, []


def add_action(engine: Engine, place: str, date: dt.date | None, actor: str, description: str, status: str | None,
               confidentiality: str | None, today: dt.date | None = None, *, by: Actor) -> int:
    """Save one action from the form and return its id; a planned action may lie ahead, others must have happened."""
    auth.require(by.role, "registrera")
    today = today or dt.date.today()
    texts = {"plats": (place or "").strip(), "aktör": (actor or "").strip(), "åtgärd": (description or "").strip()}
    problems = _text_problems(texts, ("plats", "aktör", "åtgärd"))
    problems += _date_problems(date, today, future_allowed=status == "planerad")
    problems += _choice_problems({"status": status, "sekretess": confidentiality},
                                 {"status": ACTION_STATUSES, "sekretess": CONFIDENTIALITY})
    with atomic(engine) as conn:
        raise_if(problems + _known_place(conn, texts["plats"]))
        new_id = conn.execute(insert(db.action).values(
            place_id=_place_ids(conn)[texts["plats"].casefold()], date=date, actor=texts["aktör"],
            description=texts["åtgärd"], status=status, confidentiality=confidentiality)).inserted_primary_key[0]
        audit.record(conn, by, db.action, new_id, "ny", None, audit.row_values(conn, db.action, new_id))
        db.bump_version(conn)
    return int(new_id)


def add_place(engine: Engine, name: str, lat: float | None, lon: float | None, area: str, forum_id: str | None,
              status: str | None, category: str | None, situation: str = "", next_followup: dt.date | None = None,
              next_step: str = "", today: dt.date | None = None, *, by: Actor) -> int:
    """Save a new place from the form, placed by a click on the map or typed coordinates; returns its id."""
    auth.require(by.role, "registrera")
    today = today or dt.date.today()
    texts = {"namn": (name or "").strip(), "område": (area or "").strip(), "lägesbild": (situation or "").strip(),
             "nästa_steg": (next_step or "").strip()}
    problems = _text_problems(texts, ("namn", "område"))
    problems += _point_problems(lat, lon, required=True)
    problems += _choice_problems({"status": status, "kategori": category or DEFAULT_CATEGORY},
                                 {"status": PLACE_STATUSES, "kategori": CATEGORIES})
    with atomic(engine) as conn:
        if texts["namn"] and texts["namn"].casefold() in _place_ids(conn):
            problems.append(Problem(FORM, f'platsen "{texts["namn"]}" finns redan; välj den i listan i stället', None, "namn"))
        if forum_id and forum_id not in {fid for (fid,) in conn.execute(select(db.forum.c.id))}:
            problems.append(Problem(FORM, f'okänd samverkansaktivitet "{forum_id}"', None, "aktivitet"))
        raise_if(problems)
        new_id = conn.execute(insert(db.place).values(
            name=texts["namn"], lat=float(lat), lon=float(lon), area=texts["område"], forum_id=forum_id or None,
            status=status, category=category or None, situation=texts["lägesbild"],
            situation_date=today if texts["lägesbild"] else None, next_followup=next_followup,
            next_step=texts["nästa_steg"])).inserted_primary_key[0]
        audit.record(conn, by, db.place, new_id, "ny", None, audit.row_values(conn, db.place, new_id))
        db.bump_version(conn)
    return int(new_id)


def update_place(engine: Engine, name: str, status: str | None, situation: str, next_followup: dt.date | None,
                 next_step: str, today: dt.date | None = None, *, by: Actor, version: int | None = None) -> int:
    """Record a place's new status, lägesbild and next follow-up and return the place's new version.

    The lägesbild is dated when its text changes. With `version` (the one the form was opened at) the
    edit is refused with StaleEdit if someone else saved the place in between.
    """
    auth.require(by.role, "redigera")
    today = today or dt.date.today()
    texts = {"lägesbild": (situation or "").strip(), "nästa_steg": (next_step or "").strip()}
    problems = _text_problems(texts, ())
    problems += _choice_problems({"status": status}, {"status": PLACE_STATUSES})
    with atomic(engine) as conn:
        row = conn.execute(select(db.place.c.id, db.place.c.situation, db.place.c.situation_date, db.place.c.version)
                           .where(db.place.c.name == name, db.place.c.removed_at.is_(None))
                           # Locked until commit: "save on top of the latest" must not race another save.
                           .with_for_update()).first()
        if row is None:
            problems.append(Problem(FORM, f'okänd plats "{name}"', None, "plats"))
        raise_if(problems)
        before = audit.row_values(conn, db.place, row.id)
        changed = texts["lägesbild"] != (row.situation or "")
        new_version = audit.edit_guarded(conn, db.place, row.id, row.version if version is None else version, dict(
            status=status, situation=texts["lägesbild"], situation_date=today if changed else row.situation_date,
            next_followup=next_followup, next_step=texts["nästa_steg"]), f"Platsen {name}")
        audit.record(conn, by, db.place, row.id, "ändrad", before, audit.row_values(conn, db.place, row.id))
        db.bump_version(conn)
    return new_version


# update_observation's time when the caller says nothing about it: the stored one stays.
UNCHANGED: Any = object()


def update_observation(engine: Engine, observation_id: int, version: int, date: dt.date | None, category: str,
                       organisation: str, description: str, confidentiality: str | None,
                       today: dt.date | None = None, *, by: Actor, time: dt.time | str | None = UNCHANGED) -> int:
    """Change an observation opened at `version` and return its new version; StaleEdit if someone else saved it first.

    `time` None clears the time of day; left out, the stored one stays.
    """
    auth.require(by.role, "redigera")
    today = today or dt.date.today()
    texts = {"organisation": (organisation or "").strip(), "beskrivning": (description or "").strip()}
    problems = _text_problems(texts, ("organisation", "beskrivning"))
    problems += _date_problems(date, today)
    problems += _choice_problems({"kategori": category, "sekretess": confidentiality},
                                 {"kategori": CATEGORIES, "sekretess": CONFIDENTIALITY})
    changes = {}
    if time is not UNCHANGED:
        time, time_problems = _form_time(time)
        problems += time_problems
        changes["time"] = schema.stored_time(time)
    raise_if(problems)
    with atomic(engine) as conn:
        before = audit.row_values(conn, db.observation, observation_id)
        if before is None or before["removed_at"] is not None:
            raise InputError([Problem(FORM, f"iakttagelse {observation_id} finns inte (den kan ha tagits bort)")])
        new_version = audit.edit_guarded(conn, db.observation, observation_id, version, dict(
            date=date, category=category, organisation=texts["organisation"], description=texts["beskrivning"],
            confidentiality=confidentiality, **changes), "Iakttagelsen")
        audit.record(conn, by, db.observation, observation_id, "ändrad", before,
                     audit.row_values(conn, db.observation, observation_id))
        db.bump_version(conn)
    return new_version


# --- reading ----------------------------------------------------------------------------------------

def _visible(table, include_internal: bool):
    return True if include_internal else table.c.confidentiality == "öppen"


def _frame(conn, query) -> pd.DataFrame:
    # Plain tuples: pandas builds a frame from 50 000 of them five times faster than from SQLAlchemy rows.
    result = conn.execute(query)
    return pd.DataFrame([tuple(row) for row in result], columns=list(result.keys()))


def load_places(engine: Engine) -> pd.DataFrame:
    """Every place with its owner, status, category (may be empty), latest situation and next follow-up."""
    t = db.place
    query = (select(*schema.PLACE.selected(t), db.forum.c.name.label("forum"))
             .select_from(t.outerjoin(db.forum)).where(t.c.removed_at.is_(None)).order_by(t.c.name))
    with engine.connect() as conn:
        return _frame(conn, query)


def load_observations(engine: Engine, include_internal: bool = False) -> pd.DataFrame:
    """Observations joined to their place, at their own point or else the place's, with their time of day or None; internal ones only when asked for."""
    o, p = db.observation, db.place
    query = (select(*schema.OBSERVATION.selected(o, {"place_id": p.c.name}), p.c.lat.label("place_lat"),
                    p.c.lon.label("place_lon"))
             .select_from(o.join(p)).where(_visible(o, include_internal), o.c.removed_at.is_(None),
                                           p.c.removed_at.is_(None)).order_by(o.c.date, o.c.id))
    with engine.connect() as conn:
        frame = _frame(conn, query)
    frame["own_point"] = frame["lat"].notna() & frame["lon"].notna()
    frame["lat"] = frame["lat"].where(frame["own_point"], frame["place_lat"]).astype(float)
    frame["lon"] = frame["lon"].where(frame["own_point"], frame["place_lon"]).astype(float)
    frame["time"] = pd.Series([schema.loaded_time(t) for t in frame["time"]], index=frame.index, dtype=object)
    return frame.drop(columns=["place_lat", "place_lon"])


def load_actions(engine: Engine, include_internal: bool = False) -> pd.DataFrame:
    """Actions joined to their place; internal ones only when asked for."""
    a, p = db.action, db.place
    query = (select(*schema.ACTION.selected(a, {"place_id": p.c.name}))
             .select_from(a.join(p)).where(_visible(a, include_internal), a.c.removed_at.is_(None),
                                           p.c.removed_at.is_(None)).order_by(a.c.date, a.c.id))
    with engine.connect() as conn:
        return _frame(conn, query)


def with_categories(place_frame: pd.DataFrame, observations: pd.DataFrame) -> pd.DataFrame:
    """Places with `category` filled: the stored one, else the most common among its observations.

    A tie goes to the category seen first, so one new observation never flips an established place.
    """
    counts = (observations.groupby(["place", "category"]).agg(n=("id", "size"), first=("date", "min"))
              .reset_index().sort_values(["n", "first"], ascending=[False, True]).drop_duplicates("place"))
    derived = dict(zip(counts["place"], counts["category"]))
    stored = place_frame["category"].where(place_frame["category"].notna() & (place_frame["category"] != ""), None)
    category = [s if isinstance(s, str) and s else derived.get(n, DEFAULT_CATEGORY)
                for s, n in zip(stored, place_frame["name"])]
    return place_frame.assign(category=category)


def in_window(frame: pd.DataFrame, start: dt.date | None, end: dt.date | None) -> pd.DataFrame:
    """Rows whose `date` lies in the window, both ends included."""
    keep = pd.Series(True, index=frame.index)
    if start is not None:
        keep &= frame["date"] >= start
    if end is not None:
        keep &= frame["date"] <= end
    return frame[keep]


def _missing(value) -> bool:
    return value is None or (not isinstance(value, (str, dt.date)) and bool(pd.isna(value)))


# --- export ----------------------------------------------------------------------------------------

def places_table(place_frame: pd.DataFrame) -> pd.DataFrame:
    """Places in the import format (PLACE_FIELDS column names)."""
    return schema.PLACE.export(place_frame)


def observations_table(observations: pd.DataFrame) -> pd.DataFrame:
    """Observations in the import format, the time of day as HH:MM; lat/lon only for those with their own point."""
    own = observations["own_point"] if "own_point" in observations else pd.Series(True, index=observations.index)
    table = schema.OBSERVATION.export(observations)
    return table.assign(lat=observations["lat"].where(own), lon=observations["lon"].where(own))


def to_csv(table: pd.DataFrame) -> bytes:
    """Semicolon CSV with decimal comma and a BOM, as Swedish Excel opens it; formula-like text is quoted with '."""
    safe = table.copy()
    for column in safe.columns:
        if pd.api.types.is_string_dtype(safe[column]) or pd.api.types.is_object_dtype(safe[column]):
            safe[column] = safe[column].map(formula_safe)
    buffer = io.StringIO()
    safe.to_csv(buffer, sep=";", decimal=",", index=False, float_format="%.6f", lineterminator="\r\n")
    return buffer.getvalue().encode("utf-8-sig")


def to_geojson(table: pd.DataFrame, own_point: pd.Series | None = None) -> bytes:
    """A WGS84 FeatureCollection of points; the other columns become properties."""
    features = []
    for index, row in table.iterrows():
        props = {k: (None if not isinstance(v, str) and pd.isna(v) else v) for k, v in row.items() if k not in ("lat", "lon")}
        lat, lon = row["lat"], row["lon"]
        if own_point is not None:
            props["egen_punkt"] = "ja" if own_point.loc[index] else "nej"
        features.append({"type": "Feature", "properties": props,
                         "geometry": {"type": "Point", "coordinates": [round(float(lon), 6), round(float(lat), 6)]}})
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False, indent=1).encode("utf-8")


def places_csv(place_frame: pd.DataFrame) -> bytes:
    """Places as a CSV file in the import format."""
    return to_csv(places_table(place_frame))


def observations_csv(observations: pd.DataFrame) -> bytes:
    """Observations as a CSV file in the import format."""
    return to_csv(observations_table(observations))


def places_geojson(place_frame: pd.DataFrame) -> bytes:
    """Places as GeoJSON points with the import format's properties."""
    return to_geojson(places_table(place_frame))


def observations_geojson(observations: pd.DataFrame) -> bytes:
    """Observations as GeoJSON points (the place's point when they have none, marked egen_punkt: nej)."""
    table = observations_table(observations).assign(lat=observations["lat"], lon=observations["lon"])
    return to_geojson(table, observations["own_point"] if "own_point" in observations else None)
