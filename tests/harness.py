"""The one browser harness: `streamlit run` on a free port, Debian's Chromium through Playwright, offline pages.

The browser tests (tests/test_browser*.py) and the benchmarks (benchmarks/) both start servers and browsers
through this module, so a change in how the app is started is made once.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

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


class ServerFailed(RuntimeError):
    """The server exited or did not answer in time; the message holds its log."""


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
                 environment: dict[str, str] | None = None, script: Path = ROOT / "app.py"):
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
                [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
                 "--server.headless", "true", "--browser.gatherUsageStats", "false", "--secrets.files", str(secrets_file)],
                cwd=script.parent, env=env, stdout=log, stderr=subprocess.STDOUT)

    def wait_until_healthy(self) -> None:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerFailed(f"streamlit exited with {self.process.returncode}:\n{self.log.read_text()}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=1) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.1)
        raise ServerFailed(f"streamlit not healthy after {SERVER_START_TIMEOUT} s:\n{self.log.read_text()}")

    def started(self) -> StreamlitServer:
        """The server once it answers, for a `with` block that stops it at the end."""
        self.wait_until_healthy()
        return self

    def __enter__(self) -> StreamlitServer:
        return self.started()

    def __exit__(self, *exc) -> None:
        self.stop()

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


def start_servers(names: list[str], tmp_path_factory) -> dict[str, StreamlitServer]:
    """One server per name, all booting at once so their start-up overlaps."""
    return {name: StreamlitServer(port, tmp_path_factory.mktemp(f"server-{name}"))
            for name, port in zip(names, free_ports(len(names)))}


@contextmanager
def chromium(extra_args: tuple[str, ...] = ()):
    """Debian's Chromium, headless, for as long as the block runs."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *extra_args])
        try:
            yield browser
        finally:
            browser.close()


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


def wait_for_script(page: Page) -> None:
    page.wait_for_selector(SCRIPT_DONE)
