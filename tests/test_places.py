"""Places, observations and actions: validation, personal-data guard, confidentiality."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from lagesbild import places
from lagesbild.privacy import luhn_ok, personal_data
from lagesbild.problems import InputError

OBS_HEADER = "plats;datum;kategori;organisation;beskrivning;sekretess"


def errors(call, *args) -> list[str]:
    with pytest.raises(InputError) as caught:
        call(*args)
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
    assert 'platser.csv rad 2, kolumn "lat": "18,06" är mindre än 55' in found
    assert 'platser.csv rad 3, kolumn "lon": "152000" är större än 24,5' in found


def test_observations_from_geojson_keep_their_own_point(engine):
    feature = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [18.0597, 59.3378]},
               "properties": {"plats": "Vasaparken", "datum": "2016-12-01", "kategori": "bosättningar/sovplatser",
                              "organisation": "Polisen", "beskrivning": "Sovplats under buskage", "sekretess": "öppen"}}
    data = json.dumps({"type": "FeatureCollection", "features": [feature]}).encode()
    frame = places.read_observations("obs.geojson", data)
    places.import_observations(engine, "obs.geojson", frame)
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
                           "Grupp unga samlas kvällstid", "öppen")
    assert "Grupp unga samlas kvällstid" in set(places.load_observations(engine)["description"])
    found = errors(places.add_observation, engine, "Odenplan", dt.date(2016, 12, 10), "ungdomar", " ",
                   "Kontakta 811218-9876", "öppen")
    assert 'formuläret kolumn "organisation": värde saknas' in found
    assert any(p.startswith('formuläret kolumn "beskrivning": texten innehåller ett personnummer') for p in found)
