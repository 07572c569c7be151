#!/usr/bin/env python3
"""Issue 13, goal 3: every page switch and every filter change, median time to ready, against a bare Streamlit app.

One `streamlit run app.py` on a fresh SQLite database with the example data; one session (a websocket client
speaking Streamlit's protocol, as the browser does: the server's work and the messages, not the browser's
drawing) goes round the pages --rounds times, each switch timed, and makes the filter changes below. A bare
Streamlit app with as many pages, each a title and a selectbox, is driven the same way: its page switch and
its selectbox change are the yardstick. Prints each median, the goal (under 0.5 s) and the ratio to the bare
app (goal: at most 2).

Usage: python benchmarks/bench_switch.py [--rounds 5]
"""
from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from streamlit_ws import ROOT, Session, bare_app, start_server  # noqa: E402

PAGES = ["oversikt", "trender", "karta", "medborgarloften", "samverkan", "radsmote"]
# (page, selectbox key, two options as shown): a change back and forth.
FILTERS = [("trender", "trend_area", ("Bromma", "Norrmalm")),
           ("trender", "trend_survey", ("Stockholmsenkäten", "Medborgarundersökningen")),
           ("karta", "map_window", ("Senaste 90 dagarna", "Hela perioden")),
           ("karta", "map_place", ("Vasaparken", "Odenplan")),
           ("medborgarloften", "pledge_year", ("2017", "2017")),
           ("samverkan", "coop_year", ("2016", "2016"))]
BARE = """import streamlit as st

def page():
    st.title("Bar sida")
    choice = st.selectbox("Område", ["Norrmalm", "Bromma", "Kungsholmen"], key="area")
    st.write(f"Valt: {choice}")

st.navigation([st.Page(page, title=f"Sida {n}", url_path=f"sida{n}") for n in range(6)]).run()
"""


async def switches(url: str, pages: list[str], rounds: int) -> list[float]:
    async with Session(url) as session:
        await session.open(pages[-1])
        times = []
        for _ in range(rounds):
            for page in pages:
                times.append(await session.open(page))
        return times


async def changes(url: str, page: str, key: str, options: tuple[str, str], rounds: int) -> list[float]:
    async with Session(url) as session:
        await session.open(page)
        times = []
        for _ in range(rounds):
            for option in options:
                times.append(await session.select(key, option))
        return times


def line(name: str, seconds: float, bare: float) -> str:
    return (f"{name:<34} {seconds:>8.3f} s {'ja' if seconds < 0.5 else 'nej':>6} {bare:>8.3f} s "
            f"{seconds / bare:>6.1f}× {'ja' if seconds <= 2 * bare else 'nej':>5}").replace(".", ",")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        server = start_server(bare_app(Path(folder), BARE))
        url = server.url
        try:
            bare_switch = statistics.median(asyncio.run(switches(url, [f"sida{n}" for n in range(6)], args.rounds)))
            bare_change = statistics.median(asyncio.run(changes(url, "sida0", "area", ("Bromma", "Norrmalm"),
                                                                args.rounds)))
        finally:
            server.stop()
        server = start_server(ROOT / "app.py", {"LAGESBILD_DATABASE": str(Path(folder) / "bench.sqlite")})
        url = server.url
        try:
            asyncio.run(switches(url, PAGES, 1))  # the first visit of each page fills the cache
            print("Median tid tills sidan är klar (serverns arbete och meddelandena, utan webbläsarens ritande).")
            print(f"{'':<34} {'Lägesbild':>10} {'< 0,5':>6} {'bar app':>10} {'kvot':>7} {'≤ 2×':>5}")
            per_page = {}
            times = asyncio.run(switches(url, PAGES, args.rounds))
            for index, page in enumerate(PAGES):
                per_page[page] = statistics.median(times[index::len(PAGES)])
                print(line(f"byte till {page}", per_page[page], bare_switch))
            print(line("byte, alla sidor", statistics.median(times), bare_switch))
            for page, key, options in FILTERS:
                seconds = statistics.median(asyncio.run(changes(url, page, key, options, args.rounds)))
                print(line(f"{page}: {key}", seconds, bare_change))
        finally:
            server.stop()


if __name__ == "__main__":
    main()
