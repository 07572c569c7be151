"""Stadsdelsområden: their names over time and their boundaries as WGS84 polygons."""
from __future__ import annotations

import datetime as dt
import io
import json
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
from sqlalchemy import Engine, delete, insert, select

from . import audit, db
from .audit import Actor
from .problems import InputError, Problem
from .tabular import normalise_header

SDO_2007 = ("Rinkeby-Kista", "Spånga-Tensta", "Hässelby-Vällingby", "Bromma", "Kungsholmen", "Norrmalm",
            "Östermalm", "Södermalm", "Enskede-Årsta-Vantör", "Skarpnäck", "Farsta", "Älvsjö",
            "Hägersten-Liljeholmen", "Skärholmen")
LPO_NORRMALM = ("Norrmalm", "Östermalm", "Kungsholmen", "Lidingö")


@dataclass(frozen=True)
class AreaChange:
    """A rename or merger of stadsdelsområden: series cross it only with a marked break."""

    date: dt.date
    before: tuple[str, ...]
    after: str
    note: str


AREA_CHANGES = [
    AreaChange(dt.date(2023, 7, 1), ("Norrmalm", "Östermalm"), "Norra innerstaden",
               "Norrmalm och Östermalm slogs ihop till Norra innerstaden"),
]


def area_lineage(area: str) -> list[str]:
    """The area followed through later renames and mergers, oldest name first."""
    names = [area]
    while True:
        change = next((c for c in AREA_CHANGES if names[-1] in c.before and c.after not in names), None)
        if change is None:
            return names
        names.append(change.after)


def area_change(before: str, after: str) -> AreaChange | None:
    """The rename or merger that turned `before` into `after`, if any."""
    return next((c for c in AREA_CHANGES if before in c.before and c.after == after), None)


NAME_COLUMNS = ("namn", "name", "sdo", "sdn", "stadsdelsområde", "stadsdelsnämndsområde", "sdo_namn", "sdn_namn")


def read_boundaries(file_name: str, data: bytes) -> gpd.GeoDataFrame:
    """Area polygons in WGS84 from GeoJSON or a zipped shapefile in any coordinate system."""
    suffix = Path(file_name).suffix.lower()
    if suffix not in (".geojson", ".json", ".zip"):
        raise InputError([Problem(file_name, "områdesgränser tas emot som GeoJSON eller zippad shapefil (.zip)")])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"upload{suffix}"
        if suffix == ".zip":
            _safe_extract(file_name, data, Path(folder) / "shp")
            shapes = sorted((Path(folder) / "shp").rglob("*.shp"))
            if not shapes:
                raise InputError([Problem(file_name, "zip-filen innehåller ingen shapefil (.shp)")])
            path = shapes[0]
        else:
            path.write_bytes(data)
        try:
            frame = gpd.read_file(path)
        except Exception as exc:  # pyogrio raises its own error types for unreadable files
            raise InputError([Problem(file_name, f"filen kunde inte läsas som geodata ({exc})")]) from exc
    if frame.crs is None:
        raise InputError([Problem(file_name, "filen saknar koordinatsystem (för en shapefil: .prj-filen saknas)")])
    name_column = next((c for c in frame.columns if normalise_header(c) in {normalise_header(n) for n in NAME_COLUMNS}), None)
    if name_column is None:
        raise InputError([Problem(file_name, "hittar ingen kolumn med områdets namn (till exempel \"namn\" eller \"sdo_namn\")")])
    problems = [Problem(file_name, "geometrin är inte en yta (polygon)", i + 1, "geometry")
                for i, geom in enumerate(frame.geometry) if geom is None or geom.geom_type not in ("Polygon", "MultiPolygon")]
    problems += [Problem(file_name, "värde saknas", i + 1, name_column)
                 for i, name in enumerate(frame[name_column]) if not str(name or "").strip()]
    if problems:
        raise InputError(problems)
    frame = frame.to_crs(4326)
    frame = frame.rename(columns={name_column: "area"})[["area", "geometry"]]
    frame["area"] = frame["area"].astype(str).str.strip()
    return frame.dissolve(by="area", as_index=False)


def _safe_extract(file_name: str, data: bytes, target: Path, max_bytes: int = 200_000_000) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise InputError([Problem(file_name, "filen är inte en giltig zip-fil")]) from exc
    total = sum(info.file_size for info in archive.infolist())
    if total > max_bytes:
        raise InputError([Problem(file_name, f"zip-filen packas upp till mer än {max_bytes // 1_000_000} MB")])
    for info in archive.infolist():
        destination = (target / info.filename).resolve()
        if not destination.is_relative_to(target.resolve()):
            raise InputError([Problem(file_name, f'zip-filen innehåller en sökväg utanför sin mapp: "{info.filename}"')])
    archive.extractall(target)


def store_boundaries(conn, frame: gpd.GeoDataFrame, source: str, dataset_id: int | None) -> None:
    """Insert or replace area boundaries inside the caller's transaction."""
    for area, geometry in zip(frame["area"], frame.geometry):
        conn.execute(delete(db.boundary).where(db.boundary.c.area == area))
        conn.execute(insert(db.boundary).values(area=area, geojson=json.dumps(geometry.__geo_interface__),
                                                source=source, dataset_id=dataset_id))


def import_boundaries(engine: Engine, file_name: str, frame: gpd.GeoDataFrame, *, by: Actor) -> int:
    """Store boundaries in one transaction; returns how many areas were stored."""
    audit.import_file(engine, by, "områdesgränser", file_name, len(frame),
                      lambda conn, dataset_id: store_boundaries(conn, frame, file_name, dataset_id),
                      områden=list(frame["area"]))
    return len(frame)


def load_boundaries(engine: Engine) -> gpd.GeoDataFrame:
    """Stored boundaries as a WGS84 GeoDataFrame with `area` and `source`."""
    with engine.connect() as conn:
        rows = conn.execute(select(db.boundary.c.area, db.boundary.c.source, db.boundary.c.geojson)).all()
    features = [{"type": "Feature", "properties": {"area": a, "source": s}, "geometry": json.loads(g)}
                for a, s, g in rows]
    if not features:
        return gpd.GeoDataFrame({"area": [], "source": []}, geometry=[], crs=4326)
    return gpd.GeoDataFrame.from_features(features, crs=4326)
