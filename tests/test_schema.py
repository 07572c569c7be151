"""Each table declared once: the import fields, the database table and the export agree, and an export
imports again as the same rows."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import Date, Float, Integer, inspect

from lagesbild import agenda, cooperation, db, places, pledges, schema, surveys
from lagesbild.audit import Actor
from lagesbild.problems import InputError

EDITOR = Actor("Redaktören", "redaktör")

# Each table's import fields as the data module uses them.
FIELDS = {
    "place": places.PLACE_FIELDS, "observation": places.OBSERVATION_FIELDS, "action": places.ACTION_FIELDS,
    "survey_result": surveys.LONG_FIELDS, "survey_indicator": surveys.INDICATOR_FIELDS,
    "pledge": pledges.PLEDGE_FIELDS, "pledge_progress": pledges.PROGRESS_FIELDS,
    "forum": cooperation.FORUM_FIELDS, "meeting": cooperation.MEETING_FIELDS, "agenda_item": agenda.AGENDA_FIELDS,
}
KIND_OF_TYPE = {Integer: {"int"}, Float: {"number"}, Date: {"date", "datetime"}}


@pytest.mark.parametrize("declared", schema.TABLES, ids=lambda t: t.name)
def test_the_database_table_has_the_declared_columns_in_order(declared, tmp_path):
    table = db.metadata.tables[declared.name]
    assert [c.name for c in table.columns] == [c.name for c in declared.columns if c.name]
    stored = inspect(db.connect(tmp_path / "ny.sqlite")).get_columns(declared.name)
    assert [c["name"] for c in stored] == [c.name for c in declared.columns if c.name]
    for column in declared.columns:
        if column.name and column.header and not column.loaded_as:  # a place_id is written as the place's name
            sql_type = type(table.c[column.name].type)
            expected = next((kinds for base, kinds in KIND_OF_TYPE.items() if issubclass(sql_type, base)),
                            {"text", "choice", "time"})
            assert column.file_kind in expected, (declared.name, column.name)


@pytest.mark.parametrize("name", FIELDS)
def test_the_import_fields_are_the_declared_file_columns(name):
    declared = next(t for t in schema.TABLES if t.name == name)
    fields = FIELDS[name]
    assert [f.name for f in fields] == declared.headers()
    for f in fields:
        column = declared.column(f.name)
        assert (f.kind, f.required, f.allow_empty, f.aliases) == (column.file_kind, column.required,
                                                                  column.allow_empty, column.aliases)
        assert bool(f.choices) == (f.kind == "choice")


def test_every_table_a_file_fills_has_its_import_fields_checked_here():
    assert set(FIELDS) == {t.name for t in schema.TABLES if t.headers()}


def test_the_place_and_observation_exports_carry_the_import_columns_in_order(engine):
    assert list(places.places_table(places.load_places(engine)).columns) == schema.PLACE.headers()
    table = places.observations_table(places.load_observations(engine))
    assert list(table.columns) == schema.OBSERVATION.headers()
    assert list(table.columns[:3]) == ["plats", "datum", "tid"]


def _comparable(frame: pd.DataFrame, drop=("id", "version", "rad")) -> list[dict]:
    frame = frame.drop(columns=[c for c in drop if c in frame.columns]).reset_index(drop=True)
    return [{k: (None if schema.is_missing(v) else round(v, 5) if isinstance(v, float) else v) for k, v in row.items()}
            for row in frame.to_dict("records")]


def _store(engine, store):
    with db.atomic(engine) as conn:
        store(conn)


@pytest.fixture
def empty(tmp_path):
    """A database without the example data."""
    return db.connect(tmp_path / "tom.sqlite")


def test_forums_meetings_and_places_round_trip(engine, empty):
    forums = cooperation.load_forums(engine)
    again = cooperation.read_forums("forum.csv", places.to_csv(schema.FORUM.export(forums)))
    _store(empty, lambda conn: cooperation.store_forums(conn, again, None))
    assert _comparable(cooperation.load_forums(empty)) == _comparable(forums)

    meetings = cooperation.load_meetings(engine, include_internal=True)
    again = cooperation.read_meetings("moten.csv", places.to_csv(schema.MEETING.export(meetings)))
    _store(empty, lambda conn: cooperation.store_meetings(conn, again, None, "moten.csv"))
    assert _comparable(cooperation.load_meetings(empty, include_internal=True)) == _comparable(meetings)

    shown = places.load_places(engine)
    again = places.read_places("platser.csv", places.places_csv(shown))
    _store(empty, lambda conn: places.store_places(conn, again, None, "platser.csv"))
    assert _comparable(places.load_places(empty)) == _comparable(shown)


def _with_forums_and_places(engine, empty):
    forums = cooperation.read_forums("forum.csv", places.to_csv(schema.FORUM.export(cooperation.load_forums(engine))))
    shown = places.read_places("platser.csv", places.places_csv(places.load_places(engine)))
    _store(empty, lambda conn: cooperation.store_forums(conn, forums, None))
    _store(empty, lambda conn: places.store_places(conn, shown, None, "platser.csv"))


@pytest.mark.parametrize("suffix", ["csv", "geojson"])
def test_observations_round_trip_with_their_time_of_day(engine, empty, suffix):
    first = int(places.load_observations(engine)["id"].iloc[0])
    with db.atomic(engine) as conn:
        conn.execute(db.observation.update().where(db.observation.c.id == first).values(time="21:30"))
    observations = places.load_observations(engine, include_internal=True)
    assert observations["time"].iloc[0] == dt.time(21, 30) and observations["time"].isna().any()  # some have none
    export = places.observations_csv if suffix == "csv" else places.observations_geojson
    data = export(observations)
    _with_forums_and_places(engine, empty)
    again = places.read_observations(f"iakttagelser.{suffix}", data)
    _store(empty, lambda conn: places.store_observations(conn, again, None, "x"))
    assert _comparable(places.load_observations(empty, include_internal=True)) == _comparable(observations)


def test_actions_round_trip(engine, empty):
    actions = places.load_actions(engine, include_internal=True)
    _with_forums_and_places(engine, empty)
    again = places.read_actions("atgarder.csv", places.to_csv(schema.ACTION.export(actions)))
    _store(empty, lambda conn: places.store_actions(conn, again, None, "atgarder.csv"))
    assert _comparable(places.load_actions(empty, include_internal=True)) == _comparable(actions)


def test_pledges_indicators_and_agenda_round_trip(engine, empty):
    stored = pledges.load_pledges(engine, include_internal=True)
    again = pledges.read_pledges("loften.csv", places.to_csv(schema.PLEDGE.export(stored)))
    _store(empty, lambda conn: pledges.store_pledges(conn, again, None))
    loaded = pledges.load_pledges(empty, include_internal=True)
    assert _comparable(loaded, ("id", "done")) == _comparable(stored, ("id", "done"))

    indicators = surveys.load_indicators(engine)
    again = surveys.read_indicators("indikatorer.csv", places.to_csv(schema.SURVEY_INDICATOR.export(indicators)))
    _store(empty, lambda conn: surveys.store_indicators(conn, again, None))
    assert _comparable(surveys.load_indicators(empty)) == _comparable(indicators)

    items = agenda.load_agenda(engine)
    assert list(items.columns) == schema.AGENDA_ITEM.headers()
    forums = cooperation.read_forums("forum.csv", places.to_csv(schema.FORUM.export(cooperation.load_forums(engine))))
    _store(empty, lambda conn: cooperation.store_forums(conn, forums, None))
    again = agenda.read_agenda("dagordning.csv", places.to_csv(items))
    _store(empty, lambda conn: agenda.store_agenda(conn, again, None, "dagordning.csv"))
    assert _comparable(agenda.load_agenda(empty)) == _comparable(items)


# --- the time of day ------------------------------------------------------------------------------

OBS_HEADER = "plats;datum;{time}kategori;organisation;beskrivning;sekretess"


def _read(rows: list[str], time_header: str | None = "tid") -> pd.DataFrame:
    header = OBS_HEADER.format(time=f"{time_header};" if time_header else "")
    return places.read_observations("obs.csv", "\n".join([header, *rows]).encode())


@pytest.mark.parametrize("written, expected", [
    ("21:30", dt.time(21, 30)), ("21.30", dt.time(21, 30)), ("2130", dt.time(21, 30)), ("21", dt.time(21)),
    ("9:05", dt.time(9, 5)), ("kl 21", dt.time(21)), ("21:30:00", dt.time(21, 30)), ("", None),
])
def test_the_time_column_takes_every_unambiguous_way_of_writing_it(written, expected):
    frame = _read([f"Vasaparken;2016-10-01;{written};ungdomar;Polisen;Samlingar;öppen"])
    assert frame["tid"].tolist() == [expected]
    assert frame["datum"].tolist() == [dt.date(2016, 10, 1)]


@pytest.mark.parametrize("header", ["klockslag", "Tidpunkt", "kl"])
def test_the_time_column_may_be_called_klockslag_tidpunkt_or_kl(header):
    assert _read(["Vasaparken;2016-10-01;22.15;ungdomar;Polisen;Samlingar;öppen"], header)["tid"].tolist() == \
        [dt.time(22, 15)]


def test_a_time_that_is_not_one_is_named_by_file_row_and_column():
    with pytest.raises(InputError) as error:
        _read(["Vasaparken;2016-10-01;sen kväll;ungdomar;Polisen;Samlingar;öppen",
               "Vasaparken;2016-10-02;25:00;ungdomar;Polisen;Samlingar;öppen",
               "Vasaparken;2016-10-03;930;ungdomar;Polisen;Samlingar;öppen"])
    assert [str(p) for p in error.value.problems] == [
        'obs.csv rad 2, kolumn "tid": "sen kväll" är inte ett klockslag (skriv klockslaget som TT:MM, till exempel 21:30)',
        'obs.csv rad 3, kolumn "tid": "25:00" är inte ett klockslag (skriv klockslaget som TT:MM, till exempel 21:30)',
        'obs.csv rad 4, kolumn "tid": "930" är inte ett klockslag (skriv klockslaget som TT:MM, till exempel 21:30)']


def test_a_date_and_time_in_the_date_column_gives_both():
    frame = _read(["Vasaparken;2016-12-01 21:30;ungdomar;Polisen;Samlingar;öppen",
                   "Vasaparken;2016-12-02T06:05:00;ungdomar;Polisen;Samlingar;öppen",
                   "Vasaparken;2016-12-03 00:00:00;ungdomar;Polisen;Samlingar;öppen"], time_header=None)
    assert frame["datum"].tolist() == [dt.date(2016, 12, 1), dt.date(2016, 12, 2), dt.date(2016, 12, 3)]
    assert frame["tid"].tolist() == [dt.time(21, 30), dt.time(6, 5), None]
    every_row = _read(["Vasaparken;2016-12-01 21:30;ungdomar;Polisen;Samlingar;öppen",
                       "Vasaparken;2016-12-02 22:45;ungdomar;Polisen;Samlingar;öppen"], time_header=None)
    assert every_row["datum"].tolist() == [dt.date(2016, 12, 1), dt.date(2016, 12, 2)]
    assert every_row["tid"].tolist() == [dt.time(21, 30), dt.time(22, 45)]


def test_a_date_time_that_disagrees_with_the_time_column_is_named():
    with pytest.raises(InputError) as error:
        _read(["Vasaparken;2016-12-01 21:30;22:00;ungdomar;Polisen;Samlingar;öppen",
               "Vasaparken;2016-12-01 kväll;;ungdomar;Polisen;Samlingar;öppen"])
    assert [str(p) for p in error.value.problems] == [
        'obs.csv rad 3, kolumn "datum": "2016-12-01 kväll": klockslaget efter datumet går inte att läsa '
        '(skriv klockslaget som TT:MM, till exempel 21:30)']
    with pytest.raises(InputError) as error:
        _read(["Vasaparken;2016-12-01 21:30;22:00;ungdomar;Polisen;Samlingar;öppen"])
    assert [str(p) for p in error.value.problems] == [
        'obs.csv rad 2, kolumn "tid": klockslaget 22:00 skiljer sig från 21:30 i kolumnen "datum"']


def test_an_excel_date_and_time_cell_gives_date_and_time(engine):
    import io

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["plats", "datum", "kategori", "organisation", "beskrivning", "sekretess"])
    sheet.append(["Vasaparken", dt.datetime(2016, 12, 1, 21, 30), "ungdomar", "Polisen", "Samlingar", "öppen"])
    sheet.append(["Vasaparken", dt.datetime(2016, 12, 2), "ungdomar", "Polisen", "Samlingar", "öppen"])
    buffer = io.BytesIO()
    book.save(buffer)
    frame = places.read_observations("obs.xlsx", buffer.getvalue())
    assert frame["datum"].tolist() == [dt.date(2016, 12, 1), dt.date(2016, 12, 2)]
    assert frame["tid"].tolist() == [dt.time(21, 30), None]
    places.import_observations(engine, "obs.xlsx", frame, by=Actor("Administratören", "administratör"))
    stored = places.load_observations(engine)
    assert stored.loc[stored["date"] == dt.date(2016, 12, 1), "time"].tolist() == [dt.time(21, 30)]


def test_the_form_saves_a_time_of_day_and_an_edit_keeps_changes_or_clears_it(engine):
    today = dt.date(2016, 12, 14)
    new_id = places.add_observation(engine, "Vasaparken", dt.date(2016, 12, 1), "ungdomar", "Polisen", "Samlingar",
                                    "öppen", today=today, by=EDITOR, time=dt.time(21, 30, 15))

    def stored():
        frame = places.load_observations(engine)
        row = frame[frame["id"] == new_id].iloc[0]
        return row["time"], int(row["version"])

    assert stored()[0] == dt.time(21, 30)
    places.update_observation(engine, new_id, stored()[1], dt.date(2016, 12, 1), "ungdomar", "Polisen",
                              "Samlingar vid lekplatsen", "öppen", today=today, by=EDITOR)
    assert stored()[0] == dt.time(21, 30)
    places.update_observation(engine, new_id, stored()[1], dt.date(2016, 12, 1), "ungdomar", "Polisen",
                              "Samlingar", "öppen", today=today, by=EDITOR, time="22.15")
    assert stored()[0] == dt.time(22, 15)
    places.update_observation(engine, new_id, stored()[1], dt.date(2016, 12, 1), "ungdomar", "Polisen",
                              "Samlingar", "öppen", today=today, by=EDITOR, time=None)
    assert stored()[0] is None
    # The positional signature still works and leaves the time empty.
    plain = places.add_observation(engine, "Vasaparken", dt.date(2016, 12, 1), "ungdomar", "Polisen", "Samlingar",
                                   "öppen", None, None, today, by=EDITOR)
    frame = places.load_observations(engine)
    assert frame.loc[frame["id"] == plain, "time"].tolist() == [None]


def test_the_form_refuses_a_time_that_is_not_one(engine):
    with pytest.raises(InputError) as error:
        places.add_observation(engine, "Vasaparken", dt.date(2016, 12, 1), "ungdomar", "Polisen", "Samlingar",
                               "öppen", today=dt.date(2016, 12, 14), by=EDITOR, time="sent")
    assert [str(p) for p in error.value.problems] == [
        'formuläret kolumn "tid": "sent" är inte ett klockslag (skriv klockslaget som TT:MM, till exempel 21:30)']


def test_the_csv_export_writes_the_time_as_hh_mm_or_nothing(engine):
    places.add_observation(engine, "Vasaparken", dt.date(2016, 12, 1), "ungdomar", "Polisen", "Samlingar",
                           "öppen", today=dt.date(2016, 12, 14), by=EDITOR, time=dt.time(7, 5))
    lines = places.observations_csv(places.load_observations(engine)).decode("utf-8-sig").splitlines()
    assert lines[0].startswith("plats;datum;tid;kategori;")
    assert "Vasaparken;2016-12-01;07:05;ungdomar;Polisen;Samlingar;öppen" in "\n".join(lines)
    assert any(line.split(";")[2] == "" for line in lines[1:])
