"""The example data recreates the council meeting of 2016-12-14 and is labelled as example data."""
from __future__ import annotations

from lagesbild import areas, cooperation, db, places, pledges, surveys

DECK_PLACES = {"Jarlaplan": (59.34444, 18.06204), "Hötorgsfaret": (59.33482, 18.06224),
               "Odenplan": (59.34301, 18.04977), "Sergels torg": (59.33236, 18.06454),
               "Vasaparken": (59.34028, 18.04333), "Kulturhuset Stadsteatern": (59.33205, 18.06434)}


def test_every_kind_of_example_data_is_marked_as_example(engine):
    assert db.example_kinds(engine) == ["undersökningar", "platser", "samverkan", "medborgarlöften", "områdesgränser"]


def test_norrmalm_perceived_safety_fell_two_points_2015_to_2016(engine):
    head = surveys.latest_change(surveys.load_results(engine), "medborgarundersokningen", "trygg_kvall", "Norrmalm")
    assert head["year"] == 2016 and round(head["change"], 1) == -2.0


def test_the_deck_places_stand_at_their_coordinates_inside_the_boundary(engine):
    frame = places.load_places(engine).set_index("name")
    boundary = areas.load_boundaries(engine).geometry.iloc[0]
    from shapely.geometry import Point

    for name, (lat, lon) in DECK_PLACES.items():
        assert (frame.loc[name, "lat"], frame.loc[name, "lon"]) == (lat, lon)
        assert boundary.contains(Point(lon, lat)), name


def test_the_forums_pledges_and_surveys_of_the_deck(engine):
    forums = cooperation.load_forums(engine).set_index("id")
    assert forums.loc["ffsp", "excluded_months"] == "7" and forums.loc["klara", "excluded_months"] == "6,7,8"
    assert cooperation.last_council_meeting(cooperation.load_meetings(engine)).isoformat() == "2016-12-14"
    frame = pledges.load_pledges(engine)
    assert list(frame["year"]) == [2017] * 3 and list(frame["target"]) == [2, 2, 3]
    results = surveys.load_results(engine)
    assert sorted(results.loc[results["survey"] == "stockholmsenkaten", "year"].unique()) == [2010, 2012, 2014, 2016]
    assert results["is_example"].all()


def test_database_is_filled_once_and_not_again_after_restart(tmp_path):
    from lagesbild.example import open_database

    path = str(tmp_path / "once.sqlite")
    first = len(places.load_places(open_database(path)))
    assert len(places.load_places(open_database(path))) == first
