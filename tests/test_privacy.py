"""The personal-data guard on a table of real-looking texts: every true case caught, no false alarm."""
from __future__ import annotations

import pytest

from lagesbild.privacy import personal_data

# (text, what must be found or None): written the way observations, actions and answers are written.
TABLE = [
    # --- personal data: must be caught, with the reason named --------------------------------------------------
    ("Pojke 811218-9876 syntes vid entrén.", "personnummer"),
    ("Anmälan gäller 19811218–9876 enligt polisen.", "personnummer"),  # en dash from a word processor
    ("Personnummer 198112189876 lämnades av vakten.", "personnummer"),
    ("Uppgiven identitet 811218 9876.", "personnummer"),
    ("Samordningsnummer 701063-2391 noterades.", "samordningsnummer"),
    ("Kvinnan, 850412-1230, sover i trappan.", "personnummer"),
    ("Ring 070-123 45 67 om det händer igen.", "mobilnummer"),
    ("Mammans nummer är 0701234567.", "mobilnummer"),
    ("Kontakt via +46 70 123 45 67 kvällstid.", "mobilnummer"),
    ("Grannen nås på 08-123 456 78.", "telefonnummer"),
    ("Skicka bilderna till anna.andersson@gmail.com.", "e-postadress"),
    ("Han mejlade från kalle_92@hotmail.com.", "e-postadress"),
    ("Bilen ABC 123 stod parkerad hela natten.", "registreringsnummer"),
    ("Fordonet XYZ 12D körde mot rött.", "registreringsnummer"),
    ("Störningar från lgh 1102 på tredje våningen.", "lägenhetsnummer"),
    ("Lägenhetsnummer 1203 har klagat flera gånger.", "lägenhetsnummer"),
    ("Pojken, född 2009-04-12, var inblandad.", "födelsedatum"),
    ("En man född 1985 greps på platsen.", "födelsedatum"),
    ("Pojken heter Kalle och är 14 år.", "namnge en person"),
    ("En kvinna som heter Fatima sover i parken.", "namnge en person"),
    ("Personen kallas Ludde bland de andra.", "namnge en person"),
    ("En man vid namn Erik rånade kiosken.", "namnge en person"),
    ("Flickan hette Sara enligt skolan.", "namnge en person"),
    # --- ordinary lägesbild text: must pass ------------------------------------------------------------------
    ("Parken heter Vasaparken.", None),
    ("Platsen kallas Plattan.", None),
    ("Ärendenummer 0123-45678-16.", None),
    ("Ring stadens växel 08-508 00 000.", None),
    ("Frågor till info@stockholm.se.", None),
    ("Registrator nås på registrator.norrmalm@stockholm.se.", None),
    ("Polisen nås på 114 14, vid nödläge 112.", None),
    ("SL:s kundtjänst 08-600 10 00 tog emot anmälan.", None),
    ("29 butiker besöktes vid fyra gemensamma tillsyner, inga beslag.", None),
    ("Markant ökning av unga tjejer (10–12 år) på Sergels torg.", None),
    ("Insatsen genomfördes 2016-11-15 mellan 22.00 och 02.00.", None),
    ("Belysningen byttes på 120 meter av gångvägen.", None),
    ("Dnr 2016-1234 beslutades i nämnden.", None),
    ("Mötet hölls i rum 4012 på plan 3.", None),
    ("Skolan heter Norra Real och ligger vid Jarlaplan.", None),
    ("Gruppen kallas Vasaligan i sociala medier.", None),
    ("Citybanan öppnar 2017 med stationerna Odenplan och Stockholm City.", None),
    ("Ungdomarna samlades vid Hötorget 18–22 på fredagar.", None),
    ("Beslut 2016-12-14 § 12 i rådet.", None),
    ("Buss 515 och 4 stannar vid Odenplan.", None),
    ("Den 14 december 2016 hölls rådsmötet.", None),
    ("Läs mer på stockholm.se/trygghet.", None),
    ("Antal anmälningar: 1 234 under 2016, 1 102 under 2015.", None),
    ("Nattvandrarna (ca 15 personer) gick rundan varje fredag.", None),
    ("Garaget vid Mäster Samuelsgatan fick en ny port.", None),
    ("Postnummer 111 20 Stockholm.", None),
    ("Hötorget 59.33482, 18.06224.", None),
    ("Kontakt 701278-2385 (fel kontrollsiffra).", None),
    ("Torget kallas Plattan av de flesta.", None),
]


def test_the_table_is_big_enough_and_has_both_kinds():
    assert len(TABLE) >= 40
    assert sum(found is None for _, found in TABLE) >= 20 and sum(found is not None for _, found in TABLE) >= 20


def test_both_error_rates_are_zero_on_the_table():
    missed = [text for text, found in TABLE if found and not personal_data(text)]
    false_alarms = [(text, personal_data(text)) for text, found in TABLE if found is None and personal_data(text)]
    assert missed == [] and false_alarms == []


@pytest.mark.parametrize("text, found", [row for row in TABLE if row[1]])
def test_each_catch_names_its_reason(text, found):
    assert any(found in reason for reason in personal_data(text)), personal_data(text)
