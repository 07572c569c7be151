"""The trends page through AppTest: what only the page does — widgets, the address, uploads, roles.

What the page shows for a choice is tested on the view, in tests/test_views_trender.py."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
from streamlit.testing.v1 import AppTest

from lagesbild import respondents
from roles import as_role

APP = Path(__file__).resolve().parents[1] / "app.py"
PAGE = "pages/trender.py"


def trends_page(role: str = "intern", **link: str) -> AppTest:
    """Trender for a role, opened with `link` as its address; respondent-level files are for signed-in roles."""
    at = as_role(AppTest.from_file(str(APP), default_timeout=60), role)
    at.run()
    at.query_params.update(link)
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


def test_opens_on_norrmalm_against_the_city_and_says_so_in_its_address():
    at = trends_page()
    assert set(chart_rows(at)["series"]) == {"Norrmalm", "Hela staden"}
    assert "Senaste mätning:** 2016" in sentences(at)
    assert any("exempeldata" in w.value for w in at.warning)
    assert [b.label for b in at.get("download_button")] == ["CSV för Excel", "Excel (.xlsx)", "Diagram som PNG",
                                                           "Diagram som SVG"]
    assert dict(at.query_params) == {"undersokning": "medborgarundersokningen", "indikator": "trygg_kvall",
                                     "omrade": "Norrmalm", "grupp": "Alla", "ar": "2011-2016"}
    assert at.code[0].value.startswith("/trender?undersokning=medborgarundersokningen&indikator=trygg_kvall&")


def test_changing_a_filter_redraws_and_moves_the_address_along():
    at = trends_page(datum="2016-12-14")
    at.radio(key="trend_group").set_value("Kvinnor")
    rerun(at)
    assert set(table(at)["Grupp"]) == {"Kvinnor"}
    assert at.query_params["grupp"] == "Kvinnor"
    at.multiselect(key="trend_compare").set_value(["Östermalm", "Bromma"])
    at.select_slider(key="trend_years_medborgarundersokningen_trygg_kvall").set_value((2014, 2016))
    rerun(at)
    assert list(dict.fromkeys(chart_rows(at)["series"])) == ["Norrmalm", "Östermalm", "Bromma", "Hela staden"]
    assert sorted(set(table(at)["År"])) == ["2014", "2015", "2016"]
    assert (at.query_params["jamfor"], at.query_params["ar"]) == ("Östermalm,Bromma", "2014-2016")
    assert at.query_params["datum"] == "2016-12-14"  # another page's parameter stays
    assert "jamfor=%C3%96stermalm%2CBromma&ar=2014-2016" in at.code[0].value


def test_a_link_with_every_filter_opens_that_view():
    at = trends_page(undersokning="medborgarundersokningen", indikator="trygg_kvall", omrade="Bromma", grupp="Män",
                     jamfor="Farsta", ar="2012-2015")
    assert at.selectbox(key="trend_area").value == "Bromma" and at.radio(key="trend_group").value == "Män"
    assert at.multiselect(key="trend_compare").value == ["Farsta"]
    assert at.select_slider(key="trend_years_medborgarundersokningen_trygg_kvall").value == (2012, 2015)
    assert list(dict.fromkeys(chart_rows(at)["series"])) == ["Bromma", "Farsta", "Hela staden"]
    assert sorted(set(table(at)["År"])) == ["2012", "2013", "2014", "2015"]
    assert not any("Länken" in w.value for w in at.warning)
    split = trends_page(undersokning="stockholmsenkaten", indikator="trygg_ute_sent", uppdelning="Kön och årskurs")
    assert split.selectbox(key="trend_split").value == "Kön och årskurs"
    assert set(chart_rows(split)["series"]) == {"Flickor åk 9", "Pojkar åk 9", "Flickor gy 2", "Pojkar gy 2"}


def test_a_broken_link_falls_back_with_a_notice_and_is_mended_in_the_address():
    at = trends_page(indikator="finns_inte", omrade="Atlantis", ar="1900-1901", grupp="<b>x</b>")
    raw = next(w.value for w in at.warning if "Länken" in w.value)
    notice = raw.replace("\\", "")
    assert "Indikatorn ”finns_inte” finns inte i Medborgarundersökningen" in notice
    assert "Området ”Atlantis” finns inte för den här indikatorn; Norrmalm visas i stället." in notice
    assert "Det finns inga mätningar 1900–1901; alla år (2011–2016) visas." in notice
    assert r"”\<b\>x\</b\>”" in raw  # typed text stays text
    assert set(chart_rows(at)["series"]) == {"Norrmalm", "Hela staden"}
    assert at.query_params["indikator"] == "trygg_kvall" and at.query_params["ar"] == "2011-2016"
    at.radio(key="trend_group").set_value("Kvinnor")
    rerun(at)
    assert not any("Länken" in w.value for w in at.warning)  # said once, when the link was opened


def test_the_suppression_threshold_is_the_operators_setting(monkeypatch):
    monkeypatch.setenv("LAGESBILD_MIN_ANSWERS", "500")
    at = trends_page()
    shown = table(at).set_index(["Område", "År"])
    assert shown.loc[("Norrmalm", "2016"), "Anmärkning"] == "för få svar (färre än 500)"


def test_the_pupils_view_is_one_click_away_and_back():
    at = trends_page(ar="2014-2016")
    at.button(key="trend_view_stockholmsenkaten").click()
    rerun(at)
    assert at.selectbox(key="trend_survey").value == "stockholmsenkaten"
    assert at.selectbox(key="trend_indicator").value == "trygg_ute_sent"
    assert set(chart_rows(at)["series"]) == {"Flickor åk 9", "Pojkar åk 9", "Flickor gy 2", "Pojkar gy 2"}
    assert at.query_params["uppdelning"] == "Kön och årskurs"
    at.button(key="trend_view_medborgarundersokningen").click()
    rerun(at)
    assert set(chart_rows(at)["series"]) == {"Norrmalm", "Hela staden"}
    assert at.selectbox(key="trend_split").value == "" and "uppdelning" not in at.query_params
    assert at.query_params["ar"] == "2011-2016"  # a ready view shows every year


def test_an_analysts_respondent_file_is_aggregated_on_the_page():
    at = trends_page()
    data = respondents.excel_csv(respondents.synthetic_respondents(3000, seed=3))
    at.sidebar.file_uploader[0].upload("medborgarundersokningen_svar.csv", data, "text/csv")
    rerun(at)
    assert at.sidebar.success[0].value.replace("\\", "") == \
        "**medborgarundersokningen_svar.csv**: 3\u00a0000 rader, viktad."
    assert set(chart_rows(at)["series"]) == {"Norrmalm", "Hela staden"}
    assert "Effektivt antal svar" in table(at).columns
    assert any("Beräknat ur" in i.value for i in at.info)
    assert not any("exempeldata" in w.value for w in at.warning)
    at.selectbox(key="trend_indicator").set_value("trygg_park")
    rerun(at)
    assert set(table(at)["Område"]) == {"Norrmalm", "Hela staden"}
    assert at.query_params["indikator"] == "trygg_park"


def test_a_broken_respondent_file_lists_its_problems():
    at = trends_page()
    at.sidebar.file_uploader[0].upload("svar.csv", "år;område;indikator;svar\n2016;Norrmalm;x;1\n".encode(), "text/csv")
    rerun(at)
    assert "undersökningen framgår inte" in at.error[0].value
    assert set(chart_rows(at)["series"]) == {"Norrmalm", "Hela staden"}  # the stored results are still shown


def test_the_public_gets_no_respondent_upload():
    at = trends_page("publik")
    assert not at.sidebar.get("file_uploader")
    assert set(chart_rows(at)["series"]) == {"Norrmalm", "Hela staden"}
