"""Real files as analysts bring them: refused with a reason naming file, row and column, or stored right."""
from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook

from lagesbild import surveys, tabular
from lagesbild.problems import InputError

HEADER = "undersökning;år;område;grupp;indikator;andel;antal_svar"


def problems(data: bytes, name: str = "enkät.csv", **kwargs) -> list[str]:
    with pytest.raises(InputError) as caught:
        surveys.read_extract(name, data, **kwargs)
    return [str(p) for p in caught.value.problems]


def lines(*rows: str) -> list[str]:
    return [HEADER, *rows]


def test_cp1252_file_with_one_utf8_row_is_refused_naming_the_row():
    rows = lines("Medborgarundersökningen;2016;Östermalm;Alla;trygg_kvall;70,5;398",
                 "Medborgarundersökningen;2016;Skärholmen;Alla;trygg_kvall;60,1;301",
                 "Medborgarundersökningen;2016;Södermalm;Alla;trygg_kvall;66,0;350")
    data = b"\r\n".join(r.encode("utf-8" if i == 2 else "cp1252") for i, r in enumerate(rows))
    found = problems(data)
    assert len(found) == 1
    assert found[0].startswith("enkät.csv rad 3: raden är skriven i UTF-8 men resten av filen i Windows-1252")
    assert "CSV UTF-8" in found[0]


def test_utf8_file_with_one_cp1252_row_is_refused_naming_the_row():
    rows = lines("Medborgarundersökningen;2016;Östermalm;Alla;trygg_kvall;70,5;398",
                 "Medborgarundersökningen;2016;Skärholmen;Alla;trygg_kvall;60,1;301",
                 "Medborgarundersökningen;2016;Södermalm;Alla;trygg_kvall;66,0;350")
    data = b"\xef\xbb\xbf" + b"\n".join(r.encode("cp1252" if i == 3 else "utf-8") for i, r in enumerate(rows))
    found = problems(data)
    assert found == [f"enkät.csv rad 4: raden är skriven i Windows-1252 (ANSI) men resten av filen i UTF-8, så å, ä "
                     f"och ö skulle bli fel; {tabular.SAVE_ONE_ENCODING}"]


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252", "utf-8-sig"])
def test_a_file_in_one_encoding_keeps_its_letters(encoding):
    data = "\n".join(lines("Medborgarundersökningen;2016;Skärholmen;Alla;trygg_kvall;60,1;301",
                           "Medborgarundersökningen;2016;Östermalm;Alla;trygg_kvall;70,5;398")).encode(encoding)
    assert set(surveys.read_extract("mu.csv", data).results["area"]) == {"Skärholmen", "Östermalm"}


def test_shares_written_as_fractions_are_refused_with_a_hint_or_scaled_when_asked():
    data = "\n".join(lines("Medborgarundersökningen;2016;Norrmalm;Alla;trygg_kvall;0,652;398",
                           "Medborgarundersökningen;2016;Östermalm;Alla;trygg_kvall;0,7;350")).encode()
    found = problems(data)
    assert len(found) == 1
    assert found[0].startswith('enkät.csv kolumn "andel": alla andelar är högst 1 (till exempel 0,652)')
    assert "--skala bråk" in found[0] and "65,2" in found[0]
    scaled = surveys.read_extract("enkät.csv", data, scale="bråk").results.set_index("area")
    assert scaled.loc["Norrmalm", "share"] == pytest.approx(65.2)
    assert surveys.read_extract("enkät.csv", data, scale="procent").results["share"].max() == pytest.approx(0.7)
    percent = "\n".join(lines("Medborgarundersökningen;2016;Norrmalm;Alla;trygg_kvall;65,2;398")).encode()
    assert problems(percent, scale="bråk") == [
        'enkät.csv rad 2, kolumn "andel": med skalan bråk ska varje andel vara mellan 0 och 1; importera utan '
        'skalan bråk om andelarna är skrivna i procent']


def test_marked_year_columns_keep_their_year_and_the_marker_as_a_note():
    data = "\n".join(["område;grupp;indikator;2014;2015*;2016 (prel.)",
                      "Norrmalm;Alla;trygg_kvall;71,7;72,0;73,1"]).encode()
    r = surveys.read_extract("bred.csv", data, survey="medborgarundersokningen").results.set_index("year")
    assert list(r.index) == [2014, 2015, 2016]
    assert r.loc[2015, "share"] == 72.0 and r.loc[2016, "share"] == 73.1
    assert r.loc[2014, "note"] == ""
    assert r.loc[2015, "note"] == 'markerad * i kolumnrubriken "2015*"'
    assert r.loc[2016, "note"] == 'preliminär uppgift (kolumnen "2016 (prel.)")'


def formula_workbook() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["år", "område", "grupp", "indikator", "andel", "antal_svar"])
    for row in range(2, 8):
        sheet.append([2016, f"Område {row}", "Alla", "trygg_kvall", 70 + row, 400])
    sheet["E7"] = "=E6+1"  # openpyxl saves a formula without its result, as a script would
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_excel_formula_without_a_saved_value_is_refused_naming_the_cell():
    found = problems(formula_workbook(), "mu.xlsx", survey="medborgarundersokningen")
    assert found == ["mu.xlsx: cell E7 är en formel utan sparat värde, så värdet går inte att läsa; öppna filen i "
                     "Excel och spara den (eller klistra in cellerna som värden) och läs in den igen"]


def test_broken_workbook_gets_a_swedish_message_without_a_traceback():
    data = bytearray(formula_workbook())
    data[len(data) // 2] ^= 0xFF
    found = problems(bytes(data), "trasig.xlsx")
    assert found[0].startswith("trasig.xlsx: filen kunde inte läsas som Excel-arbetsbok")
    assert "Traceback" not in found[0] and "/" not in found[0].split(":", 1)[1].replace("/ ", "")


def test_a_row_with_too_many_cells_is_named():
    data = "\n".join(lines("Medborgarundersökningen;2016;Norrmalm;Alla;trygg_kvall;65,2;398",
                           "Medborgarundersökningen;2016;Norrmalm;Alla;trygg_kvall;65;2;398")).encode()
    assert problems(data) == ["enkät.csv rad 3: raden har fler ifyllda celler än rubrikraden har kolumner (7); ta bort "
                              "de överflödiga cellerna, ge dem en rubrik eller sätt texten inom citattecken"]
    trailing = "\n".join(lines("Medborgarundersökningen;2016;Norrmalm;Alla;trygg_kvall;65,2;398;",
                                "Medborgarundersökningen;2016;Östermalm;Alla;trygg_kvall;66,2;398;;")).encode()
    assert len(surveys.read_extract("enkät.csv", trailing).results) == 2


def test_free_text_notes_are_checked_for_personal_data():
    data = "\n".join([HEADER + ";anmärkning",
                      "Medborgarundersökningen;2016;Norrmalm;Alla;trygg_kvall;65,2;398;ring 070-123 45 67"]).encode()
    found = problems(data)
    assert len(found) == 1 and found[0].startswith('enkät.csv rad 2, kolumn "anmärkning": texten innehåller ett mobilnummer')


def test_names_spelt_five_ways_land_on_the_known_area_group_and_indicator():
    data = "\n".join(["undersökning;år;region;kön;indikator;andel;antal_svar",
                      "Medborgarundersökningen;2012;NORRMALM;Alla;trygg_kvall;65,2;398",
                      "Medborgarundersökningen;2013;Norrmalm ;totalt;Trygg_kvall;66,2;398",
                      "Medborgarundersökningen;2014;Norrmalm SDF;Alla;trygg kvall;67,2;398",
                      "Medborgarundersökningen;2015;Norrmalms stadsdelsförvaltning;Alla;TRYGG_KVALL;68,2;398",
                      "Medborgarundersökningen;2016;norrmalm;ALLA;trygg_kvall;69,2;398",
                      "Medborgarundersökningen;2016;0180 Stockholm;Alla;trygg_kvall;64,7;4531",
                      "Medborgarundersökningen;2016;Stockholms stad;Kvinnor;trygg_kvall;60,1;2300",
                      "Medborgarundersökningen;2016;Nytt område;Alla;trygg_kvall;50,0;100",
                      "Medborgarundersökningen;2015;NYTT OMRÅDE;Alla;trygg_kvall;51,0;100"]).encode()
    known = surveys.KnownNames(areas=surveys.default_known().areas, groups=("Alla", "Kvinnor"),
                               indicators=("trygg_kvall",))
    extract = surveys.read_extract("px.csv", data, known=known)
    r = extract.results
    assert sorted(set(r["area"])) == ["Hela staden", "Norrmalm", "Nytt område"]
    assert set(r["grp"]) == {"Alla", "Kvinnor"} and set(r["indicator"]) == {"trygg_kvall"}
    assert extract.new_names == {"områden": ["Nytt område"], "grupper": [], "indikatorer": []}


def test_two_spellings_of_the_same_cell_are_duplicates():
    data = "\n".join(lines("Medborgarundersökningen;2016;Norrmalm;Alla;trygg_kvall;65,2;398",
                           "Medborgarundersökningen;2016;NORRMALM ;Alla;Trygg_kvall;66,0;398")).encode()
    assert problems(data) == [
        'enkät.csv rad 3, kolumn "år": samma undersökning, år, område, grupp och indikator som rad 2']


def test_diff_shows_new_changed_and_unchanged_before_anything_is_saved(engine):
    from lagesbild.audit import Actor

    stored = surveys.load_results(engine, "medborgarundersokningen")
    old = stored[(stored["area"] == "Norrmalm") & (stored["grp"] == "Alla") & (stored["year"] == 2016)].iloc[0]
    same = stored[(stored["area"] == "Norrmalm") & (stored["grp"] == "Alla") & (stored["year"] == 2015)].iloc[0]
    data = "\n".join([
        HEADER + ";anmärkning",
        f"Medborgarundersökningen;2016;NORRMALM;Alla;{old.indicator};55,5;{old.n};{old.note}",
        f"Medborgarundersökningen;2015;Norrmalm;Alla;{same.indicator};{str(same.share).replace('.', ',')};{same.n};"
        f"{same.note}",
        f"Medborgarundersökningen;2017;Norrmalm;Alla;{old.indicator};60,0;400;"]).encode()
    extract = surveys.read_extract("ny.csv", data, known=surveys.known_names(engine))
    diff = surveys.diff_extract(engine, extract)
    assert (diff.new, diff.changed, diff.unchanged) == (1, 1, 1)
    assert diff.examples == [f"Norrmalm, Alla, {old.indicator} 2016: {str(old.share).replace('.', ',')} → 55,5"]
    before = len(surveys.load_results(engine))
    result = surveys.import_extract(engine, extract, by=Actor("test.admin", "administratör"))
    assert result == {"rader": 3, "ersatta": 1}
    assert len(surveys.load_results(engine)) == before + 1


def test_importing_the_same_file_twice_changes_nothing_the_second_time(engine):
    from lagesbild.audit import Actor

    data = "\n".join([HEADER + ";anmärkning",
                      "Medborgarundersökningen;2019;Norrmalm;Alla;trygg_kvall;..;;",
                      "Medborgarundersökningen;2019;Östermalm;Alla;trygg_kvall;66,6;400;Ny fråga"]).encode()
    extract = surveys.read_extract("ny.csv", data)
    assert surveys.import_extract(engine, extract, by=Actor("a", "administratör")) == {"rader": 2, "ersatta": 0}
    diff = surveys.diff_extract(engine, surveys.read_extract("ny.csv", data))
    assert (diff.new, diff.changed, diff.unchanged) == (0, 0, 2)


JUNK = {
    "empty": b"",
    "utf16": "år;område\r\n2016;Norrmalm".encode("utf-16"),
    "binary": bytes(range(256)) * 4,
    "zip_header": b"PK\x03\x04" + b"\x00" * 40,
    "only_header": HEADER.encode(),
    "quote": (HEADER + '\n"Medborgarundersökningen;2016;Norrmalm').encode(),
    "json_list": b"[1, 2, 3]",
    "json_null": b"null",
    "geojson_bad_geometry": b'{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": {"type": "Point", '
                            b'"coordinates": "x"}, "properties": null}]}',
    "parquet": b"PAR1\x00\x00PAR1",
}


@pytest.mark.parametrize("name", ["x.csv", "x.xlsx", "x.geojson", "x.zip", "x.parquet"])
@pytest.mark.parametrize("junk", list(JUNK))
@pytest.mark.parametrize("kind", [None, "undersökning", "svar", "platser", "iakttagelser", "åtgärder", "gränser"])
def test_no_broken_file_gives_anything_but_a_swedish_message(name, junk, kind):
    from lagesbild import importing

    try:
        importing.check_file(name, JUNK[junk], kind)
    except InputError as error:
        assert error.problems and all(p.file == name for p in error.problems)
        assert not any("Traceback" in str(p) or "/tmp" in str(p) for p in error.problems)


def test_data_page_offers_every_kind_and_the_choices_a_file_may_leave_open():
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    from tests.roles import as_role

    at = as_role(AppTest.from_file(str(Path(__file__).parents[1] / "pages" / "data.py"), default_timeout=60),
                 "administratör").run()
    assert not at.exception
    kinds = at.selectbox(key="import_kind")
    assert kinds.options[0] == "Känn igen automatiskt" and "Områdesgränser (GeoJSON eller zippad shapefil)" in kinds.options
    assert at.radio(key="import_scale").options == ["Avgör från filen", "Procent (65,2)", "Bråk (0,652)"]
    assert "SWEREF 99 TM (EPSG:3006)" in at.selectbox(key="import_crs").options


def test_a_big_import_stores_every_row_whatever_order_it_is_inserted_in(engine):
    from lagesbild.audit import Actor

    rows = [f"Medborgarundersökningen;{2000 + i % 20};Område {i // 20 % 30};Grupp {i // 600};trygg_kvall;"
            f"{i % 100},5;{100 + i}" for i in range(12_000)]
    extract = surveys.read_extract("stor.csv", "\n".join(lines(*reversed(rows))).encode())
    surveys.import_extract(engine, extract, by=Actor("a", "administratör"))
    stored = surveys.load_results(engine)
    stored = stored[stored["area"].str.startswith("Område ")].set_index(["year", "area", "grp"])
    assert len(stored) == 12_000
    assert stored.loc[(2005, "Område 3", "Grupp 1"), "n"] == 100 + 665
