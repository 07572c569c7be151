"""Values taken from a page's address (?ogonblick=, ?bild=, ?datum=): anyone can type anything there.

Each reader returns a value the page can use, the nearest valid one when the text is out of range,
and never raises.
"""
from __future__ import annotations

import datetime as dt
import re

ASCII_NUMBER = re.compile(r"[0-9]{1,9}")  # not str.isdigit: "²" and "١" pass that but not int() or a database
EARLIEST = dt.date(2000, 1, 1)
YEARS_AHEAD = 5


def record_id(value: str | None) -> int | None:
    """A database id from the address, or None when it cannot be one."""
    value = (value or "").strip()
    return int(value) if ASCII_NUMBER.fullmatch(value) else None


def slide_number(value: str | None, total: int) -> int:
    """The slide to show, 1 … total; anything else gives the nearest slide (the first when it is no number)."""
    value = (value or "").strip()
    if not re.fullmatch(r"-?[0-9]+", value):
        return 1
    number = int(value) if len(value) < 10 else (total if not value.startswith("-") else 1)
    return min(max(number, 1), max(total, 1))


def meeting_date(value: str | None, today: dt.date) -> tuple[dt.date | None, str | None]:
    """The date in the address, moved into the range the app can show, and a Swedish notice when it was moved.

    None (and no notice) when the address has no date.
    """
    if not value:
        return None, None
    latest = today.replace(year=today.year + YEARS_AHEAD) if not (today.month == 2 and today.day == 29) \
        else dt.date(today.year + YEARS_AHEAD, 2, 28)
    try:
        parsed = dt.date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None, f"Datumet i adressen ({value[:40]}) är inget datum (ÅÅÅÅ-MM-DD); mötesdatumet används i stället."
    clamped = min(max(parsed, EARLIEST), latest)
    if clamped != parsed:
        return clamped, (f"Datumet i adressen ({parsed.isoformat()}) ligger utanför det som går att visa "
                         f"({EARLIEST.isoformat()} – {latest.isoformat()}); lägesbilden visas för "
                         f"{clamped.isoformat()} i stället.")
    return parsed, None
