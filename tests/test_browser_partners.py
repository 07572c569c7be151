"""A partner on a phone (390×844) reports an observation with a photo and the phone's position, and it reaches the
editor's queue — in a real browser against `streamlit run` (issue #16)."""
from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Page, expect
from test_browser import (EXCEPTION, StreamlitServer, browser, free_ports, open_page, wait_for_script)  # noqa: F401

from lagesbild import auth

PASSWORD = "webbläsartestets lösenord"
SHOTS = Path(os.environ.get("LAGESBILD_SHOTS", "")) if os.environ.get("LAGESBILD_SHOTS") else None


def accounts() -> str:
    """A rapportör and a redaktör, hashed at a low cost so that sign-in is quick."""
    real = auth.SCRYPT_COST
    auth.SCRYPT_COST = {"n": 2**4, "r": 8, "p": 1}
    try:
        return "".join(auth.account_toml(auth.new_account(name, role, PASSWORD))
                       for name, role in (("kyrkan.test", "rapportör"), ("redaktor.test", "redaktör")))
    finally:
        auth.SCRYPT_COST = real


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    started = StreamlitServer(free_ports(1)[0], tmp_path_factory.mktemp("server-partners"), accounts())
    yield started
    started.stop()


def sign_in(page: Page, username: str, role: str) -> None:
    """Sign in through the sidebar, opening it first where the screen is narrow."""
    sidebar = page.locator('[data-testid="stSidebar"]')
    opener = page.locator('[data-testid="stExpandSidebarButton"]')
    if opener.count() and opener.is_visible():
        opener.click()
    sidebar.locator('[data-testid="stExpander"]').filter(has_text="Logga in").locator("summary").click()
    sidebar.get_by_label("Användarnamn").fill(username)
    # Enter in the password field submits the form, as most people sign in: under load a click on the button
    # could land while the sidebar was being redrawn and be lost (CI, once).
    sidebar.get_by_label("Lösenord", exact=True).fill(PASSWORD)
    sidebar.get_by_label("Lösenord", exact=True).press("Enter")
    expect(sidebar).to_contain_text(f"Roll: {role}")
    wait_for_script(page)


def goto(page: Page, server: StreamlitServer, path: str) -> None:
    page.goto(f"{server.url}/{path}")
    wait_for_script(page)
    expect(page.locator(EXCEPTION)).to_have_count(0)


def phone_photo(tmp_path: Path) -> Path:
    image = Image.new("RGB", (2400, 1800), (90, 140, 200))
    exif = Image.Exif()
    exif[0x0110] = "Modell X"
    exif[0x8825] = {1: "N", 2: (59.0, 20.0, 30.0), 3: "E", 4: (18.0, 3.0, 0.0)}
    path = tmp_path / "IMG_0042.jpg"
    image.save(path, "JPEG", exif=exif)
    return path


def test_a_partner_reports_from_a_phone_with_a_photo_and_it_reaches_the_queue(server, browser, tmp_path):
    server.wait_until_healthy()
    phone = open_page(browser, 390, 844)
    phone.context.grant_permissions(["geolocation"])
    phone.context.set_geolocation({"latitude": 59.34290, "longitude": 18.04950, "accuracy": 12})
    goto(phone, server, "")
    sign_in(phone, "kyrkan.test", "rapportör")
    phone.locator('[data-testid="stSidebarNav"]').get_by_text("Rapportera").click()
    wait_for_script(phone)
    # On a phone the sidebar covers the page until it is closed.
    phone.locator('[data-testid="stSidebarCollapseButton"] button').click()
    expect(phone.locator('[data-testid="stSidebar"]')).to_have_attribute("data-collapsed", "true")
    wait_for_script(phone)
    if SHOTS:
        phone.screenshot(path=str(SHOTS / "rapportera-tom-390x844.png"))
    expect(phone.locator("h1")).to_have_text(["Rapportera"])

    phone.get_by_label("Organisation du rapporterar för").fill("Svenska kyrkan")
    phone.locator(".st-key-report_place").get_by_role("combobox").click()
    phone.get_by_role("option", name="Min position").click()
    wait_for_script(phone)
    phone.get_by_role("button", name="Hämta min position").click()
    expect(phone.locator('[data-testid="stMain"]')).to_contain_text("Position hämtad: 59,34290, 18,04950")
    phone.get_by_label("Vad heter platsen?").fill("Trappan vid Vasaparken")
    phone.locator(".st-key-report_category").get_by_role("combobox").click()
    phone.get_by_role("option", name="fysisk miljö/belysning").click()
    phone.get_by_label("Vad såg du?").fill("Trasig belysning i trappan, mörkt hela vägen ner.")
    phone.get_by_label("Organisation du rapporterar för").click()  # the text is sent and the page runs again:
    wait_for_script(phone)  # attach the photo after that run, or the run's redraw can drop it
    phone.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(phone_photo(tmp_path))
    expect(phone.locator('[data-testid="stFileUploader"]')).to_contain_text("IMG_0042.jpg")
    wait_for_script(phone)
    if SHOTS:
        phone.screenshot(path=str(SHOTS / "rapportera-390x844.png"), full_page=True)
    send = phone.get_by_role("button", name="Skicka in")
    box = send.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 300  # a thumb's target across the screen
    send.click()
    expect(phone.locator('[data-testid="stMain"]')).to_contain_text("Tack! Inskicket är mottaget.")
    expect(phone.locator('[data-testid="stMain"]')).to_contain_text("Väntar på granskning")
    expect(phone.get_by_label("Vad såg du?")).to_have_value("")  # ready for the next thing seen
    expect(phone.locator(EXCEPTION)).to_have_count(0)
    assert not phone.uncaught_errors, phone.uncaught_errors
    if SHOTS:
        phone.screenshot(path=str(SHOTS / "rapportera-skickat-390x844.png"), full_page=True)
    phone.context.close()

    desk = open_page(browser, 1920, 1080)
    goto(desk, server, "")
    sign_in(desk, "redaktor.test", "redaktör")
    goto(desk, server, "granska")
    main = desk.locator('[data-testid="stMain"]')
    expect(main).to_contain_text("Iakttagelse från Svenska kyrkan")
    expect(main).to_contain_text("Trappan vid Vasaparken")
    expect(main).to_contain_text("position 59,34290, 18,04950 · 1 bild")
    photo = main.locator('[data-testid="stImage"] img').first
    expect(photo).to_be_visible()
    if SHOTS:
        desk.screenshot(path=str(SHOTS / "granska-1920x1080.png"), full_page=True)
    expect(desk.locator(EXCEPTION)).to_have_count(0)
    assert not desk.uncaught_errors, desk.uncaught_errors
    desk.context.close()
