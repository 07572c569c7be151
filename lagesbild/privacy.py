"""Catch personal data typed into free text by mistake, and say in Swedish why it cannot be saved.

The lägesbild is shared with civil society and becomes an allmän handling once handed over, so it must
stay general (Brå): no personnummer, no way to reach or identify a person. Caught: personnummer and
samordningsnummer (only when the control digit is right, so dates and counts pass), e-mail addresses,
telephone numbers, vehicle registration numbers, flat numbers, dates of birth and a person named as such
("heter …", "vid namn …").
"""
from __future__ import annotations

import datetime as dt
import re

PERSONNUMMER = re.compile(r"(?<![\d-])(?:19|20)?(\d{2})(\d{2})(\d{2})[-+ ]?(\d{4})(?!\d)")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
# Mobile 07x and landline 0 + area code, with or without +46, grouped by spaces or hyphens.
MOBILE = re.compile(r"(?<![\d-])(?:\+46[\s-]?|0)7\d[\s-]?\d{3}[\s-]?\d{2}[\s-]?\d{2}(?![\d-])")
LANDLINE = re.compile(r"(?<![\d-])(?:\+46[\s-]?|0)[1-68]\d{0,2}[\s-]?(?:\d[ -]?){4,7}\d(?![\d-])")
# Swedish plates: three letters (no I, Q, V, Å, Ä, Ö), two digits and a digit or letter: "ABC 123", "ABC 12D".
REGISTRATION = re.compile(r"(?<![\w-])[A-HJ-PR-UW-Z]{3} ?\d{2}[A-HJ-PR-UW-Z\d](?![\w-])")
FLAT = re.compile(r"\b(?:lgh|lägenhet|lägenhetsnummer)\.?\s*(?:nr\.?\s*)?\d{4}\b", re.IGNORECASE)
BIRTH = re.compile(r"\b(?:född|f\.)\s+(?:den\s+|år\s+)?(?:\d{2,4}-\d{2}-\d{2}|\d{6,8}|\d{1,2}\s+[a-zåäö]+\s+\d{4}|(?:19|20)\d{2})\b",
                   re.IGNORECASE)
# A person introduced by name: "heter Anna", "vid namn Anna", "med namnet Anna", "namn: Anna".
NAMED = re.compile(r"\b(?:heter|hette|kallas|vid namn|med namnet|namn:)\s+[A-ZÅÄÖÉ][a-zåäöéü]+")

REASONS = {
    "personnummer": "texten innehåller ett personnummer eller samordningsnummer (kontrollsiffran stämmer)",
    "e-post": "texten innehåller en e-postadress",
    "mobil": "texten innehåller ett mobilnummer",
    "telefon": "texten innehåller ett telefonnummer",
    "regnummer": "texten innehåller något som ser ut som ett registreringsnummer på ett fordon",
    "lägenhet": "texten innehåller ett lägenhetsnummer, som pekar ut ett hushåll",
    "födelse": "texten innehåller ett födelsedatum eller födelseår",
    "namn": "texten verkar namnge en person",
}
WHY = ("; lägesbilden ska vara generell och aldrig handla om enskilda personer – "
       "skriv vad som hänt och vilken organisation som rapporterat, utan uppgifter som pekar ut någon")


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
        dt.date(2000 + int(yy), int(mm), day)  # 2000 is a leap year, so 29 February passes for every century
    except ValueError:
        return False
    return luhn_ok(yy + mm + dd + rest)


def _kinds(text: str) -> list[str]:
    found = []
    if any(_is_personnummer(*m.groups()) for m in PERSONNUMMER.finditer(text)):
        found.append("personnummer")
    if EMAIL.search(text):
        found.append("e-post")
    if MOBILE.search(text):
        found.append("mobil")
    elif LANDLINE.search(text):
        found.append("telefon")
    if REGISTRATION.search(text):
        found.append("regnummer")
    if FLAT.search(text):
        found.append("lägenhet")
    if BIRTH.search(text):
        found.append("födelse")
    if NAMED.search(text):
        found.append("namn")
    return found


def personal_data(text: str | None) -> list[str]:
    """Why the text must not be saved, one Swedish reason per kind of personal data found (empty when fine)."""
    return [REASONS[kind] + WHY for kind in _kinds(str(text or ""))]
