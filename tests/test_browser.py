"""The app in a real browser against `streamlit run`: every page opened directly, the sidebar, a filter."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from harness import (  # noqa: F401  (the other browser tests import these from here)
    ROOT, CHROMIUM, CHROMIUM_ARGS, LOCAL_HOSTS, SCRIPT_DONE, EXCEPTION,
    MAP_FRAME, MAP_SHAPES, TIMEOUT_MS, EDITOR_USERNAME, EDITOR_PASSWORD, StreamlitServer,
    chromium, editor_secrets, free_ports, open_page, sign_in, start_servers,
    wait_for_script)

# URL path and the h1 a user sees there, in sidebar order.
PAGES = [
    ("", "Lägesbild Norrmalm"),
    ("trender", "Trender i undersökningarna"),
    ("karta", "Otrygga platser"),
    ("medborgarloften", "Medborgarlöften"),
    ("samverkan", "Samverkan"),
    ("radsmote", "Rådsmöte"),
    ("aterkoppling", "Återkoppling"),
    ("rapportera", "Rapportera"),
    ("granska", "Granska"),
    ("data", "Data"),
    ("logg", "Logg"),
]
# Without sign-in the menu leaves out Rapportera, Granska, Data and Logg; opened by address they refuse (see PAGES).
NAV_LABELS = ["Översikt", "Trender", "Karta", "Medborgarlöften", "Samverkan", "Rådsmöte", "Återkoppling"]
# Meeting-room pages: no sidebar, the example-data notice on the slide, a link back to the overview.
PRESENTER = {"radsmote"}
# Pages the public may not use: opened by address they say so and show nothing else.
REFUSED = {"rapportera", "granska", "data", "logg"}
BACK_LINK = "Till översikten"
NAV_LINKS = '[data-testid="stSidebarNav"] a'
DIRECT_TEST = "test_page_opened_directly_on_fresh_server"


@pytest.fixture(scope="module")
def browser():
    with chromium() as browser:
        yield browser


@pytest.fixture(scope="module")
def servers(request, tmp_path_factory):
    """A fresh server for every selected direct-URL case and one shared by the rest, all started at once."""
    items = [item for item in request.session.items if item.module is request.module]
    names = [f"fresh-{item.callspec.params['path']}" for item in items if item.originalname == DIRECT_TEST]
    names += ["shared"] if any("shared_server" in item.fixturenames for item in items) else []
    started = start_servers(names, tmp_path_factory)
    yield started
    for server in started.values():
        server.stop()


@pytest.fixture
def shared_server(servers) -> StreamlitServer:
    servers["shared"].wait_until_healthy()
    return servers["shared"]


@pytest.fixture
def page(browser):
    page = open_page(browser)
    yield page
    page.context.close()


@pytest.fixture
def wide_page(browser):
    page = open_page(browser, 1920, 1080)
    yield page
    page.context.close()


def assert_page_shows(page: Page, title: str) -> None:
    """The page's heading is `title` once the script has finished, and nothing crashed."""
    # Waiting for content first: a page opened directly on a fresh server finishes one empty run
    # (ui.frame installs the navigation and reruns) before the run that draws it, and a click
    # finds the old page still "notRunning".
    expect(page.locator("h1")).to_have_text([title])
    wait_for_script(page)
    expect(page.locator("h1")).to_have_text([title])
    expect(page.locator(EXCEPTION)).to_have_count(0)
    if title == "Otrygga platser":
        # The map draws the boundary and the places from the app's own copy of Leaflet, offline.
        expect(page.frame_locator(MAP_FRAME).locator(MAP_SHAPES).first).to_be_visible()
    assert not page.uncaught_errors, page.uncaught_errors


@pytest.mark.parametrize("path, title", PAGES, ids=[path or "start" for path, _ in PAGES])
def test_page_opened_directly_on_fresh_server(servers, page, path, title):
    server = servers[f"fresh-{path}"]
    server.wait_until_healthy()
    try:
        page.goto(f"{server.url}/{path}")
        wait_for_script(page)
        assert_page_shows(page, title)
        if path in REFUSED:
            expect(page.locator('[data-testid="stMain"] [data-testid="stAlert"]')).to_contain_text("får du inte")
        if path in PRESENTER:
            expect(page.locator('[data-testid="stSidebar"]')).to_be_hidden()
            expect(page.locator('[data-testid="stMain"] [data-testid="stAlert"]')).to_contain_text("Exempeldata")
            leave_presenter_page(page)
        assert_sidebar_navigation(page)
        expect(page.locator('[data-testid="stSidebar"] [data-testid="stAlert"]')).to_contain_text("Exempeldata")
    finally:
        server.stop()


def assert_sidebar_navigation(page: Page) -> None:
    """The sidebar lists every page, in order, where a user can see it."""
    links = page.locator(NAV_LINKS)
    expect(links).to_have_count(len(NAV_LABELS))
    # Each link's text is the icon's ligature name, then the label.
    texts = links.all_inner_texts()
    assert all(label in text for label, text in zip(NAV_LABELS, texts)), texts
    for index in range(len(NAV_LABELS)):
        expect(links.nth(index)).to_be_visible()


def leave_presenter_page(page: Page) -> None:
    """The way out of the meeting-room view leads to the overview with its sidebar."""
    page.locator('[data-testid="stMain"]').get_by_role("link", name=BACK_LINK).click()
    assert_page_shows(page, PAGES[0][1])


def test_sidebar_links_open_every_page(shared_server, wide_page):
    page = wide_page
    # Start on the last page so that every click, the first included, changes page.
    page.goto(f"{shared_server.url}/{PAGES[-1][0]}")
    wait_for_script(page)
    links = page.locator(NAV_LINKS)
    expect(links).to_have_count(len(NAV_LABELS))
    for index, (label, (path, title)) in enumerate(zip(NAV_LABELS, PAGES)):
        link = links.nth(index)
        expect(link).to_contain_text(label)
        link.click()
        assert_page_shows(page, title)
        assert urlsplit(page.url).path.strip("/") == path
        if path in PRESENTER:
            expect(link).to_be_hidden()
            leave_presenter_page(page)
            assert_sidebar_navigation(page)


def test_trend_table_follows_chosen_area(shared_server, page):
    page.goto(f"{shared_server.url}/trender")
    wait_for_script(page)
    # st.dataframe paints on a canvas; the grid's accessibility table holds the visible rows as text.
    table = page.locator('[data-testid="stDataFrame"] table').first  # the trend table, above the district table
    expect(table).to_contain_text("Norrmalm")
    expect(table).not_to_contain_text("Bromma")

    area = page.locator('[data-testid="stSelectbox"]').filter(has_text="Område").get_by_role("combobox")
    area.click()
    area.press_sequentially("Bromma")
    area.press("Enter")

    expect(table).to_contain_text("Bromma")
    wait_for_script(page)
    expect(table).to_contain_text("Bromma")
    expect(table).not_to_contain_text("Norrmalm")
    expect(area).to_have_value("Bromma")
    expect(page.locator(EXCEPTION)).to_have_count(0)
    assert not page.uncaught_errors, page.uncaught_errors
