"""Catch personal data typed into free text by mistake, and say in Swedish why it cannot be saved.

The lägesbild is shared with civil society and becomes an allmän handling once handed over, so it must
stay general (Brå): no personnummer, no way to reach or identify a person. Caught: personnummer and
samordningsnummer (only when the control digit is right, so dates and counts pass), e-mail addresses,
telephone numbers, vehicle registration numbers, flat numbers, dates of birth and a person named as such
("heter …", "vid namn …").

Not caught, because they point at no one: a place or a group given its name ("Parken heter Vasaparken"),
case and file numbers, an organisation's public numbers (the city's switchboard, 114 14) and an
organisation's functional mailbox (info@, registrator@). tests/test_privacy.py holds the table of real-looking
texts, true and false cases, that both error rates are held at zero on.
"""
from __future__ import annotations

import datetime as dt
import re

# Any dash a word processor may put in: hyphen, en dash, em dash, minus, non-breaking hyphen.
DASHES = "\\-\u2010\u2011\u2012\u2013\u2014\u2212"
PERSONNUMMER = re.compile(rf"(?<![\d{DASHES}])(?:19|20)?(\d{{2}})(\d{{2}})(\d{{2}})[{DASHES}+ ]?(\d{{4}})(?!\d)")
EMAIL = re.compile(r"([\w.+-]+)@[\w-]+\.[\w.-]+")
# An organisation's mailbox, not a person's: the first part of the address before @ (split at . - _).
FUNCTIONAL_MAILBOXES = {"info", "kontakt", "registrator", "registrering", "press", "support", "kundtjanst",
                        "kundservice", "servicecenter", "reception", "vaxel", "växel", "noreply", "no", "post",
                        "stadsdelsforvaltning", "sdf", "kommunpolis", "trygghet", "trygghetssamordnare",
                        "webmaster", "admin", "it", "medborgarlofte", "medborgarloften", "raddningstjanst"}
# Public numbers of organisations, as digits: the city's switchboard, the police, emergency, health, SL.
PUBLIC_NUMBERS = {"0850800000", "11414", "112", "1177", "086001000", "0771781000", "0104560000"}
# Mobile 07x and landline 0 + area code, with or without +46, grouped by spaces or hyphens.
MOBILE = re.compile(r"(?<![\d-])(?:\+46[\s-]?|0)7\d[\s-]?\d{3}[\s-]?\d{2}[\s-]?\d{2}(?![\d-])")
# After the area code the number is grouped by spaces only: "0123-45678-16" is a case number, not a phone.
LANDLINE = re.compile(r"(?<![\d-])(?:\+46[\s-]?|0)[1-68]\d{0,2}[\s-]?(?:\d ?){4,7}\d(?![\d-])")
# Swedish plates: three letters (no I, Q, V, Å, Ä, Ö), two digits and a digit or letter: "ABC 123", "ABC 12D".
REGISTRATION = re.compile(r"(?<![\w-])[A-HJ-PR-UW-Z]{3} ?\d{2}[A-HJ-PR-UW-Z\d](?![\w-])")
FLAT = re.compile(r"\b(?:lgh|lägenhet|lägenhetsnummer)\.?\s*(?:nr\.?\s*)?\d{4}\b", re.IGNORECASE)
BIRTH = re.compile(r"\b(?:född|f\.)\s+(?:den\s+|år\s+)?(?:\d{2,4}-\d{2}-\d{2}|\d{6,8}|\d{1,2}\s+[a-zåäö]+\s+\d{4}|(?:19|20)\d{2})\b",
                   re.IGNORECASE)
# A person introduced by name: "pojken heter Anna", "som kallas Anna", "vid namn Anna", "namn: Anna".
NAMED = re.compile(r"(?:\b(?P<subject>[\wåäöÅÄÖ]+)\s+)?(?:som\s+)?\b(?:heter|hette|kallas|kallades|vid namn|med namnet|"
                   r"namn:)\s+(?P<name>[A-ZÅÄÖÉ][a-zåäöéü]+)")
# What a place, a thing or a group is called is no person's name: "Parken heter Vasaparken".
NOT_PERSONS = {"parken", "platsen", "torget", "gatan", "vägen", "området", "stället", "garaget", "gården", "skolan",
               "butiken", "kiosken", "stationen", "huset", "gruppen", "nätverket", "föreningen", "projektet",
               "insatsen", "gänget", "lokalen", "restaurangen", "baren", "klubben", "parkeringen", "tunneln",
               "bron", "trappan", "hållplatsen", "entrén", "centret", "galleriat", "verksamheten", "appen",
               "kvarteret", "korsningen", "plattan", "torg", "park", "stadsdelen", "operationen", "aktiviteten"}
PLACE_ENDINGS = ("parken", "torget", "torg", "gatan", "vägen", "plan", "platsen", "lunden", "backen", "huset", "hallen",
                 "staden", "stan", "city", "terrassen", "trappan", "garaget", "skolan", "plattan", "gården", "bron",
                 "kajen", "strand", "stranden", "berget", "holmen", "viken", "tunneln", "centrum", "ligan", "gänget")

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


def _functional(local_part: str) -> bool:
    return re.split(r"[._-]", local_part.casefold())[0] in FUNCTIONAL_MAILBOXES


def _public(number: str) -> bool:
    digits = re.sub(r"\D", "", number)
    return (digits[2:] if digits.startswith("46") else digits).lstrip("0") in {n.lstrip("0") for n in PUBLIC_NUMBERS}


def _names_a_person(match: re.Match) -> bool:
    subject, name = (match.group("subject") or "").casefold(), match.group("name").casefold()
    return subject not in NOT_PERSONS and not name.endswith(PLACE_ENDINGS)


def _kinds(text: str) -> list[str]:
    found = []
    if any(_is_personnummer(*m.groups()) for m in PERSONNUMMER.finditer(text)):
        found.append("personnummer")
    if any(not _functional(m.group(1)) for m in EMAIL.finditer(text)):
        found.append("e-post")
    if any(not _public(m.group(0)) for m in MOBILE.finditer(text)):
        found.append("mobil")
    elif any(not _public(m.group(0)) for m in LANDLINE.finditer(text)):
        found.append("telefon")
    if REGISTRATION.search(text):
        found.append("regnummer")
    if FLAT.search(text):
        found.append("lägenhet")
    if BIRTH.search(text):
        found.append("födelse")
    if any(_names_a_person(m) for m in NAMED.finditer(text)):
        found.append("namn")
    return found


def personal_data(text: str | None) -> list[str]:
    """Why the text must not be saved, one Swedish reason per kind of personal data found (empty when fine)."""
    return [REASONS[kind] + WHY for kind in _kinds(str(text or ""))]
