"""Notices every page and slide shares: the warning that example data is on show."""
from __future__ import annotations

EXAMPLE_WORD = "Exempeldata."


def example_notice(kinds: list[str], markdown: bool = False) -> str | None:
    """The "Exempeldata" notice for the kinds of data still holding example rows, or None when there are none.

    With markdown=True the first word is bold, as the sidebar and the meeting room show it; plain text for
    slides and handouts.
    """
    if not kinds:
        return None
    word = f"**{EXAMPLE_WORD}**" if markdown else EXAMPLE_WORD
    return (f"{word} Siffrorna och texterna för {', '.join(kinds)} är exempel som återskapar "
            "rådsmötet 2016-12-14 – de är inte verkliga värden.")
