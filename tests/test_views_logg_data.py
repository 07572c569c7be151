"""The Logg and Data pages' view modules: the log in Swedish columns, restoring, and a checked import file."""
from __future__ import annotations

import datetime as dt

import pytest

from lagesbild import audit, places
from lagesbild.views import data, logg
from write_checks import ADMIN, EDITOR


def test_the_log_shows_who_did_what_in_swedish_columns(engine):
    observation_id = int(places.load_observations(engine)["id"].iloc[0])
    audit.remove(engine, "observation", observation_id, EDITOR)
    table = logg.log_table(audit.load_log(engine, ADMIN))
    assert list(table.columns) == logg.COLUMNS
    first = table.iloc[0]
    assert (first["Vem"], first["Vad"], first["Händelse"]) == (EDITOR.name, "iakttagelser", "borttagen")
    assert logg.count_text(table).startswith(f"{len(table)} ändringar, nyast först")


def test_a_removed_record_is_listed_and_restored_with_a_swedish_confirmation(engine):
    observation_id = int(places.load_observations(engine)["id"].iloc[0])
    audit.remove(engine, "observation", observation_id, EDITOR)
    choices = logg.removed_choices(audit.load_removed(engine, ADMIN))
    choice = f"observation:{observation_id}"
    assert "borttagen" in choices[choice] and EDITOR.name in choices[choice]
    said = logg.restore(engine, choice, choices[choice], ADMIN)
    assert said.endswith("är återställd.") and observation_id in set(places.load_observations(engine)["id"])


def test_the_log_opens_on_the_last_ninety_days_and_waits_for_both_ends():
    assert logg.default_span(dt.date(2026, 11, 25)) == (dt.date(2026, 8, 27), dt.date(2026, 11, 25))
    assert logg.chosen_span((dt.date(2026, 1, 1),)) == (None, None)


def test_a_file_with_errors_is_refused_naming_file_row_and_column(engine):
    bad = "plats;datum;kategori;organisation;beskrivning;sekretess\nVasaparken;i går;annat;Polisen;Text.;öppen\n"
    with pytest.raises(data.InputError) as refused:
        data.check("iakttagelser.csv", bad.encode(), "iakttagelser", None, None, None, None, engine)
    assert any(p.file == "iakttagelser.csv" and p.row == 2 and p.column == "datum" for p in refused.value.problems)
    with pytest.raises(data.InputError):
        data.check("bild.exe", b"MZ", None, None, None, None, None, engine)


def test_a_checked_file_warns_of_new_names_before_saving(engine):
    good = "namn;lat;lon;område;status\nNyparken;59.34;18.05;Nytt område;ny\n"
    checked = data.check("platser.csv", good.encode(), None, None, None, None, None, engine)
    assert checked.can_save and data.new_names(checked).endswith("- nya områden: Nytt område")
    assert data.confirm_label(checked) == "Jag har sett vad importen ändrar och de nya namnen"
    assert data.kind_label(None) == "Känn igen automatiskt" and data.kind_label("platser")[0].isupper()
    assert data.name_columns("platser.csv", b"namn\n") == []
