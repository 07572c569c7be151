"""The app in a real browser against `streamlit run`: every page opened directly, the sidebar, a filter."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
SCRIPT_DONE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
EXCEPTION = '[data-testid="stException"]'
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
MAP_SHAPES = ".leaflet-overlay-pane path.leaflet-interactive"
SERVER_START_TIMEOUT = 60.0
TIMEOUT_MS = 30_000
# A server's first run imports the data stack and builds the database: seconds, more on a busy machine.
expect.set_options(timeout=TIMEOUT_MS)

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


EDITOR_USERNAME = "redaktor.test"
EDITOR_PASSWORD = "webbläsartestets lösenord"


def editor_secrets() -> str:
    """A secrets file with one redaktör account, hashed at a low cost so that sign-in is quick."""
    from lagesbild import auth

    real = auth.SCRYPT_COST
    auth.SCRYPT_COST = {"n": 2**4, "r": 8, "p": 1}
    try:
        return auth.account_toml(auth.new_account(EDITOR_USERNAME, "redaktör", EDITOR_PASSWORD))
    finally:
        auth.SCRYPT_COST = real


def sign_in(page: Page, username: str = EDITOR_USERNAME, password: str = EDITOR_PASSWORD) -> None:
    """Sign in through the sidebar as a person would; returns once the role shows."""
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.locator('[data-testid="stExpander"]').filter(has_text="Logga in").locator("summary").click()
    sidebar.get_by_label("Användarnamn").fill(username)
    sidebar.get_by_label("Lösenord", exact=True).fill(password)
    sidebar.get_by_role("button", name="Logga in").click()
    expect(sidebar).to_contain_text("Roll: redaktör")
    wait_for_script(page)


class StreamlitServer:
    """`streamlit run app.py` on its own port and database, started without waiting for it."""

    def __init__(self, port: int, directory: Path, secrets: str | None = None, database: str | None = None,
                 environment: dict[str, str] | None = None):
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log = directory / "streamlit.log"
        env = {k: v for k, v in os.environ.items() if not k.startswith("LAGESBILD_")}
        env["LAGESBILD_DATABASE"] = database or str(directory / "lagesbild.sqlite")
        env.update(environment or {})
        # Its own secrets file, never the project's: accounts made for the test only.
        secrets_file = directory / "secrets.toml"
        secrets_file.write_text(secrets or "", encoding="utf-8")
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                 "--server.headless", "true", "--secrets.files", str(secrets_file)],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)

    def wait_until_healthy(self) -> None:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"streamlit exited with {self.process.returncode}:\n{self.log.read_text()}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=1) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.1)
        pytest.fail(f"streamlit not healthy after {SERVER_START_TIMEOUT} s:\n{self.log.read_text()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def free_ports(count: int) -> list[int]:
    """Ports nobody listens on, distinct because all are held until all are chosen."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def start_servers(names: list[str], tmp_path_factory: pytest.TempPathFactory) -> dict[str, StreamlitServer]:
    """One server per name, all booting at once so their start-up overlaps."""
    return {name: StreamlitServer(port, tmp_path_factory.mktemp(f"server-{name}"))
            for name, port in zip(names, free_ports(len(names)))}


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


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


def open_page(browser: Browser, width: int = 1280, height: int = 900) -> Page:
    """A page in its own browser context that may reach the local server and nothing else."""
    context = browser.new_context(viewport={"width": width, "height": height}, locale="sv-SE")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.uncaught_errors = []  # JavaScript errors, the map's iframe included
    page.on("pageerror", lambda error: page.uncaught_errors.append(str(error)))

    def local_only(route):
        if urlsplit(route.request.url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            route.abort()

    page.route("**/*", local_only)
    return page


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


def wait_for_script(page: Page) -> None:
    page.wait_for_selector(SCRIPT_DONE)


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
    table = page.locator('[data-testid="stDataFrame"] table')
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
