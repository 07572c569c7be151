#!/usr/bin/env python3
"""Issue 13, goal 4: more than one server. Twenty sessions spread over two app processes on one database,
against the same twenty on one process; and a write through the data layer seen by both at their next rerun.

The database is a fresh PostgreSQL database when LAGESBILD_TEST_POSTGRES names a server that may create one
(as in the tests), else a shared SQLite file. Sessions are websocket clients speaking Streamlit's protocol
(bench_sessions.py). Prints the median time to ready of --sessions tabs opened at once on one process and
split evenly over two, their ratio, and how long each process's next rerun took to show a new meeting.

Usage: python benchmarks/bench_processes.py [--sessions 20] [--page oversikt]
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import statistics
import sys
import tempfile
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from streamlit_ws import ROOT, Session, start_server  # noqa: E402

from lagesbild import cooperation  # noqa: E402
from lagesbild.audit import Actor  # noqa: E402
from lagesbild.example import open_database  # noqa: E402

TEXT = "Mätningens möte, skrivet av en tredje process"


def new_database(folder: Path) -> tuple[str, callable]:
    """A database URL for both processes, and how to remove it afterwards."""
    admin_url = os.environ.get("LAGESBILD_TEST_POSTGRES")
    if not admin_url:
        return str(folder / "bench.sqlite"), lambda: None
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"lagesbild_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return make_url(admin_url).set(database=name).render_as_string(hide_password=False), drop


async def open_one(url: str, page: str) -> float:
    async with Session(url) as session:
        return await session.open(page)


async def together(urls: list[str], page: str, sessions: int) -> float:
    for url in urls:
        await open_one(url, page)  # warm: each process fills its cache once
    return statistics.median(await asyncio.gather(*(open_one(urls[n % len(urls)], page) for n in range(sessions))))


async def seen_after_write(urls: list[str], database: str) -> list[float]:
    """Each process's next rerun after a write made elsewhere: seconds, once the new text is on the page."""
    async with Session(urls[0]) as first, Session(urls[1]) as second:
        for session in (first, second):
            await session.open("samverkan")
        engine = open_database(database)
        cooperation.add_meeting(engine, "klara", dt.date(2016, 12, 30), TEXT, "", "öppen", dt.date.today(),
                                by=Actor("mätning", "redaktör"))
        engine.dispose()
        times = []
        for session in (first, second):
            seconds = await session.rerun()
            if not any(TEXT in t for t in session.texts):
                raise SystemExit("the write was not seen at the next rerun")
            times.append(seconds)
        return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--page", default="oversikt")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        database, drop = new_database(Path(folder))
        started = []
        try:
            open_database(database).dispose()
            started = [start_server(ROOT / "app.py", {"LAGESBILD_DATABASE": database}) for _ in range(2)]
            urls = [server.url for server in started]
            one = asyncio.run(together(urls[:1], args.page, args.sessions))
            two = asyncio.run(together(urls, args.page, args.sessions))
            seen = asyncio.run(seen_after_write(urls, database))
        finally:
            for server in started:
                server.stop()
            drop()
    kind = "PostgreSQL" if "://" in database else "SQLite"
    print(f"{args.sessions} sessioner samtidigt på {args.page} ({kind}), median tid tills sidan är klar:")
    print(f"  två processer {two:.3f} s, en process {one:.3f} s, kvot {two / one:.2f}×".replace(".", ","))
    print("En skrivning från en tredje process syns vid nästa omkörning: "
          + ", ".join(f"process {n + 1} {s:.3f} s" for n, s in enumerate(seen)).replace(".", ","))


if __name__ == "__main__":
    main()
