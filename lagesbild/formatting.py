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


def markdown_escape(text: str | None) -> str:
    """Typed text made safe for st.markdown: every character Markdown would act on is escaped."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", str(text or ""))
