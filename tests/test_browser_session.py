"""A local sign-in survives a reload (a signed, expiring cookie), and signing out forgets it, in a real browser."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from test_browser import (EXCEPTION, StreamlitServer, browser, editor_secrets, free_ports,  # noqa: F401
                          open_page, sign_in, wait_for_script)

from lagesbild import auth

SECRET = '[inloggning]\nhemlighet = "webbläsartestets nyckel, bara för testet"\n'


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    started = StreamlitServer(free_ports(1)[0], tmp_path_factory.mktemp("server-session"), SECRET + editor_secrets())
    yield started
    started.stop()


def test_a_signed_in_editor_stays_signed_in_across_a_reload_until_signing_out(server, browser):  # noqa: F811
    server.wait_until_healthy()
    page = open_page(browser, 1366, 768)
    try:
        page.goto(f"{server.url}/karta")
        wait_for_script(page)
        sign_in(page)
        page.wait_for_function(f"document.cookie.includes('{auth.SESSION_COOKIE}=')")
        cookie = next(c for c in page.context.cookies() if c["name"] == auth.SESSION_COOKIE)
        assert cookie["sameSite"] == "Strict" and cookie["expires"] > 0  # expiring, not for other sites
        assert "webbläsartestets lösenord" not in cookie["value"]

        page.reload()  # mid-meeting: the projector's laptop reloads the page
        wait_for_script(page)
        sidebar = page.locator('[data-testid="stSidebar"]')
        expect(sidebar).to_contain_text("Roll: redaktör")
        expect(page.get_by_role("button", name="Spara iakttagelsen")).to_be_visible()
        assert page.locator(EXCEPTION).count() == 0

        sidebar.get_by_role("button", name="Logga ut").click()
        wait_for_script(page)
        expect(sidebar).not_to_contain_text("Roll: redaktör")
        page.reload()
        wait_for_script(page)
        expect(page.locator('[data-testid="stSidebar"]')).to_contain_text("Logga in")
        expect(page.locator('[data-testid="stSidebar"]')).not_to_contain_text("Roll: redaktör")
    finally:
        page.context.close()


def test_a_forged_cookie_signs_nobody_in(server, browser):  # noqa: F811
    server.wait_until_healthy()
    page = open_page(browser, 1366, 768)
    try:
        forged = auth._b64(f"{'redaktor.test'}\x1f{9_999_999_999}".encode()) + ".ZmFsc2s"
        page.context.add_cookies([{"name": auth.SESSION_COOKIE, "value": forged, "url": server.url}])
        page.goto(f"{server.url}/karta")
        wait_for_script(page)
        expect(page.locator('[data-testid="stSidebar"]')).to_contain_text("Logga in")
        assert page.get_by_role("button", name="Spara iakttagelsen").count() == 0
    finally:
        page.context.close()
