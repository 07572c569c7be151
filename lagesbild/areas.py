"""Stadsdelsområden: their names over time and their boundaries as WGS84 polygons."""
from __future__ import annotations

import datetime as dt
import io
import json
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import re
import warnings
from typing import TYPE_CHECKING

from sqlalchemy import Engine, delete, insert, select

from . import audit, db
from .audit import Actor
from .problems import InputError, Problem
from .tabular import normalise_header

if TYPE_CHECKING:
    import geopandas as gpd

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
    AreaChange(dt.date(2020, 1, 1), ("Hägersten-Liljeholmen", "Älvsjö"), "Hägersten-Älvsjö",
               "Hägersten-Liljeholmen och Älvsjö slogs ihop till Hägersten-Älvsjö"),
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


UNREADABLE = ("filen kunde inte läsas som geodata: den är skadad eller inte i ett format som tas emot; spara den som "
              "GeoJSON, eller som shapefil där .shp, .shx, .dbf och .prj ligger i samma zip-fil")


def read_boundaries(file_name: str, data: bytes, name_column: str | None = None, crs: str | None = None,
                    known: tuple[str, ...] | None = None) -> gpd.GeoDataFrame:
    """Area polygons in WGS84 from GeoJSON or a zipped shapefile in any coordinate system.

    The name column is a recognised one ("namn", "sdn_namn", …), else `name_column`, else the column whose
    values match known area names. Coordinates in metres without a stated system are recognised as
    SWEREF 99 TM or 18 00 (or given as `crs`).
    """
    import geopandas as gpd

    from .places import CRS_HINT, crs_code, guess_sweref

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
            if len(shapes) > 1:
                raise InputError([Problem(file_name, "zip-filen innehåller flera shapefiler (" + ", ".join(
                    s.name for s in shapes) + "); lägg en shapefil per zip-fil")])
            path = shapes[0]
        else:
            path.write_bytes(data)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # "Measured (M) geometry types are not supported": M is dropped
                frame = gpd.read_file(path)
        except Exception as exc:  # pyogrio raises its own error types for unreadable files
            raise InputError([Problem(file_name, UNREADABLE)]) from exc
    given = crs_code(crs) if crs else None
    if crs and given is None:
        raise InputError([Problem(file_name, f'okänt koordinatsystem "{crs}"; {CRS_HINT}')])
    if frame.empty:
        raise InputError([Problem(file_name, "filen innehåller inga områden")])
    minx, miny, maxx, maxy = frame.total_bounds
    in_metres = max(abs(minx), abs(miny), abs(maxx), abs(maxy)) > 1000
    if given:
        frame = frame.set_crs(given, allow_override=True)
    elif frame.crs is None:
        raise InputError([Problem(file_name, "filen saknar koordinatsystem (för en shapefil: .prj-filen saknas); "
                                             + CRS_HINT)])
    elif in_metres and frame.crs.to_epsg() == 4326:
        # GeoJSON is WGS84 by definition, so a file in metres without a "crs" member says nothing true about itself.
        guessed = guess_sweref(frame.geometry.bounds[["minx", "maxx"]].to_numpy().ravel())
        if guessed is None or not NORTHING_RANGE[0] <= miny <= maxy <= NORTHING_RANGE[1]:
            raise InputError([Problem(file_name, "koordinaterna är i meter men filen anger inget koordinatsystem, och "
                                                 f"de passar varken SWEREF 99 TM eller SWEREF 99 18 00; {CRS_HINT}")])
        frame = frame.set_crs(guessed, allow_override=True)
    name_column = _name_column(file_name, frame, name_column, known)
    problems = [Problem(file_name, "geometrin är inte en yta (polygon)", i + 1, "geometry")
                for i, geom in enumerate(frame.geometry) if geom is None or geom.geom_type not in ("Polygon", "MultiPolygon")]
    problems += [Problem(file_name, "värde saknas", i + 1, name_column)
                 for i, name in enumerate(frame[name_column]) if not str(name or "").strip()]
    if problems:
        raise InputError(problems)
    try:
        frame = frame.to_crs(4326)
    except Exception as exc:  # pyproj refuses a system it cannot transform
        raise InputError([Problem(file_name, f"koordinatsystemet går inte att räkna om till WGS84; {CRS_HINT}")]) from exc
    minx, miny, maxx, maxy = frame.total_bounds
    if not (10.5 <= minx and maxx <= 24.5 and 55 <= miny and maxy <= 69.5):
        raise InputError([Problem(file_name, "områdena hamnar utanför Sverige; kontrollera koordinatsystemet, " + CRS_HINT)])
    from shapely import force_2d

    frame = frame.rename(columns={name_column: "area"})[["area", "geometry"]]
    frame["geometry"] = force_2d(frame.geometry.to_numpy())
    from .surveys import canonical_names, default_known

    texts = [str(a) for a in frame["area"]]
    frame["area"] = canonical_names("area", known or default_known().areas, texts)
    return frame.dissolve(by="area", as_index=False)


NORTHING_RANGE = (6_100_000, 7_700_000)


def _name_column(file_name: str, frame, chosen: str | None, known: tuple[str, ...] | None) -> str:
    from .surveys import default_known, name_key

    columns = [c for c in frame.columns if c != frame.geometry.name]
    if chosen:
        match = next((c for c in columns if normalise_header(c) == normalise_header(chosen)), None)
        if match is None:
            raise InputError([Problem(file_name, f'kolumnen "{chosen}" finns inte; filens kolumner är '
                                                 + ", ".join(f'"{c}"' for c in columns))])
        return match
    recognised = {normalise_header(n) for n in NAME_COLUMNS}
    match = next((c for c in columns if normalise_header(c) in recognised), None)
    if match is not None:
        return match
    keys = {name_key(a) for a in (known or default_known().areas)}
    scores = {}
    for c in columns:
        values = [str(v) for v in frame[c] if isinstance(v, str) and v.strip()]
        if values:
            scores[c] = sum(name_key(re.sub(r"\s+", " ", v).strip()) in keys for v in values) / len(frame)
    best = max(scores, key=scores.get, default=None)
    if best is not None and scores[best] > 0:
        return best
    raise InputError([Problem(file_name, "hittar ingen kolumn med områdets namn (till exempel \"namn\" eller "
                                         "\"sdo_namn\"); filens kolumner är " + ", ".join(f'"{c}"' for c in columns)
                                         + "; ange kolumnen med --namnkolumn eller välj den på sidan Data")])


def boundary_columns(file_name: str, data: bytes) -> list[str]:
    """The columns of a boundary file, for the user to choose the name column from."""
    import geopandas as gpd

    suffix = Path(file_name).suffix.lower()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"upload{suffix}"
        if suffix == ".zip":
            try:
                _safe_extract(file_name, data, Path(folder) / "shp")
            except InputError:
                return []  # the full read names the problem
            shapes = sorted((Path(folder) / "shp").rglob("*.shp"))
            if not shapes:
                return []
            path = shapes[0]
        else:
            path.write_bytes(data)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                frame = gpd.read_file(path, rows=1)
        except Exception:  # the full read names the problem
            return []
    return [c for c in frame.columns if c != "geometry"]


def _safe_extract(file_name: str, data: bytes, target: Path, max_bytes: int = 200_000_000) -> None:
    broken = ("zip-filen är skadad och kan inte packas upp; ladda ned eller packa filen på nytt (i Utforskaren: "
              "högerklicka, Skicka till, Komprimerad mapp)")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise InputError([Problem(file_name, "filen är inte en giltig zip-fil; " + broken.split("; ", 1)[1])]) from exc
    total = sum(info.file_size for info in members)
    if total > max_bytes:
        raise InputError([Problem(file_name, f"zip-filen packas upp till mer än {max_bytes // 1_000_000} MB")])
    for info in members:
        # A Windows zip tool may write "..\\" as the separator: it counts as one too.
        parts = info.filename.replace("\\", "/").split("/")
        if ".." in parts or info.filename.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", info.filename):
            raise InputError([Problem(file_name, f'zip-filen innehåller en sökväg utanför sin mapp: "{info.filename}"; '
                                                 "packa bara filerna själva")])
    try:
        for info in members:
            if info.is_dir():
                continue
            destination = target / Path(*[p for p in info.filename.replace("\\", "/").split("/") if p not in ("", ".")])
            destination.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(info) as source, open(destination, "wb") as out:
                while chunk := source.read(1 << 20):
                    out.write(chunk)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, NotImplementedError, EOFError, OSError, ValueError) as exc:
        raise InputError([Problem(file_name, broken)]) from exc


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
    import geopandas as gpd

    if not features:
        return gpd.GeoDataFrame({"area": [], "source": []}, geometry=[], crs=4326)
    return gpd.GeoDataFrame.from_features(features, crs=4326)
