#!/usr/bin/env python3
"""Issue 13, goal 5: server memory with twenty sessions on Karta and 10 000 observations, against a bare app.

A fresh SQLite database with the example data plus --observations synthetic ones (bench_karta.fill). The
app's server, then a bare Streamlit app that reads the same observations into one pandas frame (shared,
st.cache_resource) and shows how many there are, each get --sessions websocket clients (Streamlit's own
protocol, no browsers) opening their page and staying connected. Prints each server's resident memory
(VmRSS) before the first session and with all sessions open, and the ratio (goal: at most 1.5).

Usage: python benchmarks/bench_memory.py [--sessions 20] [--observations 10000]
"""
from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from contextlib import AsyncExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_karta import fill  # noqa: E402
from streamlit_ws import ROOT, Session, bare_app, memory_mb, start_server  # noqa: E402

BARE = """import sqlite3
import pandas as pd
import streamlit as st

@st.cache_resource
def observations() -> pd.DataFrame:
    with sqlite3.connect({database!r}) as conn:
        return pd.read_sql("SELECT * FROM observation WHERE confidentiality = 'öppen'", conn)

st.title("Bar app")
st.write(f"{{len(observations())}} iakttagelser")
"""


async def hold(url: str, page: str, sessions: int, pid: int) -> float:
    """Resident MB of the server once `sessions` sessions have opened the page, all still connected."""
    async with AsyncExitStack() as stack:
        for _ in range(sessions):
            session = await stack.enter_async_context(Session(url))
            await session.open(page)
        return memory_mb(pid)


def measure(script: Path, page: str, sessions: int, environment: dict[str, str] | None = None) -> tuple[float, float]:
    server = start_server(script, environment)
    url = server.url
    try:
        before = memory_mb(server.process.pid)
        return before, asyncio.run(hold(url, page, sessions, server.process.pid))
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--observations", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        database = str(Path(folder) / "bench.sqlite")
        fill(database, args.observations)
        app = measure(ROOT / "app.py", "karta", args.sessions, {"LAGESBILD_DATABASE": database})
        bare = measure(bare_app(Path(folder), BARE.format(database=database)), "", args.sessions)
    print(f"Serverns minne (VmRSS), {args.sessions} sessioner, {args.observations} extra iakttagelser.")
    print(f"{'':<22} {'före':>9} {'med sessionerna':>16}")
    for name, (before, after) in (("Lägesbild, Karta", app), ("bar app, samma tabell", bare)):
        print(f"{name:<22} {before:>6.0f} MB {after:>13.0f} MB")
    ratio = app[1] / bare[1]
    print(f"kvot {ratio:.2f}× (mål högst 1,5×: {'ja' if ratio <= 1.5 else 'nej'})".replace(".", ","))


if __name__ == "__main__":
    main()
