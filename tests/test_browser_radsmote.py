"""The meeting mode in a real browser at projector size: keyboard, reload, restart, nothing internal."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

from lagesbild import agenda
from test_views_deck import example_internal_texts
from test_browser import (EXCEPTION, StreamlitServer, browser, open_page, start_servers,  # noqa: F401
                          wait_for_script)

ROOT = Path(__file__).resolve().parents[1]
TITLES = list(agenda.read_agenda("dagordning.csv", (ROOT / "data" / "dagordning.csv").read_bytes())["rubrik"])
RELOAD_AT = 9
NEXT_KEYS = ("ArrowRight", "PageDown")  # arrow keys and what a presentation clicker sends


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    """One server for the walk and one that is opened first by a deep link, then restarted; started together."""
    started = start_servers(["walk", "restart"], tmp_path_factory)
    yield started
    for server in started.values():
        server.stop()


@pytest.fixture
def projector(browser):
    page = open_page(browser, 1920, 1080)
    yield page
    page.context.close()


def slide_number(page: Page) -> int:
    return int(parse_qs(urlsplit(page.url).query)["bild"][0])


def assert_on_slide(page: Page, number: int) -> None:
    """The slide's title is shown, the script has finished and the URL names the slide."""
    heading = page.locator("h1")
    expect(heading).to_have_text([TITLES[number - 1]])
    wait_for_script(page)
    expect(heading).to_have_text([TITLES[number - 1]])
    expect(page.locator(EXCEPTION)).to_have_count(0)
    assert slide_number(page) == number
    assert not page.uncaught_errors, page.uncaught_errors


def assert_nothing_internal(page: Page, internal: list[str]) -> None:
    shown = page.locator('[data-testid="stMain"]').inner_text()
    leaked = [text for text in internal if text in shown]
    assert not leaked, leaked


def test_walking_the_agenda_with_the_keyboard_survives_a_reload(servers, projector):
    page, server = projector, servers["walk"]
    internal = example_internal_texts()
    server.wait_until_healthy()
    page.goto(f"{server.url}/radsmote?bild=1")
    assert_on_slide(page, 1)
    notice = page.locator('.st-key-slide_nav [data-testid="stAlert"]')
    for number in range(2, len(TITLES) + 1):
        expect(page.locator(".st-key-slide_next button")).to_be_enabled()
        page.keyboard.press(NEXT_KEYS[number % 2])
        assert_on_slide(page, number)
        assert_nothing_internal(page, internal)
        expect(notice).to_contain_text("Exempeldata")
        expect(notice).to_be_in_viewport()
        if number == RELOAD_AT:
            page.reload()
            assert_on_slide(page, RELOAD_AT)
    expect(page.locator(".st-key-slide_next button")).to_be_disabled()
    page.keyboard.press("PageUp")
    assert_on_slide(page, len(TITLES) - 1)
    page.keyboard.press("ArrowLeft")
    assert_on_slide(page, len(TITLES) - 2)


def test_the_text_is_large_enough_for_the_back_of_the_room(servers, projector):
    page, server = projector, servers["walk"]
    server.wait_until_healthy()
    page.goto(f"{server.url}/radsmote?bild=3")
    assert_on_slide(page, 3)
    title = page.locator("h1").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    bullet = page.locator(".slide-col li").first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert title >= 48 and bullet >= 24, (title, bullet)
    expect(page.locator('[data-testid="stSidebar"]')).to_be_hidden()


def test_a_link_opens_its_slide_on_a_fresh_server_and_a_restart_returns_to_it(servers, projector):
    page, server = projector, servers["restart"]
    server.wait_until_healthy()
    page.goto(f"{server.url}/radsmote?bild=12&datum=2016-12-14")
    assert_on_slide(page, 12)
    expect(page.locator('[data-testid="stVegaLiteChart"]').first).to_be_visible()
    app = page.locator('[data-testid="stApp"]')
    server.stop()
    expect(app).not_to_have_attribute("data-test-connection-state", "CONNECTED")
    servers["restart"] = restarted = StreamlitServer(server.port, server.log.parent)
    restarted.wait_until_healthy()
    # The open page reconnects by itself and keeps its slide; a reload asks the new server for the same one.
    expect(app).to_have_attribute("data-test-connection-state", "CONNECTED")
    assert_on_slide(page, 12)
    page.reload()
    assert_on_slide(page, 12)
    expect(page.locator('[data-testid="stVegaLiteChart"]').first).to_be_visible()
    expect(page.locator(".st-key-slide_next button")).to_be_enabled()
    page.keyboard.press("ArrowRight")
    assert_on_slide(page, 13)
