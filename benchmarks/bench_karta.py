#!/usr/bin/env python3
"""How long the Karta page takes until the map is ready, with 1 000, 10 000 and 50 000 observations.

For each size: a fresh SQLite database with the example data plus synthetic observations spread over
Norrmalm, `streamlit run app.py` on a free port, and headless Chromium (network closed, as in the
meeting room without internet) opening /karta. "Ready" is when the observation canvas has drawn every
point and the place markers are on the map (the map sets data-observations-drawn two animation frames
after adding the points). Prints one line per size: the first, cold load (database read, cache empty)
and the median of the warm loads that follow, plus when the page script finished.

Usage: python benchmarks/bench_karta.py [SIZES...]   (default 1000 10000 50000; Debian's /usr/bin/chromium)
"""
from __future__ import annotations

import datetime as dt
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pandas as pd
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lagesbild import db, places  # noqa: E402
from lagesbild.example import open_database  # noqa: E402

# The network is closed by the resolver (every name but the local server fails at once), not by a
# Playwright route, whose per-request round trip through Python would itself cost seconds.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1"]
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
SCRIPT_DONE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
WARM_LOADS = 5
CLICKED = (59.34028, 18.04333)  # Vasaparken
# Norrmalm's bounding box (DOMAIN.md).
LAT, LON = (59.3187, 59.3565), (18.0248, 18.0942)


def fill(path: str, count: int, seed: int = 4) -> None:
    """The example database plus `count` open observations at random points and dates in 2016."""
    engine = open_database(path)
    names = list(places.load_places(engine)["name"])
    rng = random.Random(seed)
    first = dt.date(2016, 1, 1)
    rows = [{"rad": i + 2, "plats": rng.choice(names), "datum": first + dt.timedelta(days=rng.randrange(366)),
             "kategori": rng.choice(places.CATEGORIES), "organisation": "Polisen",
             "beskrivning": "Syntetisk iakttagelse för mätningen", "sekretess": "öppen",
             "lat": rng.uniform(*LAT), "lon": rng.uniform(*LON)} for i in range(count)]
    with engine.begin() as conn:
        places.store_observations(conn, pd.DataFrame(rows), None, "bench")
        db.bump_version(conn)
    engine.dispose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(database: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAGESBILD_")}
    env["LAGESBILD_DATABASE"] = database
    process = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                                "--server.headless", "true"], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1):
                return process, url
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("streamlit did not start within 60 s")


def load_once(browser, url: str, count: int, click: bool = True) -> tuple[float, float, float | None]:
    """Seconds from navigation until every observation is drawn, from the map's frame starting to load until then,
    and from a click on a place until its card shows."""
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    began = time.perf_counter()
    page.goto(f"{url}/karta")
    drawn = page.frame_locator(MAP_FRAME).locator(f'[data-observations-drawn="{count}"][data-places]')
    drawn.wait_for(state="attached", timeout=120_000)
    ready = time.perf_counter() - began
    in_frame = int(drawn.get_attribute("data-drawn-ms")) / 1000
    page.wait_for_selector(SCRIPT_DONE, timeout=120_000)
    if not click:
        context.close()
        return ready, in_frame, None
    box = page.locator(MAP_FRAME).bounding_box()
    x, y = page.locator(MAP_FRAME).element_handle().content_frame().evaluate(
        "([lat, lon]) => { const p = window.map.latLngToContainerPoint([lat, lon]); return [p.x, p.y]; }", CLICKED)
    clicked = time.perf_counter()
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.locator("h3", has_text="Vasaparken").wait_for(timeout=120_000)
    card = time.perf_counter() - clicked
    context.close()
    return ready, in_frame, card


def main(sizes: list[int]) -> None:
    print("Sekunder tills kartan är klar i headless Chromium (alla prickar ritade, platserna på kartan), 1920×1080.")
    print(f"{'iakttagelser':>12}  {'första laddning':>15}  {'därefter (median)':>17}  {'varav kartans ram':>17}"
          f"  {'klick till platskort':>20}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for size in sizes:
            with tempfile.TemporaryDirectory() as folder:
                database = str(Path(folder) / "bench.sqlite")
                fill(database, size)
                total = len(places.load_observations(db.connect(database)))
                process, url = start_server(database)
                try:
                    cold, _, _ = load_once(browser, url, total, click=False)
                    warm = [load_once(browser, url, total) for _ in range(WARM_LOADS)]
                finally:
                    process.terminate()
                    process.wait()
            line = (f"{size:>12,}  {cold:>14.2f}s  {statistics.median(r for r, _, _ in warm):>16.2f}s  "
                    f"{statistics.median(m for _, m, _ in warm):>16.2f}s  {statistics.median(c for _, _, c in warm):>19.2f}s")
            print(line.replace(",", " ").replace(".", ","))
        browser.close()
    print("Första laddning: tom cache, databasen läses. Kartans ram: från att kartans iframe börjar laddas tills allt är ritat.\n"
          "Klick till platskort: från ett klick på Vasaparken på kartan tills platskortet visas.")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1_000, 10_000, 50_000])
