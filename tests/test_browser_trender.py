"""The trends page in Chromium against `streamlit run`: filters redraw the chart, ".." shows, files go in and out."""
from __future__ import annotations

import codecs
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from lagesbild import respondents
from test_browser import (EXCEPTION, browser,  # noqa: F401
                          LOCAL_HOSTS, TIMEOUT_MS, StreamlitServer, editor_secrets, free_ports, sign_in,
                          wait_for_script)

CHART = '[data-testid="stVegaLiteChart"] svg.marks'
LEGEND = f"{CHART} .role-legend-label text"
# The trend table: the first on the page (the district table beside the map comes after it).
TABLE = '[data-testid="stDataFrame"] table >> nth=0'


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    started = StreamlitServer(free_ports(1)[0], tmp_path_factory.mktemp("server-trender"), editor_secrets())
    started.wait_until_healthy()
    yield started
    started.stop()


@pytest.fixture(scope="module")
def context(browser):
    """One browser context for the module: the app's scripts load once."""
    context = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="sv-SE")
    context.set_default_timeout(TIMEOUT_MS)
    yield context
    context.close()


@pytest.fixture
def page(context, server):
    page = context.new_page()  # a new tab is a new Streamlit session
    page.route("**/*", lambda route: route.continue_() if urlsplit(route.request.url).hostname in LOCAL_HOSTS
               else route.abort())
    page.uncaught_errors = []
    page.on("pageerror", lambda error: page.uncaught_errors.append(str(error)))
    # The way a presenter gets there: the start page, then Trender in the sidebar.
    page.goto(server.url)
    wait_for_script(page)
    page.locator('[data-testid="stSidebarNav"] a').filter(has_text="Trender").click()
    expect(page.locator("h1")).to_have_text("Trender i undersökningarna")
    wait_for_script(page)
    expect(page.locator(LEGEND).first).to_be_visible()
    yield page
    assert not page.uncaught_errors, page.uncaught_errors
    page.close()


def settle(page: Page) -> None:
    """Wait until the rerun a widget started has finished, and nothing crashed."""
    wait_for_script(page)
    expect(page.locator(EXCEPTION)).to_have_count(0)


def choose(page: Page, label: str, option: str) -> None:
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text=label).get_by_role("combobox")
    box.click()
    box.press_sequentially(option)
    box.press("Enter")


def test_choosing_a_group_redraws_the_chart(page):
    expect(page.locator(LEGEND)).to_have_text(["Norrmalm", "Hela staden"])
    chart = page.locator(CHART)
    before = chart.screenshot()
    page.locator('[data-testid="stRadio"]').get_by_text("Kvinnor", exact=True).click()
    expect(page.locator(TABLE)).to_contain_text("Kvinnor")
    settle(page)
    expect(page.locator(TABLE)).not_to_contain_text("Alla")
    assert chart.screenshot() != before
    choose(page, "Område", "Bromma")
    expect(page.locator(LEGEND)).to_have_text(["Bromma", "Hela staden"])
    settle(page)


def test_a_suppressed_group_shows_dots_in_the_chart_and_the_table(page):
    choose(page, "Område", "Rinkeby-Kista")
    expect(page.locator(LEGEND)).to_have_text(["Rinkeby-Kista", "Hela staden"])
    page.locator('[data-testid="stRadio"]').get_by_text("18–29 år", exact=True).click()
    expect(page.locator(TABLE)).to_contain_text("för få svar (färre än 41)")
    settle(page)
    expect(page.locator(f"{CHART} .role-mark text").filter(has_text="..").first).to_be_visible()
    expect(page.get_by_text("redovisas inte för 2016: för få svar (färre än 41).")).to_be_visible()


def test_the_pupils_slide_is_one_click_away(page):
    page.get_by_role("button", name="Elever som känner sig trygga ute sent en kväll, Stockholmsenkäten").click()
    expect(page.locator(LEGEND)).to_have_text(["Flickor åk 9", "Pojkar åk 9", "Flickor gy 2", "Pojkar gy 2"])
    settle(page)
    expect(page.locator(f"{CHART} .role-title-text")).to_have_text("Trygg ute sent en kväll")


def test_the_table_downloads_as_csv_for_swedish_excel(page):
    with page.expect_download() as caught:
        page.get_by_role("button", name="CSV för Excel").click()
    download = caught.value
    assert download.suggested_filename == "trend_medborgarundersokningen_trygg_kvall_norrmalm.csv"
    data = open(download.path(), "rb").read()
    assert data.startswith(codecs.BOM_UTF8)
    assert "Norrmalm;Alla;2016;70,0;65,3;74,3;398;" in data.decode("utf-8-sig")
    with page.expect_download() as caught:
        page.get_by_role("button", name="Diagram som PNG").click()
    assert open(caught.value.path(), "rb").read().startswith(b"\x89PNG")


def test_an_uploaded_respondent_file_is_drawn_and_follows_the_filters(page, tmp_path):
    path = tmp_path / "medborgarundersokningen_svar.csv"
    path.write_bytes(respondents.excel_csv(respondents.synthetic_respondents(5000, seed=5)))
    # Files on respondent level are for signed-in roles (auth "räkna_på_fil"), not for anonymous visitors.
    assert page.locator('[data-testid="stFileUploaderDropzoneInput"]').count() == 0
    sign_in(page)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(path))
    expect(page.get_by_text("Beräknat ur")).to_be_visible()
    settle(page)
    expect(page.locator(TABLE)).to_contain_text("Effektivt antal svar")
    choose(page, "Område", "Skärholmen")
    expect(page.locator(LEGEND)).to_have_text(["Skärholmen", "Hela staden"])
    settle(page)
    expect(page.locator(TABLE)).to_contain_text("Skärholmen")
