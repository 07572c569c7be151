"""Exports: CSV as Swedish Excel opens it, .xlsx, PNG/SVG; ".." stays ".."; formulas never run."""
from __future__ import annotations

import codecs
import io

import pandas as pd
import pytest
from openpyxl import load_workbook

from lagesbild import formatting, stats, surveys
from lagesbild.views import charts, export
from lagesbild.surveys import ALL, CITY


@pytest.fixture
def trend(engine) -> stats.Trend:
    """Rinkeby-Kista 18–29 år: groups under 41 answers and a ".." from the source, against the city."""
    results = surveys.load_results(engine)
    selection = stats.TrendSelection("medborgarundersokningen", "trygg_kvall", "Rinkeby-Kista", group="18–29 år")
    return stats.build_trend(results, selection, 41)


def table_of(trend: stats.Trend) -> pd.DataFrame:
    return export.trend_table(trend, "Medborgarundersökningen", "Trygg ensam hem på kvällen")


def test_the_table_keeps_dots_with_their_reason_and_never_zero(trend):
    table = table_of(trend).set_index(["Område", "År"])
    small = table.loc[("Rinkeby-Kista", 2011)]
    assert small["Andel (%)"] == ".." and small["Anmärkning"] == "för få svar (färre än 41)"
    assert small["Antal svar"] == 38
    source = table.loc[("Rinkeby-Kista", 2013)]
    assert source["Andel (%)"] == ".." and source["Antal svar"] == ".."
    assert source["Anmärkning"] == "uppgift saknas eller är för osäker"
    shown = table.loc[("Rinkeby-Kista", 2012)]
    assert shown["Andel (%)"] == 53.1 and shown["Konfidensintervall 95 %, nedre (%)"] == 38.2
    assert not (table["Andel (%)"] == 0).any()


def test_csv_opens_in_swedish_excel_and_reads_back_into_the_app(trend):
    table = table_of(trend)
    data = export.table_csv(table, export.trend_title(trend, "Medborgarundersökningen", "Trygg"),
                            export.trend_footnotes(trend, "Medborgarundersökningen, Stockholms stad"))
    assert data.startswith(codecs.BOM_UTF8)
    text = data.decode("utf-8-sig")
    lines = text.split("\r\n")
    assert lines[0] == "Trygg, Medborgarundersökningen 2011–2016"
    assert lines[1] == "Exempeldata – inte verkliga värden"
    assert "Medborgarundersökningen;Trygg ensam hem på kvällen;Rinkeby-Kista;18–29 år;2012;53,1;38,2;67,4;41;" in lines
    assert "Medborgarundersökningen;Trygg ensam hem på kvällen;Rinkeby-Kista;18–29 år;2011;..;..;..;38;" \
           "för få svar (färre än 41)" in lines
    assert "Källa: Medborgarundersökningen, Stockholms stad" in lines
    # The app's own importer takes the file back: title rows and footnotes are skipped, ".." stays missing.
    back = surveys.read_extract("export.csv", data).results.set_index(["area", "year"])
    assert back.loc[("Rinkeby-Kista", 2012), "share"] == 53.1
    assert back.loc[("Rinkeby-Kista", 2011), "missing"] == ".." and pd.isna(back.loc[("Rinkeby-Kista", 2011), "share"])
    assert back.loc[(CITY, 2016), "n"] == 731


def test_csv_in_windows_1252_for_older_excel(trend):
    data = export.table_csv(table_of(trend), encoding="cp1252")
    assert not data.startswith(codecs.BOM_UTF8)
    assert "Område;Grupp;År;Andel (%)" in data.decode("cp1252")


@pytest.mark.parametrize("text, safe", [("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
                                        ("+46 8 123", "'+46 8 123"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"),
                                        ("\t=1", "'\t=1"), ("Norrmalm", "Norrmalm"), ("18–29 år", "18–29 år")])
def test_cells_excel_would_run_as_formulas_are_neutralised(text, safe):
    assert formatting.formula_safe(text) == safe


def formula_table() -> pd.DataFrame:
    return pd.DataFrame({"Område": ["=1+1", "Norrmalm"], "Grupp": [ALL, "@evil"], "År": [2016, 2016],
                         "Andel (%)": [-2.5, ".."], "Antal svar": [398, ".."]})


def test_csv_neutralises_typed_text_but_keeps_negative_numbers():
    text = export.table_csv(formula_table(), ["=titel"], ["+fotnot"]).decode("utf-8-sig")
    assert text.split("\r\n")[:5] == ["'=titel", "", "Område;Grupp;År;Andel (%);Antal svar",
                                      "'=1+1;Alla;2016;-2,5;398", "Norrmalm;'@evil;2016;..;.."]
    assert text.split("\r\n")[-2] == "'+fotnot"


def test_xlsx_has_numbers_as_numbers_dots_as_text_and_no_formulas():
    data = export.table_xlsx(formula_table(), ["Titel", "Exempeldata"], ["Källa: test"])
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet["A1"].value == "Titel" and sheet["A1"].font.bold
    assert [c.value for c in sheet[4]] == ["Område", "Grupp", "År", "Andel (%)", "Antal svar"]
    formula = sheet["A5"]
    assert formula.value == "=1+1" and formula.data_type == "s" and formula.quotePrefix
    assert sheet["D5"].value == -2.5 and sheet["D5"].data_type == "n"
    assert sheet["D6"].value == ".." and sheet["E6"].value == ".."
    assert sheet["A8"].value == "Källa: test"
    assert b"<f>" not in data


def test_chart_exports_as_png_and_svg_with_the_example_label(trend):
    title, subtitle = charts.trend_heading(trend, "Medborgarundersökningen", "Trygg ensam hem på kvällen")
    chart = charts.trend_chart(trend.frame, title, subtitle, trend.series, trend.city_series, trend.breaks,
                               trend.waves)
    png = export.chart_png(chart, scale=1)
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 10_000
    svg = export.chart_svg(chart).decode()
    assert svg.startswith("<svg") and "Trygg ensam hem på kvällen" in svg
    assert "Exempeldata – inte verkliga värden." in svg
    assert ">..<" in svg  # the suppressed waves are drawn as ".."


def test_typed_text_is_shown_as_typed_in_markdown():
    assert formatting.markdown_escape("**fet** [länk](http://x) <script>", newline=" ") == \
        r"\*\*fet\*\* \[länk\]\(http\:\/\/x\) \<script\>".replace(r"\/", "/")
    assert formatting.markdown_escape("$x$ :red[röd]", newline=" ") == r"\$x\$ \:red\[röd\]"


def test_file_names_are_plain_ascii():
    assert export.file_stem("trend", "stockholmsenkaten", "trygg_ute_sent", "Enskede-Årsta-Vantör") == \
        "trend_stockholmsenkaten_trygg_ute_sent_enskede-arsta-vantor"
