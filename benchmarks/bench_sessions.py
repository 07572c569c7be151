#!/usr/bin/env python3
"""Issue 13, goal 2: twenty sessions at once, each page's median time to ready against one session alone.

One `streamlit run app.py` on a fresh SQLite database with the example data (plus --observations synthetic
ones). For each page: a warm-up open (the cache fills), then the median time to ready of --single tabs opened
one after the other, then of --sessions tabs opened at once (websocket clients speaking Streamlit's own
protocol, no browsers: the server's work, not the browser's drawing), and the median of a plain rerun in an
open session (network round trip and Streamlit's own work included), and, in this process through AppTest,
the page's own server work after a cache hit (the script run alone). Prints per page the single figure, the
concurrent one and their ratio (goal: at most 3), the rerun and the page's own work in ms (goal: under 50).
A bare Streamlit page (a title, a line of text) is measured the same way, as the yardstick.

Usage: python benchmarks/bench_sessions.py [--sessions 20] [--single 5] [--observations 0] [PAGE ...]
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
BARE = """import streamlit as st
st.title("Bar sida")
st.write("En rad text.")
"""


async def open_one(url: str, page: str) -> float:
    async with Session(url) as session:
        return await session.open(page)


async def measure(url: str, page: str, sessions: int, single: int) -> tuple[float, float, float]:
    """Median seconds: one tab alone, `sessions` tabs at once, and a rerun in an open tab."""
    await open_one(url, page)
    alone = statistics.median([await open_one(url, page) for _ in range(single)])
    together = statistics.median(await asyncio.gather(*(open_one(url, page) for _ in range(sessions))))
    async with Session(url) as session:
        await session.open(page)
        rerun = statistics.median([await session.rerun() for _ in range(single)])
    return alone, together, rerun


def own_work(database: str, pages: list[str], runs: int) -> dict[str, float]:
    """Median seconds of each page's script run after a cache hit, in this process (AppTest, no messages sent).

    Only the run itself is timed (Streamlit's exec of app.py and the page); the page's bytecode is compiled
    once, as the server does (AppTest would compile it again on every run).
    """
    import os
    import time

    from streamlit.runtime.scriptrunner import script_runner
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import AppTest

    os.environ["LAGESBILD_DATABASE"] = database
    compiled, compile_once = {}, ScriptCache.get_bytecode
    ScriptCache.get_bytecode = lambda self, path: compiled.get(path) or compiled.setdefault(path, compile_once(self, path))
    timings: list[float] = []
    run = script_runner.exec_func_with_error_handling

    def timed(func, ctx):
        began = time.perf_counter()
        try:
            return run(func, ctx)
        finally:
            timings.append(time.perf_counter() - began)

    script_runner.exec_func_with_error_handling = timed
    medians = {}
    for page in pages:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.run()
        at.switch_page(f"pages/{page}.py").run()
        at.run()
        timings.clear()
        for _ in range(runs):
            at.run()
        assert not at.exception, [e.message for e in at.exception]
        medians[page] = statistics.median(timings)
    script_runner.exec_func_with_error_handling = run
    ScriptCache.get_bytecode = compile_once
    return medians


def fill(database: str, observations: int) -> None:
    from bench_karta import fill as add_observations

    from lagesbild.example import open_database

    if observations:
        add_observations(database, observations)
    else:
        open_database(database).dispose()


def report(name: str, alone: float, together: float, rerun: float, own: float | None) -> str:
    ratio = together / alone
    work = f"{own * 1000:>9.0f} ms {'ja' if own < 0.05 else 'nej':>5}" if own is not None else f"{'–':>12} {'':>5}"
    return (f"{name:<16} {alone:>9.3f} s {together:>11.3f} s {ratio:>8.1f}× {'ja' if ratio <= 3 else 'nej':>5}"
            f" {rerun * 1000:>9.0f} ms {work}").replace(".", ",")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("pages", nargs="*", default=PAGES)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--single", type=int, default=5)
    parser.add_argument("--observations", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        database = str(Path(folder) / "bench.sqlite")
        fill(database, args.observations)
        own = own_work(database, args.pages, args.single)
        print(f"Tid tills sidan är klar (median), en session ensam mot {args.sessions} samtidigt; omkörning i en "
              f"öppen session (över websocketen) och sidans eget serverarbete efter en cacheträff (i processen). "
              f"{args.observations} extra iakttagelser.")
        print(f"{'sida':<16} {'en session':>11} {f'{args.sessions} samtidigt':>13} {'kvot':>9} {'≤ 3×':>5}"
              f" {'omkörning':>12} {'eget arbete':>12} {'< 50':>5}")
        server = start_server(ROOT / "app.py", {"LAGESBILD_DATABASE": database})
        url = server.url
        try:
            for page in args.pages:
                print(report(page, *asyncio.run(measure(url, page, args.sessions, args.single)), own[page]),
                      flush=True)
        finally:
            server.stop()
        server = start_server(bare_app(Path(folder), BARE))
        url = server.url
        try:
            print(report("bar sida", *asyncio.run(measure(url, "", args.sessions, args.single)), None))
        finally:
            server.stop()


if __name__ == "__main__":
    main()
