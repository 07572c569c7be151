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
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from harness import MAP_FRAME, SCRIPT_DONE, StreamlitServer, chromium, free_ports  # noqa: E402
from lagesbild import db, places  # noqa: E402
from lagesbild.example import open_database  # noqa: E402

# The network is closed by the resolver (every name but the local server fails at once), not by a
# Playwright route, whose per-request round trip through Python would itself cost seconds.
OFFLINE = ("--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",)
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
    with chromium(OFFLINE) as browser:
        for size in sizes:
            with tempfile.TemporaryDirectory() as folder:
                database = str(Path(folder) / "bench.sqlite")
                fill(database, size)
                total = len(places.load_observations(db.connect(database)))
                with StreamlitServer(free_ports(1)[0], Path(folder), database=database) as server:
                    cold, _, _ = load_once(browser, server.url, total, click=False)
                    warm = [load_once(browser, server.url, total) for _ in range(WARM_LOADS)]
            line = (f"{size:>12,}  {cold:>14.2f}s  {statistics.median(r for r, _, _ in warm):>16.2f}s  "
                    f"{statistics.median(m for _, m, _ in warm):>16.2f}s  {statistics.median(c for _, _, c in warm):>19.2f}s")
            print(line.replace(",", " ").replace(".", ","))
    print("Första laddning: tom cache, databasen läses. Kartans ram: från att kartans iframe börjar laddas tills allt är ritat.\n"
          "Klick till platskort: från ett klick på Vasaparken på kartan tills platskortet visas.")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1_000, 10_000, 50_000])
