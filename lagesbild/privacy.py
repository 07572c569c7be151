"""Catch personal data typed into free text by mistake: personnummer, e-mail addresses, phone numbers."""
from __future__ import annotations

import datetime as dt
import re

PERSONNUMMER = re.compile(r"(?<!\d)(?:19|20)?(\d{2})(\d{2})(\d{2})[-+ ]?(\d{4})(?!\d)")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
PHONE = re.compile(r"(?<!\d)(?:\+46|0)7\d[\s-]?\d{3}[\s-]?\d{2}[\s-]?\d{2}(?!\d)")


def luhn_ok(digits: str) -> bool:
    """Whether the last digit is the Luhn control digit of the others, as in a personnummer."""
    total = 0
    for i, ch in enumerate(digits[:-1]):
        product = int(ch) * (2 if i % 2 == 0 else 1)
        total += product - 9 if product > 9 else product
    return (10 - total % 10) % 10 == int(digits[-1])


def _is_personnummer(yy: str, mm: str, dd: str, rest: str) -> bool:
    day = int(dd) - 60 if int(dd) > 60 else int(dd)  # samordningsnummer add 60 to the day
    try:
        dt.date(2000 + int(yy), int(mm), day) if (mm, day) != ("02", 29) else None
    except ValueError:
        return False
    return luhn_ok(yy + mm + dd + rest)


def personal_data(text: str) -> list[str]:
    """Why the text must not be saved, one Swedish reason per kind of personal data found."""
    reasons = []
    if any(_is_personnummer(*m.groups()) for m in PERSONNUMMER.finditer(text or "")):
        reasons.append("texten innehåller ett personnummer (kontrollsiffran stämmer); "
                       "lägesbilden ska vara generell och aldrig handla om enskilda personer")
    if EMAIL.search(text or ""):
        reasons.append("texten innehåller en e-postadress; skriv organisationen i stället för en person")
    if PHONE.search(text or ""):
        reasons.append("texten innehåller ett mobilnummer; skriv organisationen i stället för en person")
    return reasons
