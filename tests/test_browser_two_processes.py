"""Two app processes on one PostgreSQL database, as behind a proxy: both start at once on a new database, an
observation recorded through one is on the other's map at its next rerun, and behind deploy/nginx.conf a
browser stays with one process while others are spread over both.

Needs LAGESBILD_TEST_POSTGRES (see tests/test_postgres.py), Chromium and nginx; .ci/run provides all three."""
from __future__ import annotations

import getpass
import os
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import pytest
from playwright.sync_api import Page, expect
from test_browser import (EXCEPTION, StreamlitServer, browser, editor_secrets, free_ports, open_page,  # noqa: F401
                          sign_in, wait_for_script)
from test_postgres import new_database, postgres_admin  # noqa: F401

OBSERVATIONS = 24  # open ones in the example data
TEXT = "Nattvandrare ser fler unga vid uppgången efter stängning."
# Both processes sign the same cookies: Streamlit's XSRF token (uploads) and, with [auth], st.login's cookie.
COOKIE_SECRET = "delad-hemlighet-for-bada-processerna"
# ... and Lägesbild's own sign-in cookie, with the key every process reads from its secrets ([inloggning]).
SIGN_IN_SECRET = '\n[inloggning]\nhemlighet = "samma-nyckel-i-alla-processer"\n'


@pytest.fixture
def processes(tmp_path_factory, new_database):  # noqa: F811
    url = new_database()  # empty: the first process to start loads the example data, the other waits for it
    secrets = editor_secrets() + SIGN_IN_SECRET
    folders = [tmp_path_factory.mktemp(f"process-{name}") for name in "ab"]
    # Each its own generated-key file, as on separate machines: only the configured key is shared.
    started = [StreamlitServer(port, folder, secrets, database=url,
                               environment={"STREAMLIT_SERVER_COOKIE_SECRET": COOKIE_SECRET,
                                            "LAGESBILD_SESSION_KEY_FILE": str(folder / "sessionshemlighet")})
               for folder, port in zip(folders, free_ports(2))]
    yield started
    for server in started:
        server.stop()


def open_map(server: StreamlitServer, browser) -> Page:  # noqa: F811
    server.wait_until_healthy()
    page = open_page(browser, 1920, 1080)
    page.goto(f"{server.url}/karta")
    wait_for_script(page)
    expect(page.locator("h1")).to_have_text(["Otrygga platser"])
    expect(page.locator(EXCEPTION)).to_have_count(0)
    return page


def choose(page: Page, key: str, text: str) -> None:
    box = page.locator(f".st-key-{key}").get_by_role("combobox")
    box.click()
    box.press_sequentially(text)
    box.press("Enter")


def test_a_write_through_one_process_is_seen_by_the_other_at_its_next_rerun(processes, browser):  # noqa: F811
    first, second = processes
    watching = open_map(second, browser)  # the other process has read and cached the map's tables
    main = watching.locator('[data-testid="stMain"]')
    expect(main).to_contain_text(f"och {OBSERVATIONS} iakttagelser")

    writing = open_map(first, browser)
    sign_in(writing)
    choose(writing, "obs_place", "Odenplan")
    choose(writing, "obs_category", "ungdomar")
    writing.locator(".st-key-obs_org input").fill("Nattvandrarna")
    writing.locator(".st-key-obs_text textarea").fill(TEXT)
    writing.locator(".st-key-obs_secrecy").get_by_text("öppen", exact=True).click()
    writing.locator(".st-key-obs_save button").click()
    expect(writing.locator('[data-testid="stMain"]')).to_contain_text("Iakttagelsen vid Odenplan är sparad")

    # The next rerun in the other process (choosing a place) reads the new data version and shows the observation.
    choose(watching, "map_place", "Odenplan")
    expect(watching.locator("h3", has_text="Odenplan")).to_be_visible()
    expect(main).to_contain_text(TEXT)
    expect(main).to_contain_text(f"och {OBSERVATIONS + 1} iakttagelser")
    wait_for_script(watching)
    expect(watching.locator(EXCEPTION)).to_have_count(0)
    for page in (watching, writing):
        assert not page.uncaught_errors, page.uncaught_errors
        page.context.close()


def test_a_sign_in_through_one_process_holds_when_the_next_page_load_reaches_the_other(processes, browser):  # noqa: F811
    # A proxy without sticky sessions may send the next page load to another process: the sign-in cookie, signed
    # with the shared key, signs the person in there too (cookies are per host, not per port, so the two local
    # processes see the same cookie as two processes behind one address would).
    first, second = processes
    page = open_map(first, browser)
    sign_in(page)
    second.wait_until_healthy()
    page.goto(f"{second.url}/karta")
    wait_for_script(page)
    expect(page.locator('[data-testid="stSidebar"]')).to_contain_text("Roll: redaktör")
    expect(page.locator(".st-key-obs_save button")).to_be_visible()  # the editor's form, on the other process
    page.context.close()


# --- the same two processes behind deploy/nginx.conf ---------------------------------------------------

DEPLOY_CONFIG = Path(__file__).resolve().parents[1] / "deploy" / "nginx.conf"


def nginx_binary() -> str:
    """The nginx to run, or a skip (a failure in CI, which installs it in .ci/run) when there is none."""
    found = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)
    if found is None:
        message = "nginx is not installed (apt-get install nginx; .ci/run installs it)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return found


def nginx_config(directory: Path, proxy_port: int, app_ports: list[int]) -> Path:
    """deploy/nginx.conf pointed at the local processes, inside a main file that keeps nginx's files in `directory`."""
    site = DEPLOY_CONFIG.read_text(encoding="utf-8").replace("listen 80;", f"listen 127.0.0.1:{proxy_port};")
    for name, port in zip(("app1", "app2"), app_ports):
        site = site.replace(f"server {name}:8501", f"server 127.0.0.1:{port}")
    assert "server app" not in site and f"127.0.0.1:{proxy_port}" in site
    (directory / "site.conf").write_text(site, encoding="utf-8")
    user = f"user {getpass.getuser()};" if os.geteuid() == 0 else ""
    temp = " ".join(f"{kind}_temp_path {directory / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    main = directory / "nginx.conf"
    main.write_text(f"""{user}
pid {directory / "nginx.pid"};
error_log {directory / "error.log"} warn;
events {{ worker_connections 256; }}
http {{
    log_format route '$upstream_addr $cookie_lagesbild_route $request_uri';
    access_log {directory / "access.log"} route;
    {temp}
    include {directory / "site.conf"};
}}
""", encoding="utf-8")
    return main


@pytest.fixture
def proxy(processes, tmp_path):
    binary = nginx_binary()
    port = free_ports(1)[0]
    config = nginx_config(tmp_path, port, [server.port for server in processes])
    checked = subprocess.run([binary, "-t", "-c", str(config)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    running = subprocess.Popen([binary, "-c", str(config), "-g", "daemon off;"], stderr=subprocess.PIPE)
    for server in processes:
        server.wait_until_healthy()
    yield SimpleNamespace(url=f"http://127.0.0.1:{port}", log=tmp_path / "access.log",
                          apps={f"127.0.0.1:{server.port}" for server in processes})
    running.terminate()
    running.wait(timeout=10)


def routes(log: Path) -> list[tuple[str, str, str]]:
    """(process address, route cookie, path) of every request nginx passed on."""
    return [tuple(line.split(" ", 2)) for line in log.read_text().splitlines() if not line.startswith("- ")]


def logged_with_websocket(log: Path) -> list[tuple[str, str, str]]:
    """The routes once nginx has logged the closed websocket (it logs a connection when it ends)."""
    deadline = time.monotonic() + 10
    while not any("/_stcore/stream" in path for _, _, path in routes(log)):
        assert time.monotonic() < deadline, f"no websocket went through the proxy: {routes(log)}"
        time.sleep(0.05)
    return routes(log)


def test_behind_the_proxy_a_browser_stays_with_one_process_and_both_processes_serve(proxy, browser):  # noqa: F811
    page = open_page(browser, 1920, 1080)
    page.goto(f"{proxy.url}/karta")
    wait_for_script(page)
    expect(page.locator("h1")).to_have_text(["Otrygga platser"])
    # A rerun over the websocket, through the proxy's upgrade.
    choose(page, "map_place", "Vasaparken")
    expect(page.locator('[data-testid="stMain"]')).to_contain_text("Mycket cannabisrökning i Vasaparken")
    wait_for_script(page)
    expect(page.locator(EXCEPTION)).to_have_count(0)
    cookie = next(c["value"] for c in page.context.cookies() if c["name"] == "lagesbild_route")
    page.reload()
    wait_for_script(page)
    expect(page.locator("h1")).to_have_text(["Otrygga platser"])
    page.context.close()
    served = logged_with_websocket(proxy.log)
    # Every request of this browser, the first one (before it had the cookie) included, went to one process.
    assert len({address for address, _, _ in served}) == 1, served
    # Other browsers are spread over both processes.
    for n in range(20):
        request = urllib.request.Request(f"{proxy.url}/_stcore/health", headers={"Cookie": f"lagesbild_route=b{n}"})
        with urllib.request.urlopen(request, timeout=5) as response:
            assert response.status == 200
    assert {address for address, _, _ in routes(proxy.log)} == proxy.apps
    assert cookie
