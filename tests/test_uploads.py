"""Hostile input: upload size and type, zip archives that escape their folder or unpack too large."""
from __future__ import annotations

import io
import zipfile

import pytest

from lagesbild import areas, uploads
from lagesbild.problems import InputError


def zip_of(**files: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name.replace("__", "/"), data)
    return out.getvalue()


def test_an_upload_over_the_limit_is_refused_naming_the_limit():
    with pytest.raises(InputError) as caught:
        uploads.check_upload("stor.csv", b"x" * 2_000_000, "import", max_bytes=1024 * 1024)
    assert "största tillåtna storlek är 1 MB" in str(caught.value)
    uploads.check_upload("liten.csv", b"x" * 1000, "import", max_bytes=1024 * 1024)


def test_the_server_limit_is_the_data_layers_limit():
    import tomllib

    from lagesbild.config import ROOT

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] == uploads.MAX_UPLOAD_MB


@pytest.mark.parametrize("kind, name, accepted", [
    ("import", "gränser.zip", True), ("places", "platser.zip", False), ("respondents", "svar.parquet", True),
    ("import", "skript.exe", False), ("places", "platser.XLSX", True)])
def test_each_upload_takes_only_its_own_kinds_of_file(kind, name, accepted):
    if accepted:
        uploads.check_upload(name, b"", kind)
    else:
        with pytest.raises(InputError, match="tas inte emot här"):
            uploads.check_upload(name, b"", kind)


def test_a_zip_slip_archive_is_refused_and_nothing_is_written(tmp_path):
    data = zip_of(**{"ok.txt": b"ok", "..__..__evil.shp": b"x"})
    with pytest.raises(InputError, match="sökväg utanför sin mapp"):
        areas._safe_extract("evil.zip", data, tmp_path / "shp")
    assert not (tmp_path / "shp").exists() and not (tmp_path.parent / "evil.shp").exists()


def test_an_absolute_path_in_a_zip_is_refused(tmp_path):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(zipfile.ZipInfo("/tmp/evil.shp"), b"x")
    with pytest.raises(InputError):
        areas._safe_extract("evil.zip", out.getvalue(), tmp_path / "shp")


def test_an_archive_that_unpacks_too_large_is_refused_before_unpacking(tmp_path):
    data = zip_of(**{"bomb.shp": b"\0" * 3_000_000})
    assert len(data) < 10_000  # small to upload, large to unpack
    with pytest.raises(InputError, match="packas upp till mer än 1 MB"):
        areas._safe_extract("bomb.zip", data, tmp_path / "shp", max_bytes=1_000_000)
    assert not (tmp_path / "shp").exists()
