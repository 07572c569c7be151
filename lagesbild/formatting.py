"""Swedish number, percent and date formats for everything the user reads."""
from __future__ import annotations

import datetime as dt
import math
import re

NBSP = "\u00a0"
MINUS = "\u2212"


def number(value: float | int | None, decimals: int = 0) -> str:
    """'1 234', '12,5' or '−2,0' (a real minus sign); '..' when there is no value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ".."
    text = f"{value:,.{decimals}f}"
    return text.replace(",", NBSP).replace(".", ",").replace("-", MINUS)


def percent(value: float | None, decimals: int = 1) -> str:
    """'12,5 %'; '..' when there is no value."""
    text = number(value, decimals)
    return text if text == ".." else f"{text}{NBSP}%"


def date(value: dt.date | dt.datetime | None) -> str:
    """ISO date as Swedish authorities write it, '2016-12-14'; empty when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return value.strftime("%Y-%m-%d")


# Every character Markdown may act on, so typed text shows exactly as written.
MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&^=])")


def markdown_escape(text: object, newline: str = "  \n") -> str:
    """Typed text made safe for st.markdown: every character Markdown would act on is escaped.

    A line break becomes `newline`: a Markdown hard break by default, " " where the text must stay on one line
    (a table cell, a chart caption)."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    return MARKDOWN_SPECIAL.sub(r"\\\1", str(text)).replace("\r\n", "\n").replace("\n", newline)


# A cell starting with one of these is run as a formula by Excel or LibreOffice (the full-width forms too,
# and tab or CR before them); exports put an apostrophe in front and imports take it off again.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def formula_safe(value: object) -> object:
    """Text a spreadsheet shows as text: an apostrophe in front of a formula start; other values unchanged."""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_START) else value


def formula_unquoted(value: object) -> object:
    """The text an export quoted with formula_safe, as it was typed."""
    return value[1:] if isinstance(value, str) and value[:1] == "'" and value[1:].startswith(FORMULA_START) else value
