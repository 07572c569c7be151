"""The trends page in Chromium against `streamlit run`: filters redraw the chart, ".." shows, files go in and out,
and a link opens exactly the view it was copied from."""
from __future__ import annotations

import codecs
from urllib.parse import parse_qs, urlsplit

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


def new_tab(context):
    """A new tab (a new Streamlit session) that may reach nothing but the app: no CDN, no fonts from elsewhere."""
    page = context.new_page()
    page.route("**/*", lambda route: route.continue_() if urlsplit(route.request.url).hostname in LOCAL_HOSTS
               else route.abort())
    page.uncaught_errors = []
    page.on("pageerror", lambda error: page.uncaught_errors.append(str(error)))
    return page


@pytest.fixture
def page(context, server):
    page = new_tab(context)
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


# A link with every filter on Trender set, as "Kopiera länk" gives it.
EVERY = {"undersokning": "medborgarundersokningen", "indikator": "trygg_kvall", "omrade": "Bromma", "grupp": "Män",
         "jamfor": "Farsta,Östermalm", "ar": "2012-2015"}


def address(page: Page) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(page.url).query).items()}


@pytest.fixture
def linked(context, server):
    """Open a link to Trender in a new tab, the way a colleague's link arrives."""
    tabs = []

    def open_link(query: str) -> Page:
        tab = new_tab(context)
        tabs.append(tab)
        tab.goto(f"{server.url}/trender?{query}")
        wait_for_script(tab)
        expect(tab.locator(LEGEND).first).to_be_visible()
        return tab

    yield open_link
    for tab in tabs:
        assert not tab.uncaught_errors, tab.uncaught_errors
        tab.close()


def shows_every_filter(tab: Page, group: str) -> None:
    expect(tab.locator(LEGEND)).to_have_text(["Bromma", "Farsta", "Östermalm", "Hela staden"])
    expect(tab.locator(f"{CHART} .role-title-text")).to_have_text("Trygg ensam hem på kvällen")
    expect(tab.locator('[data-testid="stRadio"] label').filter(has=tab.locator("input:checked"))).to_have_text(group)
    expect(tab.locator('[data-testid="stSliderThumbValue"]')).to_have_text(["2012", "2015"])
    expect(tab.locator(TABLE)).to_contain_text(group)
    expect(tab.locator(TABLE)).to_contain_text("2012")
    expect(tab.locator(TABLE)).not_to_contain_text("2016")
    expect(tab.get_by_text("Länken kunde inte visas")).to_have_count(0)


def test_a_link_with_every_filter_opens_that_view_and_a_copied_link_reopens_it(server, linked):
    tab = linked("undersokning=medborgarundersokningen&indikator=trygg_kvall&omrade=Bromma&grupp=M%C3%A4n"
                 "&jamfor=Farsta%2C%C3%96stermalm&ar=2012-2015")
    shows_every_filter(tab, "Män")
    assert address(tab) == EVERY
    tab.locator('[data-testid="stRadio"]').get_by_text("Kvinnor", exact=True).click()
    expect(tab.locator(TABLE)).to_contain_text("Kvinnor")
    settle(tab)
    assert address(tab) == EVERY | {"grupp": "Kvinnor"}  # the address follows the filters

    tab.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
    tab.get_by_role("button", name="Kopiera länk").click()
    code = tab.locator('[data-testid="stCode"]')
    code.hover()
    code.get_by_role("button", name="Copy to clipboard").click()  # Streamlit's own button, no CDN
    copied = tab.evaluate("navigator.clipboard.readText()")
    assert copied == tab.url
    other = linked(urlsplit(copied).query)
    shows_every_filter(other, "Kvinnor")

    split = linked("undersokning=stockholmsenkaten&indikator=trygg_ute_sent&omrade=Norrmalm"
                   "&uppdelning=K%C3%B6n+och+%C3%A5rskurs")
    expect(split.locator(LEGEND)).to_have_text(["Flickor åk 9", "Pojkar åk 9", "Flickor gy 2", "Pojkar gy 2"])
    assert address(split)["uppdelning"] == "Kön och årskurs"


def test_a_broken_link_falls_back_to_the_nearest_view_with_a_notice(linked):
    tab = linked("undersokning=medborgarundersokningen&indikator=finns_inte&omrade=Atlantis&ar=1900-x&grupp=%3Cb%3E")
    notice = tab.locator('[data-testid="stAlert"]').filter(has_text="Länken kunde inte visas precis som den var")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("Indikatorn ”finns_inte” finns inte i Medborgarundersökningen")
    expect(notice).to_contain_text("Området ”Atlantis” finns inte för den här indikatorn; Norrmalm visas i stället.")
    expect(notice).to_contain_text("Gruppen ”<b>” finns inte")
    expect(notice).to_contain_text("Åren ”1900-x” i länken är inga årtal")
    expect(tab.locator(LEGEND)).to_have_text(["Norrmalm", "Hela staden"])
    expect(tab.locator(EXCEPTION)).to_have_count(0)
    assert address(tab) == {"undersokning": "medborgarundersokningen", "indikator": "trygg_kvall",
                            "omrade": "Norrmalm", "grupp": "Alla", "ar": "2011-2016"}
