"""Area boundaries from GeoJSON or a zipped shapefile in any CRS, converted to WGS84."""
from __future__ import annotations

import io
import json
import zipfile

import geopandas as gpd
import pytest
from shapely.geometry import Polygon

from lagesbild import areas
from lagesbild.problems import InputError
from lagesbild.audit import Actor

EDITOR = Actor("test.redaktor", "redaktör")
ADMIN = Actor("test.admin", "administratör")

SQUARE = Polygon([(18.05, 59.33), (18.07, 59.33), (18.07, 59.35), (18.05, 59.35)])


def shapefile_zip(tmp_path, frame: gpd.GeoDataFrame) -> bytes:
    frame.to_file(tmp_path / "sdo.shp")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for part in tmp_path.glob("sdo.*"):
            archive.write(part, f"Stadsdelsnämndsområde 2020/{part.name}")
    return out.getvalue()


def test_city_shapefile_in_sweref_99_18_00_becomes_wgs84(tmp_path):
    frame = gpd.GeoDataFrame({"sdn_namn": ["Norrmalm"]}, geometry=[SQUARE], crs=4326).to_crs(3011)
    result = areas.read_boundaries("sdo2020.zip", shapefile_zip(tmp_path, frame))
    assert result.crs.to_epsg() == 4326
    assert list(result["area"]) == ["Norrmalm"]
    minx, miny, maxx, maxy = result.total_bounds
    assert (minx, miny, maxx, maxy) == pytest.approx((18.05, 59.33, 18.07, 59.35), abs=1e-6)


def test_geojson_boundary_is_read_and_stored(engine):
    data = json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"namn": "Östermalm"}, "geometry": SQUARE.__geo_interface__}]}).encode()
    frame = areas.read_boundaries("ostermalm.geojson", data)
    areas.import_boundaries(engine, "ostermalm.geojson", frame, by=ADMIN)
    stored = areas.load_boundaries(engine).set_index("area")  # the example data has all 14 districts of 2007
    assert set(stored.index) == set(areas.SDO_2007) and stored.loc["Östermalm", "source"] == "ostermalm.geojson"


def test_shapefile_without_prj_is_refused(tmp_path):
    frame = gpd.GeoDataFrame({"namn": ["X"]}, geometry=[SQUARE], crs=3011)
    frame.to_file(tmp_path / "sdo.shp")
    (tmp_path / "sdo.prj").unlink()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for part in tmp_path.glob("sdo.*"):
            archive.write(part, part.name)
    with pytest.raises(InputError) as caught:
        areas.read_boundaries("sdo.zip", out.getvalue())
    assert "saknar koordinatsystem" in str(caught.value)


def test_zip_with_a_path_outside_its_folder_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("../../evil.shp", b"x")
    with pytest.raises(InputError) as caught:
        areas.read_boundaries("evil.zip", out.getvalue())
    assert 'sökväg utanför sin mapp: "../../evil.shp"' in str(caught.value)


def test_missing_name_column_and_wrong_type_are_named():
    data = json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"kod": 1}, "geometry": SQUARE.__geo_interface__}]}).encode()
    with pytest.raises(InputError, match="hittar ingen kolumn med områdets namn"):
        areas.read_boundaries("x.geojson", data)
    with pytest.raises(InputError, match="GeoJSON eller zippad shapefil"):
        areas.read_boundaries("x.kml", b"")
