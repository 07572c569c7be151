"""The trends page through AppTest: what an analyst and the council see when they change the filters."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from lagesbild import respondents, uploads
from lagesbild.problems import InputError
from roles import as_role

APP = Path(__file__).resolve().parents[1] / "app.py"
PAGE = "pages/trender.py"


def trends_page(role: str = "intern") -> AppTest:
    """Trender for a role; respondent-level files are for signed-in roles (auth "räkna_på_fil")."""
    at = as_role(AppTest.from_file(str(APP), default_timeout=60), role)
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def rerun(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def chart_rows(at: AppTest) -> pd.DataFrame:
    """The points the trend chart draws (its main dataset: the one with a `series` column)."""
    proto = at.get("vega_lite_chart")[0].proto
    frames = [pa.ipc.open_stream(d.data.data).read_pandas() for d in proto.datasets]
    return next(f for f in frames if "series" in f.columns)


def chart_spec(at: AppTest) -> dict:
    return json.loads(at.get("vega_lite_chart")[0].proto.spec)


def table(at: AppTest) -> pd.DataFrame:
    return at.dataframe[0].value


def sentences(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown).replace("\\", "")


def test_opens_on_norrmalm_against_the_city_with_the_decks_sentence_and_the_question():
    at = trends_page()
    rows = chart_rows(at)
    assert set(rows["series"]) == {"Norrmalm", "Hela staden"}
    assert rows.loc[(rows["series"] == "Norrmalm") & (rows["year"] == 2016), "share"].item() == 70.0
    text = sentences(at)
    assert ("Andelen trygga i Norrmalm minskade med 2,0 procentenheter 2015–2016 (från 72,0\u00a0% till 70,0\u00a0%); "
            "skillnaden är inte statistiskt säkerställd (n = 412 och 398).") in text
    assert "Jag känner mig trygg när jag går ensam hem på kvällen i min stadsdel" in text
    assert "Senaste mätning:** 2016" in text
    assert any("exempeldata" in w.value for w in at.warning)
    spec = chart_spec(at)
    assert "Exempeldata – inte verkliga värden." in spec["title"]["subtitle"]
    assert [b.label for b in at.get("download_button")] == ["CSV för Excel", "Excel (.xlsx)", "Diagram som PNG",
                                                           "Diagram som SVG"]


def test_changing_the_group_changes_the_chart_and_the_table():
    at = trends_page()
    before = chart_rows(at)
    at.radio(key="trend_group").set_value("Kvinnor")
    rerun(at)
    after = chart_rows(at)
    assert set(table(at)["Grupp"]) == {"Kvinnor"}
    assert not after["share"].equals(before["share"])
    assert after.loc[(after["series"] == "Norrmalm") & (after["year"] == 2011), "share"].item() == 65.0


def test_a_suppressed_group_shows_dots_in_chart_table_and_sentence():
    at = trends_page()
    at.selectbox(key="trend_area").set_value("Rinkeby-Kista")
    at.radio(key="trend_group").set_value("18–29 år")
    rerun(at)
    rows = chart_rows(at)
    rinkeby = rows[rows["series"] == "Rinkeby-Kista"].set_index("year")
    assert rinkeby.loc[2011, "marker"] == ".." and pd.isna(rinkeby.loc[2011, "share"])
    assert rinkeby.loc[2011, "reason"] == "för få svar (färre än 41)"  # the tooltip of the ".."
    assert '".." = färre än 41 svar, redovisas inte.' in chart_spec(at)["title"]["subtitle"]
    shown = table(at).set_index(["Område", "År"])
    assert shown.loc[("Rinkeby-Kista", "2011"), "Andel"] == ".."
    assert shown.loc[("Rinkeby-Kista", "2011"), "Anmärkning"] == "för få svar (färre än 41)"
    assert "0,0" not in shown.loc[("Rinkeby-Kista", "2011"), "Andel"]
    assert "Andelen trygga i Rinkeby-Kista (18–29 år) redovisas inte för 2016: för få svar (färre än 41)." in sentences(at)
    assert any('".." betyder att gruppen har färre än 41 svar' in c.value.replace("\\", "") for c in at.caption)


def test_the_suppression_threshold_is_the_operators_setting(monkeypatch):
    monkeypatch.setenv("LAGESBILD_MIN_ANSWERS", "500")
    at = trends_page()
    shown = table(at).set_index(["Område", "År"])
    assert shown.loc[("Norrmalm", "2016"), "Andel"] == ".."
    assert shown.loc[("Norrmalm", "2016"), "Anmärkning"] == "för få svar (färre än 500)"
    assert shown.loc[("Hela staden", "2016"), "Andel"] == "64,7\u00a0%"


def test_other_areas_can_be_compared_and_years_narrowed():
    at = trends_page()
    at.multiselect(key="trend_compare").set_value(["Östermalm", "Bromma"])
    rerun(at)
    assert list(dict.fromkeys(chart_rows(at)["series"])) == ["Norrmalm", "Östermalm", "Bromma", "Hela staden"]
    at.select_slider(key="trend_years_medborgarundersokningen_trygg_kvall").set_value((2014, 2016))
    rerun(at)
    assert sorted(set(table(at)["År"])) == ["2014", "2015", "2016"]


def test_the_pupils_view_is_one_click_away_and_splits_by_sex_and_grade():
    at = trends_page()
    at.button(key="trend_view_stockholmsenkaten").click()
    rerun(at)
    assert at.selectbox(key="trend_survey").value == "stockholmsenkaten"
    assert at.selectbox(key="trend_indicator").value == "trygg_ute_sent"
    assert set(chart_rows(at)["series"]) == {"Flickor åk 9", "Pojkar åk 9", "Flickor gy 2", "Pojkar gy 2"}
    assert chart_spec(at)["title"]["text"] == "Trygg ute sent en kväll"
    at.button(key="trend_view_medborgarundersokningen").click()
    rerun(at)
    assert set(chart_rows(at)["series"]) == {"Norrmalm", "Hela staden"}
    assert at.selectbox(key="trend_split").value == ""


def test_a_method_change_is_marked_on_the_chart_and_not_compared_across():
    at = trends_page()
    at.selectbox(key="trend_survey").set_value("stockholmsenkaten")
    rerun(at)
    at.selectbox(key="trend_indicator").set_value("roker")
    rerun(at)
    proto = at.get("vega_lite_chart")[0].proto
    frames = [pa.ipc.open_stream(d.data.data).read_pandas() for d in proto.datasets]
    marks = next(f for f in frames if "label" in f.columns)
    assert marks.to_dict("records") == [{"mid": 2013.0, "label": "Ny metod (exempel)"}]
    rows = chart_rows(at)
    norrmalm = rows[rows["series"] == "Norrmalm"].set_index("year")
    assert norrmalm.loc[2012, "line"] != norrmalm.loc[2014, "line"]
    notes = "\n".join(c.value.replace("\\", "") for c in at.caption)
    assert "Serieavbrott mellan 2012 och 2014: Exempel: frågan om rökning fick nya svarsalternativ" in notes


def test_an_analysts_respondent_file_is_aggregated_on_the_page():
    at = trends_page()
    data = respondents.excel_csv(respondents.synthetic_respondents(3000, seed=3))
    at.sidebar.file_uploader[0].upload("medborgarundersokningen_svar.csv", data, "text/csv")
    rerun(at)
    assert at.sidebar.success[0].value.replace("\\", "") == \
        "**medborgarundersokningen_svar.csv**: 3\u00a0000 rader, viktad."
    rows = chart_rows(at)
    assert set(rows["series"]) == {"Norrmalm", "Hela staden"}
    assert "Effektivt antal svar" in table(at).columns
    assert any("Beräknat ur" in i.value for i in at.info)
    assert not any("exempeldata" in w.value for w in at.warning)
    at.selectbox(key="trend_indicator").set_value("trygg_park")
    rerun(at)
    assert set(table(at)["Område"]) == {"Norrmalm", "Hela staden"}


def test_a_broken_respondent_file_lists_its_problems():
    at = trends_page()
    at.sidebar.file_uploader[0].upload("svar.csv", "år;område;indikator;svar\n2016;Norrmalm;x;1\n".encode(), "text/csv")
    rerun(at)
    assert "undersökningen framgår inte" in at.error[0].value
    assert set(chart_rows(at)["series"]) == {"Norrmalm", "Hela staden"}  # the stored results are still shown


def test_typed_text_in_the_indicator_catalogue_is_shown_as_text(engine):
    from lagesbild import surveys

    frame = pd.DataFrame([{"undersökning": "medborgarundersokningen", "indikator": "trygg_kvall",
                           "namn": "Trygg ensam hem på kvällen", "fråga": "**Fet** [länk](http://x) <img src=x>",
                           "svarsskala": "", "definition": "", "källa": ""}])
    with engine.begin() as conn:
        surveys.store_indicators(conn, frame, None)
    at = trends_page()
    about = next(m.value for m in at.markdown if m.value.startswith("**Fråga:**"))
    assert r"\*\*Fet\*\* \[länk\]\(http\:" in about and r"\<img src\=x\>" in about


def test_the_public_gets_no_respondent_upload():
    at = trends_page("publik")
    assert not at.sidebar.get("file_uploader")
    assert set(chart_rows(at)["series"]) == {"Norrmalm", "Hela staden"}


def test_a_file_with_too_many_rows_is_refused_before_it_is_read(monkeypatch):
    import io

    import pyarrow.parquet as pq

    monkeypatch.setitem(uploads.MAX_ROWS, "respondents", 1000)
    frame = respondents.synthetic_respondents(3000, seed=3)
    buffer = io.BytesIO()
    pq.write_table(pa.Table.from_pandas(frame), buffer)
    read = []
    monkeypatch.setattr(respondents, "read_respondents", lambda *a: read.append(a))
    at = trends_page()
    at.sidebar.file_uploader[0].upload("svar.parquet", buffer.getvalue(), "application/octet-stream")
    rerun(at)
    assert "filen har 3\u00a0000 rader; högst 1\u00a0000 tas emot" in at.error[0].value
    assert read == []  # refused from the metadata alone


def test_a_small_file_that_unpacks_to_too_much_is_refused():
    import zipfile

    buffer = io_bytes = __import__("io").BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (5 * 1024 * 1024))
    data = io_bytes.getvalue()
    assert len(data) < 100_000
    with pytest.raises(InputError) as caught:
        uploads.check_contents("svar.xlsx", data, "respondents", max_unpacked=1024 * 1024)
    assert "packas upp till 5 MB; högst 1 MB tas emot" in str(caught.value)
    uploads.check_contents("svar.csv", b"a;b\n1;2\n", "respondents")  # a small file passes
