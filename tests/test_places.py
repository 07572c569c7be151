"""Places, observations and actions: validation, personal-data guard, confidentiality."""
from __future__ import annotations

import datetime as dt
import inspect
import json

import pytest

from lagesbild import formatting, places
from lagesbild.views import karta
from lagesbild.privacy import luhn_ok, personal_data
from lagesbild.problems import InputError
from lagesbild.audit import Actor

EDITOR = Actor("test.redaktor", "redaktör")
ADMIN = Actor("test.admin", "administratör")

OBS_HEADER = "plats;datum;kategori;organisation;beskrivning;sekretess"


def errors(call, *args, **kwargs) -> list[str]:
    if "by" in inspect.signature(call).parameters:
        kwargs.setdefault("by", ADMIN)
    with pytest.raises(InputError) as caught:
        call(*args, **kwargs)
    return [str(p) for p in caught.value.problems]


def test_luhn_control_digit():
    assert luhn_ok("8112189876")  # Skatteverket's example number 811218-9876
    assert not luhn_ok("8112189875")


def test_personnummer_with_valid_control_digit_is_refused_but_other_numbers_are_not():
    assert personal_data("Pojke 811218-9876 syntes i parken")
    assert personal_data("Kontakt: 19811218-9876")
    assert not personal_data("Pojke 811218-9875 syntes i parken")  # wrong control digit
    assert not personal_data("29 butiker besöktes 2016-12-14, 4 tillfällen")
    assert personal_data("ring 070-123 45 67") and personal_data("mejla anna@example.se")


def test_observation_file_problems_name_row_and_column():
    data = (f"{OBS_HEADER}\nJarlaplan;2016-13-01;graffiti;Polisen;Stök;hemlig\n"
            "Jarlaplan;2016-12-01;annat;;Person 811218-9876 greps;öppen\n").encode()
    found = errors(places.read_observations, "obs.csv", data)
    assert 'obs.csv rad 2, kolumn "datum": "2016-13-01" är inte ett datum (skriv ÅÅÅÅ-MM-DD)' in found
    assert any(p.startswith('obs.csv rad 2, kolumn "kategori": "graffiti" är inte ett tillåtet värde') for p in found)
    assert any(p.startswith('obs.csv rad 2, kolumn "sekretess": "hemlig"') for p in found)
    assert 'obs.csv rad 3, kolumn "organisation": värde saknas' in found


def test_personal_number_in_an_observation_file_names_the_cell():
    data = f"{OBS_HEADER}\nJarlaplan;2016-12-01;annat;Polisen;Person 811218-9876 greps;öppen\n".encode()
    found = errors(places.read_observations, "obs.csv", data)
    assert found[0].startswith('obs.csv rad 2, kolumn "beskrivning": texten innehåller ett personnummer')


def test_swapped_or_sweref_coordinates_are_refused():
    data = ("namn;lat;lon;område;status\nFel;18,06;59,34;Norrmalm;ny\nSweref;6580000;152000;Norrmalm;ny\n").encode()
    found = errors(places.read_places, "platser.csv", data)
    assert 'platser.csv rad 2, kolumn "lat": "18,06" är mindre än 55; lat och lon verkar ha bytt plats; ' \
           'byt plats på kolumnerna' in found
    assert any(p.startswith('platser.csv rad 3, kolumn "lon": "152000" är större än 24,5; ser ut som SWEREF 99 18 00 '
                            '(meter, inte grader)') for p in found)


def test_observations_from_geojson_keep_their_own_point(engine):
    feature = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [18.0597, 59.3378]},
               "properties": {"plats": "Vasaparken", "datum": "2016-12-01", "kategori": "bosättningar/sovplatser",
                              "organisation": "Polisen", "beskrivning": "Sovplats under buskage", "sekretess": "öppen"}}
    data = json.dumps({"type": "FeatureCollection", "features": [feature]}).encode()
    frame = places.read_observations("obs.geojson", data)
    places.import_observations(engine, "obs.geojson", frame, by=ADMIN)
    stored = places.load_observations(engine)
    row = stored[stored["description"] == "Sovplats under buskage"].iloc[0]
    assert (row["lat"], row["lon"]) == (59.3378, 18.0597)


def test_unknown_place_in_an_import_is_refused_and_nothing_is_saved(engine):
    before = len(places.load_observations(engine, include_internal=True))
    data = (f"{OBS_HEADER}\nVasaparken;2016-12-01;annat;Polisen;Ok;öppen\n"
            "Okänd plats;2016-12-01;annat;Polisen;Ok;öppen\n").encode()
    frame = places.read_observations("obs.csv", data)
    assert errors(places.import_observations, engine, "obs.csv", frame) == [
        'obs.csv rad 3, kolumn "plats": okänd plats "Okänd plats"; lägg först till platsen']
    assert len(places.load_observations(engine, include_internal=True)) == before


def test_internal_material_is_left_out_unless_asked_for(engine):
    open_only = places.load_observations(engine)
    everything = places.load_observations(engine, include_internal=True)
    assert set(open_only["confidentiality"]) == {"öppen"}
    assert "intern" in set(everything["confidentiality"])
    assert set(places.load_actions(engine)["confidentiality"]) == {"öppen"}


def test_form_observation_is_saved_or_refused_with_the_field(engine):
    places.add_observation(engine, "Odenplan", dt.date(2016, 12, 10), "ungdomar", "Fältassistenterna",
                           "Grupp unga samlas kvällstid", "öppen", by=EDITOR)
    assert "Grupp unga samlas kvällstid" in set(places.load_observations(engine)["description"])
    found = errors(places.add_observation, engine, "Odenplan", dt.date(2016, 12, 10), "ungdomar", " ",
                   "Kontakta 811218-9876", "öppen")
    assert 'formuläret kolumn "organisation": värde saknas' in found
    assert any(p.startswith('formuläret kolumn "beskrivning": texten innehåller ett personnummer') for p in found)


# --- the personal-data guard: what else counts as obvious personal data ------------------------------

@pytest.mark.parametrize("text, reason", [
    ("Kontakt 701278-2384", "samordningsnummer"),  # day + 60, control digit right
    ("ring 08-123 456 78", "telefonnummer"),
    ("ring +46 8 123 456 78", "telefonnummer"),
    ("tel 0701234567", "mobilnummer"),
    ("bilen ABC 123 stod kvar", "registreringsnummer"),
    ("bilen ABC12D stod kvar", "registreringsnummer"),
    ("oro kring lgh 1102", "lägenhetsnummer"),
    ("pojken, född 2003, syntes", "födelsedatum"),
    ("en man som heter Kalle sover där", "namnge en person"),
])
def test_other_obvious_personal_data_is_refused_with_the_reason(text, reason):
    reasons = personal_data(text)
    assert len(reasons) == 1 and reason in reasons[0]
    assert "lägesbilden ska vara generell" in reasons[0]


@pytest.mark.parametrize("text", [
    "29 butiker besöktes 2016-12-14, 4 tillfällen", "Möte 2016-12-14 kl 18.00–20.00", "Platssamverkan Klara 2016–2017",
    "SL och MTR öppnar Citybanan 2017", "1 234 besökare, 12,5 % fler", "Sergels torg, tjejer 10–12 år",
    "Kontakt 701278-2385",  # wrong control digit
    "Postnummer 111 20 Stockholm", "Dnr 1.2.3-1234/2016", "Hötorget 59.33482, 18.06224",
])
def test_ordinary_lägesbild_text_passes_the_guard(text):
    assert personal_data(text) == []


def test_every_example_text_passes_the_guard(engine):
    texts = [*places.load_observations(engine, include_internal=True)["description"],
             *places.load_actions(engine, include_internal=True)["description"],
             *places.load_places(engine)["situation"], *places.load_places(engine)["next_step"]]
    assert [t for t in texts if personal_data(t)] == []


# --- forms: place, observation at its own point, action, new situation ----------------------------

TODAY = dt.date(2017, 1, 20)


def test_new_place_is_saved_and_shown(engine):
    places.add_place(engine, " Tegnérlunden ", 59.33786, 18.05865, "Norrmalm", "platssamverkan", "ny",
                     "bosättningar/sovplatser", "Återkommande sovplatser.", dt.date(2017, 2, 1), "Städning.", today=TODAY, by=EDITOR)
    place = karta.place_record(places.load_places(engine), "Tegnérlunden")
    assert (place["lat"], place["lon"], place["status"], place["category"]) == (59.33786, 18.05865, "ny",
                                                                               "bosättningar/sovplatser")
    assert place["forum"] == "Platssamverkan för trygg offentlig plats" and place["situation_date"] == TODAY


def test_new_place_reports_every_problem_at_once(engine):
    found = errors(places.add_place, engine, "Jarlaplan", 18.06, 59.34, "", None, "pågår", "graffiti",
                   situation="Ring 070-123 45 67", today=TODAY)
    assert 'formuläret kolumn "namn": platsen "Jarlaplan" finns redan; välj den i listan i stället' in found
    assert 'formuläret kolumn "område": värde saknas' in found
    assert 'formuläret kolumn "lat": 18,06 ligger utanför Sverige (55–69,5); är lat och lon förväxlade?' in found
    assert any(p.startswith('formuläret kolumn "status": "pågår" är inte ett tillåtet värde') for p in found)
    assert any(p.startswith('formuläret kolumn "kategori": "graffiti"') for p in found)
    assert any(p.startswith('formuläret kolumn "lägesbild": texten innehåller ett mobilnummer') for p in found)
    assert errors(places.add_place, engine, "Ny", None, None, "Norrmalm", None, "ny", None) == [
        'formuläret kolumn "lat": välj en punkt på kartan eller skriv koordinaterna']


def test_observation_at_its_own_point_and_dates_ahead_refused(engine):
    places.add_observation(engine, "Bosättningar i parker och på förskolegårdar", dt.date(2017, 1, 10),
                           "bosättningar/sovplatser", "Polisen", "Tält i Vanadislunden", "öppen",
                           59.3474, 18.0503, today=TODAY, by=EDITOR)
    row = places.load_observations(engine).set_index("description").loc["Tält i Vanadislunden"]
    assert (row["lat"], row["lon"], bool(row["own_point"])) == (59.3474, 18.0503, True)
    found = errors(places.add_observation, engine, "Okänd", dt.date(2017, 1, 21), "annat", "Polisen", "Stök", None,
                   today=TODAY)
    assert found == ['formuläret kolumn "datum": 2017-01-21 har inte inträffat än',
                     'formuläret kolumn "sekretess": välj öppen eller intern',
                     'formuläret kolumn "plats": okänd plats "Okänd"; lägg först till platsen']


def test_planned_action_may_lie_ahead_but_a_done_one_may_not(engine):
    places.add_action(engine, "Odenplan", dt.date(2017, 2, 1), "Kommunpolis", "Trygghetsvandring", "planerad", "öppen",
                      today=TODAY, by=EDITOR)
    card = karta.place_card("Odenplan", places.load_places(engine), places.load_observations(engine),
                             places.load_actions(engine))
    assert [(e.date, e.text) for e in card.planned] == [(dt.date(2017, 2, 1), "Trygghetsvandring")]
    found = errors(places.add_action, engine, "Odenplan", dt.date(2017, 2, 1), "", "Klart", "genomförd", "intern",
                   today=TODAY)
    assert found == ['formuläret kolumn "aktör": värde saknas',
                     'formuläret kolumn "datum": 2017-02-01 har inte inträffat än']


def test_updating_a_place_dates_a_new_situation_only(engine):
    places.update_place(engine, "Odenplan", "avslutad", "Lugnt sedan hösten.", None, "", today=TODAY, by=EDITOR)
    place = karta.place_record(places.load_places(engine), "Odenplan")
    assert (place["status"], place["situation"], place["situation_date"]) == ("avslutad", "Lugnt sedan hösten.", TODAY)
    places.update_place(engine, "Odenplan", "bevakas", "Lugnt sedan hösten.", dt.date(2017, 3, 1), "Följ upp i mars.",
                        today=dt.date(2017, 2, 1), by=EDITOR)
    place = karta.place_record(places.load_places(engine), "Odenplan")
    assert (place["status"], place["situation_date"], place["next_followup"]) == ("bevakas", TODAY, dt.date(2017, 3, 1))
    assert errors(places.update_place, engine, "Odenplan", "klar", "Vid lgh 1102", None, "") == [
        'formuläret kolumn "lägesbild": texten innehåller ett lägenhetsnummer, som pekar ut ett hushåll; '
        + places.personal_data("lgh 1102")[0].split("; ", 1)[1],
        'formuläret kolumn "status": "klar" är inte ett tillåtet värde (tillåtna: ny, pågående, bevakas, avslutad)']


# --- categories, windows, filters, counts and the card ----------------------------------------------

def test_a_place_without_category_takes_the_most_common_of_its_visible_observations(engine):
    observations = places.load_observations(engine)
    frame = places.with_categories(places.load_places(engine), observations).set_index("name")
    assert frame.loc["Jarlaplan", "category"] == "alkohol/narkotika"
    assert frame.loc["Kulturhuset Stadsteatern", "category"] == "byggetablering"
    places.add_place(engine, "Tom plats", 59.34, 18.05, "Norrmalm", None, "ny", None, by=EDITOR)
    places.add_place(engine, "Egen kategori", 59.34, 18.05, "Norrmalm", None, "ny", "prostitution", by=EDITOR)
    frame = places.with_categories(places.load_places(engine), observations).set_index("name")
    assert frame.loc["Tom plats", "category"] == "annat" and frame.loc["Egen kategori", "category"] == "prostitution"


def test_markdown_text_shows_typed_text_as_written():
    assert formatting.markdown_escape("*fet* [länk](x) <b>$x$ :red[röd]") == \
        r"\*fet\* \[länk\]\(x\) \<b\>\$x\$ \:red\[röd\]"


# --- export and import: GeoJSON and CSV, round trip ---------------------------------------------------

def test_places_export_as_excel_csv_and_import_again(engine, tmp_path):
    frame = places.with_categories(places.load_places(engine), places.load_observations(engine))
    data = places.places_csv(frame)
    assert data.startswith(b"\xef\xbb\xbf" + "namn;lat;lon;område".encode())
    assert "Jarlaplan;59,444440".replace("59,444440", "59,344440").encode() in data  # decimal comma
    read = places.read_places("platser.csv", data)
    assert list(read["namn"]) == list(frame["name"]) and list(read["kategori"]) == list(frame["category"])
    assert read.set_index("namn").loc["Jarlaplan", "nästa_uppföljning"] == dt.date(2017, 1, 25)
    fresh = places.read_places("platser.geojson", places.places_geojson(frame))
    assert (fresh["lat"].round(5).tolist(), fresh["nästa_steg"].tolist()) == (frame["lat"].tolist(), frame["next_step"].tolist())
    # Importing into the same database: every name is already there, nothing is saved.
    before = len(places.load_places(engine))
    assert errors(places.import_places, engine, "platser.geojson", fresh)[0] == \
        'platser.geojson rad 1, kolumn "namn": platsen "Bosättningar i parker och på förskolegårdar" finns redan'
    assert len(places.load_places(engine)) == before


def test_places_from_geojson_are_imported_and_a_non_point_is_named(engine):
    point = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [18.05865, 59.33786]},
             "properties": {"namn": "Tegnérlunden", "område": "Norrmalm", "status": "ny", "kategori": "annat"}}
    line = {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[18.0, 59.3], [18.1, 59.4]]},
            "properties": {"namn": "Gatan", "område": "Norrmalm", "status": "ny"}}
    data = json.dumps({"type": "FeatureCollection", "features": [point, line]}).encode()
    assert errors(places.read_places, "nya.geojson", data) == ['nya.geojson rad 2, kolumn "geometry": geometrin är inte en punkt (Point)']
    data = json.dumps({"type": "FeatureCollection", "features": [point]}).encode()
    assert places.import_places(engine, "nya.geojson", places.read_places("nya.geojson", data), by=ADMIN) == 1
    assert karta.place_record(places.load_places(engine), "Tegnérlunden")["lon"] == 18.05865


def test_observations_round_trip_keeps_own_points_only_where_they_were(engine):
    observations = places.load_observations(engine)
    for data, name in ((places.observations_csv(observations), "obs.csv"),
                       (places.observations_geojson(observations), "obs.geojson")):
        read = places.read_observations(name, data)
        assert len(read) == len(observations) == 24
        assert read["lat"].notna().sum() == observations["own_point"].sum() == 8, name
        assert list(read["beskrivning"]) == list(observations["description"])


def test_formula_like_text_is_quoted_for_excel_and_unquoted_on_import(engine):
    places.add_observation(engine, "Odenplan", dt.date(2016, 12, 1), "annat", "=Polisen", "-Stök vid fontänen", "öppen", by=EDITOR)
    observations = places.load_observations(engine)
    data = places.observations_csv(observations)
    assert b";'=Polisen;'-St" in data
    read = places.read_observations("obs.csv", data).set_index("beskrivning")
    assert read.loc["-Stök vid fontänen", "organisation"] == "=Polisen"


def test_the_map_export_guards_every_formula_start_the_trend_export_guards(engine):
    # Full-width ＝ and ＋ run as formulas in some spreadsheets too; one guard serves both exports.
    places.add_observation(engine, "Odenplan", dt.date(2016, 12, 1), "annat", "＝Polisen", "＋Stök", "öppen", by=EDITOR)
    data = places.observations_csv(places.load_observations(engine)).decode("utf-8-sig")
    assert ";'＝Polisen;'＋Stök;" in data
    read = places.read_observations("obs.csv", data.encode("utf-8-sig"))
    assert "＝Polisen" in set(read["organisation"])


def test_export_holds_only_what_the_view_shows(engine):
    assert b"Inbrott och st" not in places.observations_csv(places.load_observations(engine))
    assert "Inbrott och st".encode() in places.observations_csv(places.load_observations(engine, include_internal=True))


def test_one_new_observation_does_not_flip_a_places_category(engine):
    def vasaparken() -> str:
        observations = places.load_observations(engine)
        return places.with_categories(places.load_places(engine), observations).set_index("name").loc[
            "Vasaparken", "category"]

    assert vasaparken() == "alkohol/narkotika"
    places.add_observation(engine, "Vasaparken", dt.date(2016, 12, 10), "ungdomar", "Polisen", "Grupp ungdomar.",
                           "öppen", by=EDITOR)
    assert vasaparken() == "alkohol/narkotika"  # a tie keeps the category seen first
    places.add_observation(engine, "Vasaparken", dt.date(2016, 12, 11), "ungdomar", "Polisen", "Igen.", "öppen",
                           by=EDITOR)
    assert vasaparken() == "ungdomar"  # a majority moves it
