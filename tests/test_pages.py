"""Every page through AppTest: it runs without an exception and shows what a user expects."""
from __future__ import annotations


import pandas as pd
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

import app
from roles import open_app as run_page

PAGES = [path for path, *_ in app.PAGES]


def chart_data(at: AppTest, index: int = 0) -> pd.DataFrame:
    """The rows an Altair chart on the page draws."""
    proto = at.get("vega_lite_chart")[index].proto
    return pd.concat(pa.ipc.open_stream(d.data.data).read_pandas() for d in proto.datasets)


def text_of(at: AppTest) -> str:
    parts = [e.value for e in at.markdown] + [e.value for e in at.caption] + [e.value for e in at.title]
    parts += [e.value for e in at.subheader] + [e.value for e in at.header] + [str(e.value) for e in at.warning]
    return "\n".join(str(p) for p in parts)


def test_start_page_shows_overview_with_example_notice():
    at = run_page()
    assert at.title[0].value == "Lägesbild Norrmalm"
    assert any("Exempeldata" in w.value for w in at.sidebar.warning)
    labels = [m.label for m in at.metric]
    assert "Trygg ensam hem på kvällen, Norrmalm" in labels  # the catalogue's name, as on Trender
    metric = next(m for m in at.metric if m.label.startswith("Trygg ensam"))
    assert metric.value == "70,0\u00a0%"
    assert "\u22122,0 procentenheter sedan 2015" in metric.delta  # a real minus sign


@pytest.mark.parametrize("page", PAGES)
def test_every_page_opens_without_error_and_labels_example_data(page):
    at = run_page(page, "administratör")  # the role that may open every page
    assert at.title, "every page has a title"
    assert any("Exempeldata" in w.value for w in at.warning)


def test_trends_page_changes_chart_with_area():
    at = run_page("pages/trender.py")
    assert set(chart_data(at)["series"]) == {"Norrmalm", "Hela staden"}
    at.selectbox(key="trend_area").set_value("Bromma").run()
    assert not at.exception
    assert set(chart_data(at)["series"]) == {"Bromma", "Hela staden"}


def test_pledges_page_shows_the_three_2017_pledges():
    at = run_page("pages/medborgarloften.py")
    text = text_of(at)
    assert "kriminella nätverk" in text
    assert "unga, ostraffade narkotikamissbrukare" in text
    assert "tre olika samverkansforum" in text


def test_cooperation_page_shows_what_was_done_and_next():
    at = run_page("pages/samverkan.py")
    text = text_of(at)
    for name in ("Chefsamråd", "Beredningsgrupp", "Platssamverkan Klara", "Tobakstillsyn"):
        assert name in text
    assert "Vad har vi gjort" in text and "Hur fortsätter vi" in text
