"""Respondent-level extracts: read as analysts bring them, aggregated into the same shares, n and intervals."""
from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from openpyxl import Workbook

from lagesbild import respondents, stats
from lagesbild.problems import InputError
from lagesbild.surveys import ALL, CITY

HEADER = "löpnummer;undersökning;år;område;kön;årskurs;indikator;svar;vikt"


def csv_bytes(*lines: str, encoding: str = "cp1252", bom: bool = False) -> bytes:
    data = "\r\n".join(lines).encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def problems(data: bytes, name: str = "svar.csv") -> list[str]:
    with pytest.raises(InputError) as caught:
        respondents.read_respondents(name, data)
    return [str(p) for p in caught.value.problems]


def cell(frame: pd.DataFrame, year: int, area: str, group: str) -> pd.Series:
    rows = frame[(frame["year"] == year) & (frame["area"] == area) & (frame["grp"] == group)]
    assert len(rows) == 1, rows
    return rows.iloc[0]


PUPILS = csv_bytes(
    "Stockholmsenkäten 2016, svar per elev", "", HEADER,
    "1;Stockholmsenkäten;2016;Norrmalm;Flicka;9;trygg_ute_sent;Mycket trygg;1",
    "2;Stockholmsenkäten;2016;Norrmalm;Flicka;9;trygg_ute_sent;Ganska trygg;3",
    "3;Stockholmsenkäten;2016;Norrmalm;Pojke;9;trygg_ute_sent;Mycket otrygg;2",
    "4;Stockholmsenkäten;2016;Norrmalm;Pojke;gy 2;trygg_ute_sent;;5",
    "5;Stockholmsenkäten;2016;Bromma;Flicka;gy 2;trygg_ute_sent;Går inte ut på kvällen av oro för att utsättas för brott;1,5",
    "6;Stockholmsenkäten;2016;Bromma;Pojke;gy 2;trygg_ute_sent;Ganska trygg;0,5",
    "", "Källa: påhittade svar för testet")


def test_weighted_shares_n_and_effective_n_by_hand():
    extract = respondents.read_respondents("elever.csv", PUPILS)
    assert extract.weighted and extract.rows == 6 and extract.not_in_base == 1
    assert extract.pairs == [("stockholmsenkaten", "trygg_ute_sent")]
    result = respondents.aggregate(extract, "stockholmsenkaten", "trygg_ute_sent")
    norrmalm = cell(result, 2016, "Norrmalm", ALL)
    # safe: weights 1 and 3, unsafe: 2 (the empty answer is outside the base) → 4/6
    assert norrmalm["share"] == pytest.approx(100 * 4 / 6)
    assert norrmalm["n"] == 3
    assert norrmalm["n_eff"] == pytest.approx(36 / 14)  # (1+3+2)² / (1+9+4)
    city = cell(result, 2016, CITY, ALL)
    assert city["share"] == pytest.approx(100 * 4.5 / 8) and city["n"] == 5
    # Groups as the tables name them, and sex × grade as Stockholmsenkäten reports it.
    assert cell(result, 2016, "Norrmalm", "Flickor")["share"] == 100
    assert cell(result, 2016, "Norrmalm", "Pojkar åk 9")["share"] == 0
    assert cell(result, 2016, "Bromma", "gy 2")["n"] == 2
    assert set(result["grp"]) == {ALL, "Flickor", "Pojkar", "åk 9", "gy 2", "Flickor åk 9", "Pojkar åk 9",
                                  "Flickor gy 2", "Pojkar gy 2"}


def test_without_weights_every_answer_counts_once():
    data = csv_bytes("undersökning,år,område,indikator,svar",
                     "Medborgarundersökningen,2016,Norrmalm,trygg_kvall,Instämmer helt",
                     "Medborgarundersökningen,2016,Norrmalm,trygg_kvall,Instämmer inte alls",
                     "Medborgarundersökningen,2016,Norrmalm,trygg_kvall,Ingen uppfattning",
                     "Medborgarundersökningen,2016,Norrmalm,trygg_kvall,instämmer till stor del",
                     encoding="utf-8", bom=True)
    extract = respondents.read_respondents("mu.csv", data)
    result = respondents.aggregate(extract, "medborgarundersokningen", "trygg_kvall")
    row = cell(result, 2016, "Norrmalm", ALL)
    assert not extract.weighted and row["n"] == 3 and row["n_eff"] == 3
    assert row["share"] == pytest.approx(200 / 3)
    assert CITY not in set(result["area"])  # one area is not the whole city


def test_coded_answers_and_survey_from_file_name_and_numeric_ages():
    data = csv_bytes("år;område;ålder;indikator;svar", "2016;Norrmalm;23;nöjd_belysning;1",
                     "2016;Norrmalm;70;nöjd_belysning;0", "2016;Bromma;45;nöjd_belysning;ja")
    extract = respondents.read_respondents("medborgarundersokningen_2016.csv", data)
    result = respondents.aggregate(extract, "medborgarundersokningen", "nöjd_belysning")
    assert cell(result, 2016, "Norrmalm", "18–29 år")["share"] == 100
    assert cell(result, 2016, "Norrmalm", "65 år och äldre")["share"] == 0
    assert cell(result, 2016, CITY, ALL)["share"] == pytest.approx(200 / 3)


def test_every_problem_is_reported_at_once_with_row_and_column():
    data = csv_bytes(HEADER,
                     "1;Stockholmsenkäten;tjugo;Norrmalm;Flicka;9;trygg_ute_sent;Mycket trygg;1",
                     "2;Okänd enkät;2016;Norrmalm;Flicka;9;trygg_ute_sent;Mycket trygg;1",
                     "3;Stockholmsenkäten;2016;;Flicka;9;trygg_ute_sent;Mycket trygg;1",
                     "4;Stockholmsenkäten;2016;Norrmalm;Flicka;9;trygg_ute_sent;Kanske;1",
                     "5;Stockholmsenkäten;2016;Norrmalm;Flicka;9;trygg_ute_sent;Mycket trygg;tung",
                     "6;Stockholmsenkäten;2016;Norrmalm;Flicka;9;trygg_ute_sent;Mycket trygg;0",
                     "7;Stockholmsenkäten;2016;Norrmalm;Flicka;9;trygg_ute_sent;Mycket trygg")
    assert problems(data) == [
        'svar.csv rad 8: raden har 8 kolumner, rubrikraden har 9',
        'svar.csv rad 2, kolumn "år": "tjugo" är inte ett år (1900–2100)',
        'svar.csv rad 4, kolumn "område": värde saknas',
        'svar.csv rad 3, kolumn "undersökning": okänd undersökning "Okänd enkät"',
        'svar.csv rad 5, kolumn "svar": svaret "Kanske" kan inte räknas för indikatorn "trygg_ute_sent" '
        '(förväntat: svarsalternativen i indikatorns definition)',
        'svar.csv rad 6, kolumn "vikt": "tung" är inte ett tal',
        'svar.csv rad 7, kolumn "vikt": vikten måste vara större än 0',
    ]


def test_many_bad_rows_name_five_and_count_the_rest():
    frame = respondents.synthetic_respondents(200, weighted=False)
    frame["år"] = "okänt"
    found = problems(respondents.excel_csv(frame), "medborgarundersokningen.csv")
    assert found[:5] == [f'medborgarundersokningen.csv rad {r}, kolumn "år": "okänt" är inte ett år (1900–2100)'
                         for r in range(2, 7)]
    assert found[5] == 'medborgarundersokningen.csv kolumn "år": ytterligare 195 rader har samma slags fel'


def test_missing_columns_and_unknown_survey_are_named():
    assert problems(csv_bytes("år;område;svar", "2016;Norrmalm;1")) == [
        'svar.csv: hittar ingen rubrikrad med kolumnerna "indikator", "område", "svar", "år" '
        '(första raden har "år", "område", "svar")']
    found = problems(csv_bytes("år;område;indikator;svar", "2016;Norrmalm;x;1"), "svar.csv")
    assert found == ['svar.csv: undersökningen framgår inte; lägg till kolumnen "undersökning" eller skriv '
                     "undersökningens namn i filnamnet"]


def test_excel_and_parquet_give_the_same_result_as_csv():
    frame = respondents.synthetic_respondents(500)
    from_csv = respondents.aggregate(respondents.read_respondents("mu.csv", respondents.excel_csv(frame)),
                                     "medborgarundersokningen", "trygg_kvall")
    book = Workbook()
    sheet = book.active
    sheet.append(["Medborgarundersökningen, svar per person (påhittade)"])
    sheet.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        sheet.append([v.item() if hasattr(v, "item") else v for v in row])
    sheet.append(["Källa: testet"])
    out = io.BytesIO()
    book.save(out)
    from_xlsx = respondents.aggregate(respondents.read_respondents("mu.xlsx", out.getvalue()),
                                      "medborgarundersokningen", "trygg_kvall")
    parquet = io.BytesIO()
    frame.to_parquet(parquet)
    from_parquet = respondents.aggregate(respondents.read_respondents("mu.parquet", parquet.getvalue()),
                                         "medborgarundersokningen", "trygg_kvall")
    pd.testing.assert_frame_equal(from_csv, from_xlsx)
    pd.testing.assert_frame_equal(from_csv, from_parquet)


def test_aggregation_matches_a_plain_pandas_computation():
    frame = respondents.synthetic_respondents(20_000, seed=7)
    result = respondents.aggregate(respondents.read_respondents("mu.csv", respondents.excel_csv(frame)),
                                   "medborgarundersokningen", "trygg_kvall")
    plain = frame[(frame["indikator"] == "trygg_kvall") & (frame["svar"] != "Ingen uppfattning")].copy()
    plain["w"] = plain["vikt"].str.replace(",", ".").astype(float).astype(np.float32).astype(float)
    plain["y"] = plain["svar"].isin(["Instämmer helt", "Instämmer till stor del"]).astype(float)
    plain["grp"] = plain["kön"].map({"Kvinna": "Kvinnor", "Man": "Män"})
    for (year, area, group), rows in plain.groupby(["år", "område", "grp"]):
        got = cell(result, year, area, group)
        assert got["n"] == len(rows)
        assert got["share"] == pytest.approx(100 * (rows["w"] * rows["y"]).sum() / rows["w"].sum())
        assert got["n_eff"] == pytest.approx(rows["w"].sum() ** 2 / (rows["w"] ** 2).sum())


def test_aggregated_small_groups_are_suppressed_like_stored_results():
    result = respondents.aggregate(respondents.read_respondents("elever.csv", PUPILS),
                                   "stockholmsenkaten", "trygg_ute_sent")
    selection = stats.TrendSelection("stockholmsenkaten", "trygg_ute_sent", "Norrmalm")
    trend = stats.build_trend(result, selection, 41)
    assert trend.frame["missing"].tolist() == ["<n", "<n"] and trend.frame["share"].isna().all()
    trend = stats.build_trend(result, selection, 2)
    assert trend.weighted and trend.frame["low"].notna().all()


def test_a_windows_1252_file_whose_first_megabyte_is_plain_ascii():
    lines = ["ar;omrade;indikator;svar"] + ["2016;Norrmalm;trygg_kvall;1"] * 80_000
    lines += ["2016;Östermalm;trygg_kvall;Instämmer inte alls"]
    data = "\r\n".join(lines).encode("cp1252")
    assert len(data) > 1_000_000 and data[:1_000_000].isascii()
    extract = respondents.read_respondents("medborgarundersokningen.csv", data)
    assert extract.summary()["områden"] == ["Norrmalm", "Östermalm"]
    result = respondents.aggregate(extract, "medborgarundersokningen", "trygg_kvall")
    assert cell(result, 2016, "Östermalm", ALL)["share"] == 0


def test_a_respondent_file_with_mixed_encodings_is_refused_naming_the_row():
    lines = ["ar;omrade;indikator;svar", "2016;Östermalm;trygg_kvall;Instämmer helt"]
    data = lines[0].encode() + b"\r\n" + lines[1].encode("cp1252") + b"\r\n" + \
        "2016;Södermalm;trygg_kvall;Instämmer helt".encode("utf-8") + b"\r\n" + lines[1].encode("cp1252")
    with pytest.raises(InputError) as caught:
        respondents.read_respondents("medborgarundersokningen.csv", data)
    assert str(caught.value.problems[0]).startswith("medborgarundersokningen.csv rad 3: raden är skriven i UTF-8")


def test_too_many_rows_are_refused_before_reading(monkeypatch):
    import io as _io

    import pyarrow as pa
    import pyarrow.parquet as pq

    monkeypatch.setattr(respondents, "MAX_ROWS", 10)
    out = _io.BytesIO()
    pq.write_table(pa.table({"år": ["2016"] * 20, "område": ["Norrmalm"] * 20, "indikator": ["trygg_kvall"] * 20,
                             "svar": ["1"] * 20}), out)
    with pytest.raises(InputError, match="filen har 20 rader; högst 10 rader tas emot"):
        respondents.read_respondents("medborgarundersokningen.parquet", out.getvalue())
    with pytest.raises(InputError, match="kunde inte läsas som Parquet"):
        respondents.read_respondents("x.parquet", b"PAR1 broken")
