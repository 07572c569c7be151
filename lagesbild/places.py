"""Unsafe places (otrygga platser): the places, what was observed there and what was done."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, insert, select

from . import db
from .privacy import personal_data
from .problems import InputError, Problem, raise_if
from .tabular import Field, parse_cell, read_table

# The one place to adjust the categories, statuses and confidentiality levels.
CATEGORIES = ("alkohol/narkotika", "våld/rån", "inbrott/stöld", "bosättningar/sovplatser", "ungdomar",
              "fysisk miljö/belysning", "prostitution", "byggetablering", "annat")
PLACE_STATUSES = ("ny", "pågående", "bevakas", "avslutad")
ACTION_STATUSES = ("planerad", "pågår", "genomförd")
CONFIDENTIALITY = ("öppen", "intern")
# Coordinates outside this box are almost always swapped lat/lon or SWEREF 99 metres.
SWEDEN = {"lat": (55.0, 69.5), "lon": (10.5, 24.5)}

PLACE_FIELDS = [
    Field("namn"), Field("lat", "number", minimum=SWEDEN["lat"][0], maximum=SWEDEN["lat"][1]),
    Field("lon", "number", minimum=SWEDEN["lon"][0], maximum=SWEDEN["lon"][1]),
    Field("område"), Field("aktivitet", allow_empty=True, required=False),
    Field("status", "choice", choices=PLACE_STATUSES),
    Field("lägesbild", allow_empty=True, required=False),
    Field("nästa_uppföljning", "date", allow_empty=True, required=False),
    Field("nästa_steg", allow_empty=True, required=False),
]
OBSERVATION_FIELDS = [
    Field("plats"), Field("datum", "date"), Field("kategori", "choice", choices=CATEGORIES),
    Field("organisation"), Field("beskrivning"), Field("sekretess", "choice", choices=CONFIDENTIALITY),
    Field("lat", "number", required=False, allow_empty=True, minimum=SWEDEN["lat"][0], maximum=SWEDEN["lat"][1]),
    Field("lon", "number", required=False, allow_empty=True, minimum=SWEDEN["lon"][0], maximum=SWEDEN["lon"][1]),
]
ACTION_FIELDS = [
    Field("plats"), Field("datum", "date"), Field("aktör"), Field("åtgärd"),
    Field("status", "choice", choices=ACTION_STATUSES), Field("sekretess", "choice", choices=CONFIDENTIALITY),
]
FREE_TEXT = ("lägesbild", "nästa_steg", "beskrivning", "åtgärd")


def privacy_problems(file: str, frame: pd.DataFrame) -> list[Problem]:
    """A problem for every free-text cell that holds personal data."""
    problems = []
    for column in (c for c in FREE_TEXT if c in frame.columns):
        for number, text in zip(frame["rad"], frame[column]):
            problems += [Problem(file, reason, int(number), column) for reason in personal_data(text or "")]
    return problems


def read_places(file_name: str, data: bytes) -> pd.DataFrame:
    """Validated places from a CSV or Excel file."""
    frame = read_table(file_name, data, PLACE_FIELDS)
    problems = privacy_problems(file_name, frame)
    seen: dict[str, int] = {}
    for number, name in zip(frame["rad"], frame["namn"]):
        if name.casefold() in seen:
            problems.append(Problem(file_name, f'platsen "{name}" finns redan på rad {seen[name.casefold()]}', number, "namn"))
        seen[name.casefold()] = number
    raise_if(problems)
    return frame


def read_observations(file_name: str, data: bytes) -> pd.DataFrame:
    """Validated observations from CSV, Excel or GeoJSON (points with the same properties)."""
    if Path(file_name).suffix.lower() in (".geojson", ".json"):
        frame = _observations_from_geojson(file_name, data)
    else:
        frame = read_table(file_name, data, OBSERVATION_FIELDS)
    raise_if(privacy_problems(file_name, frame))
    return frame


def _observations_from_geojson(file_name: str, data: bytes) -> pd.DataFrame:
    try:
        features = json.loads(data.decode("utf-8-sig"))["features"]
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError([Problem(file_name, "filen är inte en GeoJSON FeatureCollection")]) from exc
    problems, records = [], []
    for number, feature in enumerate(features, start=1):
        props = feature.get("properties") or {}
        geometry = feature.get("geometry") or {}
        record: dict[str, object] = {"rad": number}
        for f in OBSERVATION_FIELDS:
            if f.name in ("lat", "lon"):
                continue
            value, error = parse_cell(f, str(props.get(f.name, "") or "").strip())
            if error:
                problems.append(Problem(file_name, error, number, f.name))
            record[f.name] = value
        if geometry.get("type") == "Point":
            record["lon"], record["lat"] = geometry["coordinates"][:2]
        else:
            record["lat"] = record["lon"] = None
        records.append(record)
    raise_if(problems)
    return pd.DataFrame.from_records(records, columns=["rad", *[f.name for f in OBSERVATION_FIELDS]])


def read_actions(file_name: str, data: bytes) -> pd.DataFrame:
    """Validated actions from a CSV or Excel file."""
    frame = read_table(file_name, data, ACTION_FIELDS)
    raise_if(privacy_problems(file_name, frame))
    return frame


def _place_ids(conn) -> dict[str, int]:
    return {name.casefold(): pid for pid, name in conn.execute(select(db.place.c.id, db.place.c.name))}


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
        name=r.namn, lat=r.lat, lon=r.lon, area=r.område, forum_id=r.aktivitet or None, status=r.status,
        situation=r.lägesbild or "", next_followup=_date_or_none(r.nästa_uppföljning),
        next_step=r.nästa_steg or "", dataset_id=dataset_id) for r in frame.itertuples(index=False)])


def _date_or_none(value) -> dt.date | None:
    return None if value is None or pd.isna(value) else value


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
        dataset_id=dataset_id) for r in frame.itertuples(index=False)])


def store_actions(conn, frame: pd.DataFrame, dataset_id: int | None, file_name: str) -> None:
    """Insert actions inside the caller's transaction; every place must already exist."""
    ids = _place_ids(conn)
    problems = [Problem(file_name, f'okänd plats "{name}"; lägg först till platsen', int(number), "plats")
                for number, name in zip(frame["rad"], frame["plats"]) if name.casefold() not in ids]
    raise_if(problems)
    conn.execute(insert(db.action), [dict(
        place_id=ids[r.plats.casefold()], date=r.datum, actor=r.aktör, description=r.åtgärd, status=r.status,
        confidentiality=r.sekretess, dataset_id=dataset_id) for r in frame.itertuples(index=False)])


def import_observations(engine: Engine, file_name: str, frame: pd.DataFrame) -> int:
    """Store validated observations in one transaction; returns how many were added."""
    with engine.begin() as conn:
        dataset_id = db.add_dataset(conn, "observationer", file_name, len(frame))
        store_observations(conn, frame, dataset_id, file_name)
        db.bump_version(conn)
    return len(frame)


def add_observation(engine: Engine, place: str, date: dt.date, category: str, organisation: str,
                    description: str, confidentiality: str) -> None:
    """Save one observation from the form; raises InputError naming the field at fault."""
    frame = pd.DataFrame([{"rad": 1, "plats": place, "datum": date, "kategori": category,
                           "organisation": organisation.strip(), "beskrivning": description.strip(),
                           "sekretess": confidentiality, "lat": None, "lon": None}])
    problems = [Problem("formuläret", "värde saknas", None, column)
                for column in ("organisation", "beskrivning") if not frame.at[0, column]]
    problems += [Problem("formuläret", f'"{frame.at[0, c]}" är inte ett tillåtet värde', None, c)
                 for c, allowed in (("kategori", CATEGORIES), ("sekretess", CONFIDENTIALITY))
                 if frame.at[0, c] not in allowed]
    problems += [Problem("formuläret", reason, None, "beskrivning") for reason in personal_data(description)]
    raise_if(problems)
    with engine.begin() as conn:
        store_observations(conn, frame, None, "formuläret")
        db.bump_version(conn)


def _visible(table, include_internal: bool):
    return True if include_internal else table.c.confidentiality == "öppen"


def load_places(engine: Engine) -> pd.DataFrame:
    """Every place with its owner, status, latest situation and next follow-up."""
    t = db.place
    with engine.connect() as conn:
        rows = conn.execute(select(t.c.id, t.c.name, t.c.lat, t.c.lon, t.c.area, t.c.forum_id, db.forum.c.name,
                                   t.c.status, t.c.situation, t.c.next_followup, t.c.next_step)
                            .select_from(t.outerjoin(db.forum)).order_by(t.c.name)).all()
    return pd.DataFrame(rows, columns=["id", "name", "lat", "lon", "area", "forum_id", "forum", "status",
                                       "situation", "next_followup", "next_step"])


def load_observations(engine: Engine, include_internal: bool = False) -> pd.DataFrame:
    """Observations joined to their place; internal ones only when asked for."""
    o, p = db.observation, db.place
    query = (select(o.c.id, p.c.name, o.c.date, o.c.category, o.c.organisation, o.c.description,
                    o.c.confidentiality, o.c.lat, o.c.lon, p.c.lat, p.c.lon)
             .select_from(o.join(p)).where(_visible(o, include_internal)).order_by(o.c.date, o.c.id))
    with engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(query).all(),
                             columns=["id", "place", "date", "category", "organisation", "description",
                                      "confidentiality", "lat", "lon", "place_lat", "place_lon"])
    frame["lat"] = frame["lat"].fillna(frame["place_lat"]).astype(float)
    frame["lon"] = frame["lon"].fillna(frame["place_lon"]).astype(float)
    return frame.drop(columns=["place_lat", "place_lon"])


def load_actions(engine: Engine, include_internal: bool = False) -> pd.DataFrame:
    """Actions joined to their place; internal ones only when asked for."""
    a, p = db.action, db.place
    query = (select(a.c.id, p.c.name, a.c.date, a.c.actor, a.c.description, a.c.status, a.c.confidentiality)
             .select_from(a.join(p)).where(_visible(a, include_internal)).order_by(a.c.date, a.c.id))
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).all(),
                            columns=["id", "place", "date", "actor", "description", "status", "confidentiality"])
