"""Reading survey extracts as Swedish offices produce them, and storing them safely."""
from __future__ import annotations

import io

import pandas as pd
import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from lagesbild import db, surveys
from lagesbild.problems import InputError
from lagesbild.audit import Actor

EDITOR = Actor("test.redaktor", "redaktör")
ADMIN = Actor("test.admin", "administratör")

HEADER = "undersökning;år;område;grupp;indikator;andel;antal_svar"


def csv_bytes(*lines: str, encoding: str = "utf-8", bom: bool = False) -> bytes:
    data = "\r\n".join(lines).encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def problems(data: bytes, name: str = "enkät.csv", **kwargs) -> list[str]:
    with pytest.raises(InputError) as caught:
        surveys.read_extract(name, data, **kwargs)
    return [str(p) for p in caught.value.problems]


def test_excel_semicolon_csv_in_cp1252_with_title_footnotes_and_decimal_comma():
    data = csv_bytes("Medborgarundersökningen 2016 – trygghet", "", HEADER,
                     "Medborgarundersökningen;2016;Norrmalm;Alla;trygg_kvall;70,5;\u00a0398",
                     "Medborgarundersökningen;2016;Hela staden;Alla;trygg_kvall;64,7;4\u00a0531",
                     "", "Källa: Stockholms stad", "Anm. Andel i procent", encoding="cp1252")
    extract = surveys.read_extract("mu.csv", data)
    r = extract.results.set_index("area")
    assert r.loc["Norrmalm", "share"] == 70.5
    assert r.loc["Hela staden", "n"] == 4531
    assert list(r["survey"]) == ["medborgarundersokningen"] * 2
    assert extract.layout == "lång"


def test_utf8_bom_file_with_percent_signs_and_unicode_minus_free_numbers():
    data = csv_bytes(HEADER, "Stockholmsenkäten;2016;Norrmalm;Flickor åk 9;otrygg_ute_sent;12,5 %;17 669", bom=True)
    row = surveys.read_extract("se.csv", data).results.iloc[0]
    assert (row["share"], row["n"], row["grp"]) == (12.5, 17669, "Flickor åk 9")


def test_headers_match_regardless_of_case_spaces_and_underscores():
    data = csv_bytes("Undersökning;ÅR;Område;Grupp;Indikator;Andel;Antal svar",
                     "Medborgarundersökningen;2015;Norrmalm;Alla;trygg_kvall;72;412")
    assert surveys.read_extract("mu.csv", data).results.iloc[0]["n"] == 412


def test_comma_separated_file_with_decimal_point():
    data = csv_bytes("år,område,grupp,indikator,andel,antal_svar", "2016,Norrmalm,Alla,trygg_kvall,70.5,398")
    row = surveys.read_extract("mu.csv", data, survey="medborgarundersokningen").results.iloc[0]
    assert row["share"] == 70.5


def test_official_markers_are_kept_as_missing_with_reason_never_zero():
    data = csv_bytes(HEADER, *(f"Stockholmsenkäten;{year};Norrmalm;Alla;roker;{mark};120"
                               for year, mark in zip((2010, 2012, 2014, 2016), ("..", "–", "U", "XX"))))
    r = surveys.read_extract("se.csv", data).results
    assert r["share"].isna().all()
    assert list(r["missing"]) == ["..", "–", "U", "XX"]
    assert surveys.read_extract("se.csv", data).summary()["saknade värden"] == {"..": 1, "–": 1, "U": 1, "XX": 1}


def test_share_over_100_and_missing_column_are_named():
    bad_share = csv_bytes(HEADER, "Medborgarundersökningen;2016;Norrmalm;Alla;trygg_kvall;130;398")
    assert problems(bad_share) == ['enkät.csv rad 2, kolumn "andel": "130" är större än 100']
    no_n = csv_bytes("undersökning;år;område;grupp;indikator;andel", "Medborgarundersökningen;2016;Norrmalm;Alla;x;70")
    assert problems(no_n) == ['enkät.csv: kolumnen "antal_svar" saknas']


def test_every_problem_in_a_file_is_reported_at_once_with_row_and_column():
    data = csv_bytes("Titel", HEADER,
                     "Medborgarundersökningen;20x6;Norrmalm;Alla;trygg_kvall;70;398",
                     "Medborgarundersökningen;2016;;Alla;trygg_kvall;tolv;398",
                     "Medborgarundersökningen;2016;Norrmalm;Alla;trygg_kvall;70;12,5",
                     "Okänd enkät;2016;Norrmalm;Alla;trygg_kvall;70;-3")
    found = problems(data)
    assert 'enkät.csv rad 3, kolumn "år": "20x6" är inte ett tal' in found
    assert 'enkät.csv rad 4, kolumn "område": värde saknas' in found
    assert 'enkät.csv rad 4, kolumn "andel": "tolv" är inte ett tal' in found
    assert 'enkät.csv rad 5, kolumn "antal_svar": "12,5" är inte ett heltal' in found
    assert 'enkät.csv rad 6, kolumn "antal_svar": "-3" är mindre än 0' in found
    assert any(p.startswith('enkät.csv rad 6, kolumn "undersökning": okänd undersökning "Okänd enkät"') for p in found)


def test_duplicate_cells_name_the_first_row():
    line = "Medborgarundersökningen;2016;Norrmalm;Alla;trygg_kvall;70;398"
    assert problems(csv_bytes(HEADER, line, line)) == [
        'enkät.csv rad 3, kolumn "år": samma undersökning, år, område, grupp och indikator som rad 2']


def test_survey_from_the_title_row_or_the_caller_when_the_file_has_no_column():
    lines = ["år;område;grupp;indikator;andel;antal_svar", "2016;Norrmalm;Alla;trygg_kvall;70;398"]
    titled = surveys.read_extract("x.csv", csv_bytes("Stockholmsenkäten 2016", *lines))
    assert titled.results.iloc[0]["survey"] == "stockholmsenkaten"
    chosen = surveys.read_extract("x.csv", csv_bytes(*lines), survey="medborgarundersokningen")
    assert chosen.results.iloc[0]["survey"] == "medborgarundersokningen"
    assert problems(csv_bytes(*lines), "x.csv")[0].startswith('x.csv rad 2, kolumn "undersökning": undersökningen framgår inte')


def test_wide_table_with_a_column_per_year():
    data = csv_bytes("område;grupp;indikator;2014;2015;2016",
                     "Norrmalm;Alla;trygg_kvall;71,7;72,0;..", "Hela staden;Alla;trygg_kvall;64,9;65,3;64,7")
    extract = surveys.read_extract("bred.csv", data, survey="medborgarundersokningen")
    r = extract.results
    assert extract.layout == "bred"
    assert len(r) == 6 and r["n"].isna().all()
    norrmalm = r[r["area"] == "Norrmalm"].set_index("year")
    assert norrmalm.loc[2015, "share"] == 72.0
    assert norrmalm.loc[2016, "missing"] == ".."


def test_wide_table_bad_value_names_the_year_column():
    data = csv_bytes("område;grupp;indikator;2015;2016", "Norrmalm;Alla;trygg_kvall;72;130")
    assert problems(data, "bred.csv", survey="medborgarundersokningen") == [
        'bred.csv rad 2, kolumn "2016": "130" är större än 100']


def excel_bytes(rows: list[list[object]], percent_cells: tuple[str, ...] = ()) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for cell in percent_cells:
        sheet[cell].number_format = "0.0%"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_excel_with_title_rows_footnotes_and_percent_formatted_cells():
    data = excel_bytes([["Stockholmsenkäten 2016"], ["Elever som känner sig trygga"], [],
                        ["år", "område", "grupp", "indikator", "andel", "antal svar"],
                        [2016, "Norrmalm", "Flickor åk 9", "trygg_ute_sent", 0.712, 140],
                        [2016, "Norrmalm", "Pojkar åk 9", "trygg_ute_sent", 0.85, 151],
                        [], ["Källa: Stockholmsenkäten"]], percent_cells=("E5", "E6"))
    r = surveys.read_extract("se.xlsx", data).results.set_index("grp")
    assert r.loc["Flickor åk 9", "share"] == pytest.approx(71.2)
    assert r.loc["Pojkar åk 9", "n"] == 151
    assert set(r["survey"]) == {"stockholmsenkaten"}


def test_excel_bad_cell_named_by_excel_row():
    data = excel_bytes([["Titel"], ["år", "område", "grupp", "indikator", "andel", "antal_svar"],
                        [2016, "Norrmalm", "Alla", "trygg_kvall", 130, 400]])
    assert problems(data, "mu.xlsx", survey="medborgarundersokningen") == [
        'mu.xlsx rad 3, kolumn "andel": "130" är större än 100']


def test_not_an_excel_file():
    assert problems(b"not a workbook", "trasig.xlsx")[0].startswith("trasig.xlsx: filen kunde inte läsas som Excel")


def test_file_without_a_header_row_says_which_columns_are_missing():
    found = problems(csv_bytes("a;b;c", "1;2;3"))
    assert found[0].startswith('enkät.csv: hittar ingen rubrikrad med kolumnerna "grupp", "indikator", "område"')


def count_results(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(db.survey_result)).scalar()


def test_import_replaces_the_same_cells_and_is_one_transaction(engine):
    before = count_results(engine)
    data = csv_bytes(HEADER, "Medborgarundersökningen;2016;Norrmalm;Alla;trygg_kvall;55,5;400",
                     "Medborgarundersökningen;2017;Norrmalm;Alla;trygg_kvall;69,0;401")
    result = surveys.import_extract(engine, surveys.read_extract("ny.csv", data), by=ADMIN)
    assert result == {"rader": 2, "ersatta": 1}
    assert count_results(engine) == before + 1
    stored = surveys.load_results(engine, "medborgarundersokningen")
    norrmalm = stored[(stored["area"] == "Norrmalm") & (stored["grp"] == "Alla")].set_index("year")
    assert norrmalm.loc[2016, "share"] == 55.5 and norrmalm.loc[2017, "n"] == 401


def test_failed_import_leaves_the_data_as_it_was(engine, monkeypatch):
    before = surveys.load_results(engine)
    data = csv_bytes(HEADER, "Medborgarundersökningen;2016;Norrmalm;Alla;trygg_kvall;10;400")
    extract = surveys.read_extract("ny.csv", data)

    def crash(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(db, "bump_version", crash)  # fails after the rows were written
    with pytest.raises(RuntimeError):
        surveys.import_extract(engine, extract, by=ADMIN)
    pd.testing.assert_frame_equal(surveys.load_results(engine), before)
