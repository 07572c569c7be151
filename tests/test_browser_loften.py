"""Medborgarlöften and Samverkan in a real browser against `streamlit run`: the 2017 pledges with their
targets and statuses, a progress entry through the form that moves the meter, and a place that opens the map."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from test_browser import (EXCEPTION, StreamlitServer, browser, editor_secrets, free_ports, open_page,  # noqa: F401
                          sign_in, wait_for_script)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    started = StreamlitServer(free_ports(1)[0], tmp_path_factory.mktemp("server-loften"), editor_secrets())
    yield started
    started.stop()


@pytest.fixture
def page(server, browser):
    server.wait_until_healthy()
    page = open_page(browser, 1920, 1080)
    yield page
    page.context.close()


def goto(page: Page, server: StreamlitServer, path: str) -> None:
    page.goto(f"{server.url}/{path}")
    wait_for_script(page)
    expect(page.locator(EXCEPTION)).to_have_count(0)


def test_progress_through_the_form_moves_the_meter(server, page):
    goto(page, server, "medborgarloften")
    sign_in(page)  # recording takes a redaktör
    meters = page.locator('[role="meter"]')
    expect(meters).to_have_count(3)
    for index, target in enumerate(("2", "2", "3")):
        expect(meters.nth(index)).to_have_attribute("aria-valuenow", "0")
        expect(meters.nth(index)).to_have_attribute("aria-valuemax", target)
    # Only example data: "Läget per" is the example meeting 2016-12-14, before the pledge year: no status yet.
    expect(page.locator(".pledge-status")).to_have_count(0)
    main = page.locator('[data-testid="stMain"]')
    expect(main).to_contain_text("Mål: 2 riktade insatser")
    expect(main).to_contain_text("Mål: 3 samverkansforum")
    expect(main).to_contain_text("Löftesåret 2017 har inte börjat än.")

    page.get_by_text("Registrera framsteg").click()
    page.get_by_label("Vad har gjorts").fill("Riktad insats mot <b>nätverk</b> vid *Sergels torg*.")
    page.locator('[data-testid="stRadio"]').get_by_text("öppen", exact=True).click()
    page.get_by_role("button", name="Spara").click()

    expect(meters.first).to_have_attribute("aria-valuenow", "1")
    wait_for_script(page)
    expect(meters.first).to_have_attribute("aria-valuenow", "1")
    expect(meters.nth(1)).to_have_attribute("aria-valuenow", "0")
    expect(page.locator(".pledge-meter").first).to_contain_text("1 av 2 riktade insatser")
    # Something typed in: the data is real, "Läget per" is today and the year 2017 is over.
    expect(page.locator(".pledge-status")).to_have_text(["Ej uppfyllt"] * 3)
    expect(main).to_contain_text("Framsteget är sparat.")
    # What was typed is shown as typed: neither bold nor a tag.
    expect(main).to_contain_text("2017-12-31: Riktad insats mot <b>nätverk</b> vid *Sergels torg*.")
    expect(main.locator("b", has_text="nätverk")).to_have_count(0)
    expect(page.locator(EXCEPTION)).to_have_count(0)
    assert not page.uncaught_errors, page.uncaught_errors


def test_a_place_of_an_activity_opens_the_map_on_that_place(server, page):
    goto(page, server, "samverkan")
    expect(page.locator('[data-testid="stMetricValue"]').first).to_have_text("3 av 11")
    page.get_by_role("button", name="Klarabergsgatan").click()
    expect(page.locator("h1")).to_have_text(["Otrygga platser"])
    wait_for_script(page)
    place = page.locator(".st-key-map_place").get_by_role("combobox")  # the Karta page's place selector
    expect(place).to_have_value("Klarabergsgatan")
    expect(page.locator(EXCEPTION)).to_have_count(0)
