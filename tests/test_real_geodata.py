"""Boundary and point files as GIS staff export them: SWEREF 99, odd name columns, broken archives."""
from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Polygon

from lagesbild import areas, places
from lagesbild.audit import Actor
from lagesbild.problems import InputError

ROOT = Path(__file__).resolve().parents[1]
ADMIN = Actor("test.admin", "administratör")
NORRMALM = Polygon([(18.05, 59.33), (18.07, 59.33), (18.07, 59.35), (18.05, 59.35)])


def shared_data(name: str) -> Path:
    """A reference file from the shared data folder beside the repository, else /work/shared/data."""
    for folder in (ROOT.parent / "shared" / "data", ROOT.parent.parent / "shared" / "data", Path("/work/shared/data")):
        if (folder / name).is_file():
            return folder / name
    pytest.fail(f"the reference file {name} is missing: put it in ../shared/data (see its README)")


def errors(function, *args, **kwargs) -> list[str]:
    with pytest.raises(InputError) as caught:
        function(*args, **kwargs)
    return [str(p) for p in caught.value.problems]


def test_the_citys_district_file_imports_as_it_is(engine):
    data = shared_data("sdn_2020.zip").read_bytes()
    frame = areas.read_boundaries("sdn_2020.zip", data)
    assert len(frame) == 13
    assert {"Norrmalm", "Östermalm", "Hässelby-Vällingby", "Enskede-Årsta-Vantör", "Skärholmen"} <= set(frame["area"])
    minx, miny, maxx, maxy = frame.set_index("area").loc[["Norrmalm"]].total_bounds
    assert 18.0 <= minx and maxx <= 18.1 and 59.31 <= miny and maxy <= 59.37
    centre = frame.set_index("area").loc["Norrmalm", "geometry"].representative_point()
    assert 59.33 <= centre.y <= 59.35 and 18.03 <= centre.x <= 18.08
    assert not any(g.has_z for g in frame.geometry)
    assert areas.import_boundaries(engine, "sdn_2020.zip", frame, by=ADMIN) == 13
    assert "Hägersten-Älvsjö" in set(areas.load_boundaries(engine)["area"])


def geojson(features, crs: str | None = None) -> bytes:
    collection = {"type": "FeatureCollection", "features": features}
    if crs:
        collection["crs"] = {"type": "name", "properties": {"name": crs}}
    return json.dumps(collection).encode()


def polygon_feature(properties: dict, polygon: Polygon) -> dict:
    return {"type": "Feature", "properties": properties, "geometry": polygon.__geo_interface__}


def in_crs(polygon: Polygon, epsg: int) -> Polygon:
    return gpd.GeoSeries([polygon], crs=4326).to_crs(epsg).iloc[0]


@pytest.mark.parametrize("epsg", [3006, 3011])
def test_geojson_in_sweref_without_crs_member_is_recognised_and_converted(epsg):
    data = geojson([polygon_feature({"namn": "Norrmalm"}, in_crs(NORRMALM, epsg))])
    frame = areas.read_boundaries("norrmalm.geojson", data)
    assert tuple(frame.total_bounds) == pytest.approx((18.05, 59.33, 18.07, 59.35), abs=1e-5)


def test_geojson_in_metres_that_fit_no_sweref_is_refused_with_a_hint():
    data = geojson([polygon_feature({"namn": "Norrmalm"}, Polygon([(1, 2e6), (2, 2e6), (2, 2.1e6)]))])
    found = errors(areas.read_boundaries, "x.geojson", data)
    assert found[0].startswith("x.geojson: koordinaterna är i meter men filen anger inget koordinatsystem")
    assert "--crs EPSG:3006" in found[0]


def test_name_column_picked_by_its_values_or_named_by_the_user():
    features = [polygon_feature({"KOD": "01", "BENÄMNING": "NORRMALM"}, NORRMALM)]
    assert list(areas.read_boundaries("x.geojson", geojson(features))["area"]) == ["Norrmalm"]
    unknown = [polygon_feature({"KOD": "01", "TEXT": "Ett nytt område"}, NORRMALM)]
    found = errors(areas.read_boundaries, "x.geojson", geojson(unknown))
    assert found == ['x.geojson: hittar ingen kolumn med områdets namn (till exempel "namn" eller "sdo_namn"); filens '
                     'kolumner är "KOD", "TEXT"; ange kolumnen med --namnkolumn eller välj den på sidan Data']
    chosen = areas.read_boundaries("x.geojson", geojson(unknown), name_column="text")
    assert list(chosen["area"]) == ["Ett nytt område"]


def zipped(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def test_zip_with_a_windows_parent_path_is_refused_in_swedish():
    data = zipped({"..\\..\\sdn.shp": b"x" * 100})
    assert errors(areas.read_boundaries, "sdn.zip", data) == [
        'sdn.zip: zip-filen innehåller en sökväg utanför sin mapp: "..\\..\\sdn.shp"; packa bara filerna själva']


def test_zip_with_a_flipped_byte_gets_a_swedish_message_without_server_paths():
    data = bytearray(shared_data("sdn_2020.zip").read_bytes())
    data[2000] ^= 0xFF
    found = errors(areas.read_boundaries, "sdn_2020.zip", bytes(data))
    assert len(found) == 1 and found[0].startswith("sdn_2020.zip: ")
    assert "/tmp" not in found[0] and "Traceback" not in found[0] and "Error" not in found[0]


@pytest.mark.parametrize("junk", [b"", b"PK\x03\x04 not really", b"\x00" * 50])
def test_every_broken_boundary_file_gets_a_swedish_message(junk):
    for name in ("x.zip", "x.geojson"):
        found = errors(areas.read_boundaries, name, junk)
        assert found and "Error" not in found[0] and "/tmp" not in found[0]


OBS_HEADER = "plats;datum;kategori;organisation;beskrivning;sekretess"


@pytest.mark.parametrize("columns,epsg,order", [("N;E", 3006, "ne"), ("E;N", 3011, "en"), ("x;y", 3006, "ne"),
                                                ("x;y", 3011, "en")])
def test_observations_with_sweref_columns_are_converted(columns, epsg, order):
    point = gpd.GeoSeries.from_xy([18.0597], [59.3378], crs=4326).to_crs(epsg).iloc[0]
    north, east = f"{point.y:.1f}".replace(".", ","), f"{point.x:.1f}".replace(".", ",")
    values = f"{north};{east}" if order == "ne" else f"{east};{north}"
    data = f"{OBS_HEADER};{columns}\nVasaparken;2016-12-01;annat;Polisen;Sovplats;öppen;{values}\n".encode()
    row = places.read_observations("obs.csv", data).iloc[0]
    assert (row["lat"], row["lon"]) == pytest.approx((59.3378, 18.0597), abs=1e-5)


def test_observations_in_metres_that_fit_neither_projection_ask_for_the_crs():
    data = f"{OBS_HEADER};N;E\nVasaparken;2016-12-01;annat;Polisen;Sovplats;öppen;6580000;20000000\n".encode()
    found = errors(places.read_observations, "obs.csv", data)
    assert found[0].startswith("obs.csv: koordinaterna är i meter men passar varken SWEREF 99 TM eller SWEREF 99 18 00")
    converted = places.read_observations("obs.csv", data.replace(b"20000000", b"152000"), crs="EPSG:3011")
    assert 59 < converted.iloc[0]["lat"] < 60


def test_point_geojson_in_sweref_without_crs_is_converted():
    point = gpd.GeoSeries.from_xy([18.0597], [59.3378], crs=4326).to_crs(3006).iloc[0]
    feature = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [point.x, point.y]},
               "properties": {"plats": "Vasaparken", "datum": "2016-12-01", "kategori": "annat",
                              "organisation": "Polisen", "beskrivning": "Sovplats", "sekretess": "öppen"}}
    row = places.read_observations("obs.geojson", geojson([feature])).iloc[0]
    assert (row["lat"], row["lon"]) == pytest.approx((59.3378, 18.0597), abs=1e-5)


def test_boundary_columns_for_the_choice_on_the_data_page():
    assert areas.boundary_columns("sdn_2020.zip", shared_data("sdn_2020.zip").read_bytes()) == ["TYP", "KOMMUN", "Sdn_omarde"]
    assert areas.boundary_columns("trasig.zip", b"PK\x03\x04 broken") == []


def test_place_file_with_sweref_99_tm_in_lat_lon_is_refused_with_the_hint_and_read_when_named_n_e():
    point = gpd.GeoSeries.from_xy([18.0597], [59.3378], crs=4326).to_crs(3006).iloc[0]
    wrong = f"namn;lat;lon;område;status\nVasaparken;{point.y:.0f};{point.x:.0f};Norrmalm;ny\n".encode()
    found = errors(places.read_places, "platser.csv", wrong)
    assert any("ser ut som SWEREF 99 TM (meter, inte grader)" in p for p in found)
    right = f"namn;N;E;område;status\nVasaparken;{point.y:.0f};{point.x:.0f};Norrmalm;ny\n".encode()
    row = places.read_places("platser.csv", right).iloc[0]
    assert (row["lat"], row["lon"]) == pytest.approx((59.3378, 18.0597), abs=1e-4)
    assert "N" not in places.read_places("platser.csv", right).columns
