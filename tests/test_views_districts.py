"""The district map on Trender: every district's share, interval, n and test against the city, coloured and drawn."""
from __future__ import annotations

import json
import re

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from lagesbild import areas, importing, surveys
from lagesbild.audit import Actor
from lagesbild.views import districts
from test_real_geodata import shared_data

ADMIN = Actor("test.admin", "administratör")
MIN_ANSWERS = 50


def results(rows: list[tuple], year: int = 2016, group: str = "Alla") -> pd.DataFrame:
    """A results table for one survey and indicator from (area, share, n) rows."""
    return pd.DataFrame([{"survey": "medborgarundersokningen", "indicator": "trygg_kvall", "year": year, "grp": group,
                          "area": a, "share": s, "missing": m, "n": n, "is_example": False}
                         for a, s, n, m in [(*r, None) if len(r) == 3 else r for r in rows]])


def boundaries(names: list[str], source: str = "stadens fil") -> gpd.GeoDataFrame:
    """One small square per district, side by side."""
    return gpd.GeoDataFrame({"area": names, "source": [source] * len(names)},
                            geometry=[box(18 + i * 0.01, 59.3, 18.009 + i * 0.01, 59.31) for i in range(len(names))],
                            crs=4326)


def view(data: pd.DataFrame, shapes: gpd.GeoDataFrame, year: int = 2016, group: str = "Alla") -> districts.DistrictView:
    return districts.build_district_view(data, shapes, "medborgarundersokningen", "trygg_kvall", group, year,
                                         MIN_ANSWERS, "Trygg ensam hem på kvällen")


def by_area(v: districts.DistrictView) -> pd.DataFrame:
    return districts.district_table(v).set_index("Stadsdelsområde")


def drawn(m) -> dict[str, dict]:
    """The properties of every district in the rendered map, by name on the map."""
    html = m.get_root().render()
    data = json.loads(re.search(r"geo_json_\w+_add\((\{.*?\})\);", html, re.S).group(1))
    return {f["properties"]["map_area"]: f["properties"] for f in data["features"]}


def drawn_colours(m) -> dict[str, str]:
    """The fill of every district in the rendered map, by name on the map."""
    return {name: properties["colour"] for name, properties in drawn(m).items()}


CITY_AND_FOUR = [("Hela staden", 60.0, 2000), ("Norrmalm", 70.0, 400), ("Östermalm", 62.0, 300),
                 ("Farsta", 50.0, 300), ("Skarpnäck", 55.0, 30)]


def test_each_districts_value_interval_n_and_words_against_a_hand_computation():
    # Hand computation: Wilson 95 % interval for 70 % of 400 is 65,34–74,28; pooled two-proportion test against the
    # city's 60 % of 2 000: z = 3,76 (p = 0,0002) → higher; 62 % of 300: z = 0,66 (p = 0,51) → no sure difference;
    # 50 % of 300: z = −3,28 (p = 0,001) → lower.
    v = view(results(CITY_AND_FOUR), boundaries(["Norrmalm", "Östermalm", "Farsta", "Skarpnäck"]))
    table = by_area(v)
    assert table.loc["Hela staden", ["Andel, %", "n"]].tolist() == ["60,0", "2\u00a0000"]
    assert table.loc["Norrmalm"].tolist() == ["70,0", "65,3–74,3", "400", "högre än staden", ""]
    assert table.loc["Östermalm", ["95 % KI", "Jämfört med staden"]].tolist() == ["56,4–67,3", "ingen säker skillnad"]
    assert table.loc["Farsta", ["95 % KI", "Jämfört med staden"]].tolist() == ["44,4–55,6", "lägre än staden"]
    norrmalm = v.frame.set_index("area").loc["Norrmalm"]
    assert norrmalm["low"] == pytest.approx(65.336, abs=0.001) and norrmalm["high"] == pytest.approx(74.283, abs=0.001)
    tooltip = v.shapes.set_index("map_area").loc["Norrmalm", "tooltip"]
    assert "70,0 %<br>95 % KI 65,3–74,3" in tooltip and "n = 400" in tooltip and "högre än staden" in tooltip


def test_a_district_with_too_few_answers_shows_two_dots_the_reason_and_stays_grey():
    v = view(results(CITY_AND_FOUR), boundaries(["Norrmalm", "Östermalm", "Farsta", "Skarpnäck"]))
    assert by_area(v).loc["Skarpnäck"].tolist() == ["..", "–", "30", "", "för få svar (färre än 50)"]
    shape = v.shapes.set_index("map_area").loc["Skarpnäck"]
    assert shape["colour"] == districts.MISSING_COLOUR and shape["label"] == ".."
    assert "för få svar (färre än 50)" in shape["tooltip"]
    # The scale covers the shown shares only: 50, 62 and 70 → four classes of five points, the last one closed.
    assert [c.label for c in v.classes] == ["50–55", "55–60", "60–65", "65–70"]
    assert "färre än 50 svar redovisas aldrig" in " ".join(v.notes)


def test_the_scale_is_sequential_colour_blind_safe_and_says_what_it_means():
    v = view(results(CITY_AND_FOUR), boundaries(["Norrmalm", "Östermalm", "Farsta", "Skarpnäck"]))
    assert v.title == "Andel trygga, %"
    colours = [c.colour for c in v.classes]
    assert colours == sorted(colours, key=districts.PALETTE.index) and len(set(colours)) == 4
    assert colours[0] == districts.PALETTE[0] and colours[-1] == districts.PALETTE[-1]  # lightest to darkest
    legend = districts.legend_html(v)
    assert "Andel trygga, %" in legend and "50–55" in legend and ".. redovisas inte" in legend
    assert drawn_colours(districts.district_map(v)) == {
        "Farsta": colours[0], "Östermalm": colours[2], "Norrmalm": colours[3], "Skarpnäck": districts.MISSING_COLOUR}


def test_a_merged_district_is_drawn_on_its_parts_boundaries():
    data = results([("Hela staden", 60.0, 2000), ("Norra innerstaden", 70.0, 600)], year=2024)
    v = view(data, boundaries(["Norrmalm", "Östermalm"]), year=2024)
    shapes = v.shapes.set_index("map_area")
    assert list(shapes.index) == ["Norra innerstaden"] and shapes.loc["Norra innerstaden", "label"] == "70"
    assert shapes.loc["Norra innerstaden", "geometry"].area == pytest.approx(2 * 0.009 * 0.01)


def test_parts_of_a_later_merger_are_listed_and_the_merged_shape_stays_grey_with_the_reason():
    data = results([("Hela staden", 60.0, 2000), ("Hägersten-Liljeholmen", 66.0, 300), ("Älvsjö", 64.0, 250),
                    ("Norrmalm", 70.0, 400)])
    # The city's file of 2020 has only the merged district; stale example shapes of the parts give way to it.
    shapes = pd.concat([boundaries(["Hägersten-Älvsjö", "Norrmalm"]),
                        boundaries(["Hägersten-Liljeholmen", "Älvsjö"], "Förenklade gränser, exempeldata")])
    v = view(data, gpd.GeoDataFrame(shapes, crs=4326))
    table = by_area(v)
    assert table.loc["Älvsjö", "Andel, %"] == "64,0"
    assert table.loc["Älvsjö", "Anmärkning"] == ("ingår sedan 2020-01-01 i Hägersten-Älvsjö; kartan har bara gränsen "
                                                 "för Hägersten-Älvsjö")
    assert table.loc["Hägersten-Älvsjö", "Andel, %"] == ".."
    assert table.loc["Hägersten-Älvsjö", "Anmärkning"].startswith(
        "bildades 2020-01-01 av Hägersten-Liljeholmen och Älvsjö; för året finns bara värden för delarna")
    assert ("Hägersten-Liljeholmen, Älvsjö: ingår sedan 2020-01-01 i Hägersten-Älvsjö; kartan har bara gränsen för "
            "Hägersten-Älvsjö.") in v.notes
    colours = drawn_colours(districts.district_map(v))
    assert set(colours) == {"Hägersten-Älvsjö", "Norrmalm"}
    assert colours["Hägersten-Älvsjö"] == districts.MISSING_COLOUR and colours["Norrmalm"] in districts.PALETTE


def test_a_district_without_a_boundary_is_still_in_the_table_with_the_reason():
    v = view(results(CITY_AND_FOUR), boundaries(["Norrmalm"]))
    assert by_area(v).loc["Farsta", "Anmärkning"] == districts.NO_BOUNDARY
    assert list(v.shapes["map_area"]) == ["Norrmalm"]


def test_the_example_data_colours_every_district_on_simplified_boundaries(engine):
    v = districts.build_district_view(surveys.load_results(engine), areas.load_boundaries(engine),
                                      "medborgarundersokningen", "trygg_kvall", "Alla", 2016, MIN_ANSWERS, "Trygg")
    assert len(v.shapes) == 14 and set(v.shapes["map_area"]) == set(areas.SDO_2007)
    assert districts.MISSING_COLOUR not in set(drawn_colours(districts.district_map(v)).values())
    assert any(note.startswith("Förenklade gränser, exempeldata: alla gränser") for note in v.notes)
    assert "Värdena är exempeldata, inte verkliga resultat." in v.notes


def test_the_citys_sdn_2020_file_through_the_real_import_draws_every_district_coloured(engine):
    checked = importing.check_file("sdn_2020.zip", shared_data("sdn_2020.zip").read_bytes(), engine=engine)
    importing.save(engine, checked, ADMIN)
    stored = areas.load_boundaries(engine)
    names = list(checked.payload["area"])
    assert len(names) == 13
    # The districts of 2020 with a result each for 2021.
    data = results([("Hela staden", 60.0, 5000)] + [(n, 50.0 + i, 300) for i, n in enumerate(names)], year=2021)
    v = view(data, stored, year=2021)
    colours = drawn_colours(districts.district_map(v))
    assert set(colours) == set(names)
    assert all(c in districts.PALETTE for c in colours.values())
    # The example boundaries of the two districts merged in 2020 give way to the city's merged one.
    assert "Älvsjö" not in colours and not any("exempeldata" in n for n in v.notes)
    html = districts.district_map(v).get_root().render()
    assert 'setAttribute("data-coloured", 13)' in html


def test_the_example_surveys_on_the_citys_2020_boundaries(engine):
    checked = importing.check_file("sdn_2020.zip", shared_data("sdn_2020.zip").read_bytes(), engine=engine)
    importing.save(engine, checked, ADMIN)
    v = districts.build_district_view(surveys.load_results(engine), areas.load_boundaries(engine),
                                      "medborgarundersokningen", "trygg_kvall", "Alla", 2016, MIN_ANSWERS, "Trygg")
    colours = drawn_colours(districts.district_map(v))
    assert len(colours) == 13 and colours["Hägersten-Älvsjö"] == districts.MISSING_COLOUR
    assert sum(c in districts.PALETTE for c in colours.values()) == 12


def test_the_map_works_offline_and_escapes_names():
    v = view(results([("Hela staden", 60.0, 2000), ("<b>Norrmalm</b>", 70.0, 400)]),
             boundaries(["<b>Norrmalm</b>"]))
    m = districts.district_map(v)
    html = m.get_root().render()
    assert not re.findall(r'(?:src|href)="https?://', html)
    assert "/app/static/vendor/leaflet/" in html
    assert drawn(m)["<b>Norrmalm</b>"]["tooltip"].startswith("<b>&lt;b&gt;Norrmalm&lt;/b&gt;</b><br>70,0 %")


def test_each_district_gets_its_value_printed_on_it_as_text_in_one_script():
    v = view(results(CITY_AND_FOUR), boundaries(["Norrmalm", "Östermalm", "Farsta", "Skarpnäck"]))
    html = districts.district_map(v).get_root().render()
    labels = json.loads(re.search(r"^\s*(\[.*\])\.forEach", html, re.M).group(1))
    assert sorted(label["text"] for label in labels) == ["..", "50", "62", "70"]  # Skarpnäck: too few answers
    dark = {label["text"]: label["colour"] for label in labels}
    assert dark["70"] == "#ffffff" and dark[".."] == districts.OUTLINE
    assert "textContent" in html and html.count("L.marker(") == 1  # one loop, not a Marker per label


def test_trender_shows_the_district_table_for_the_chosen_group_and_last_year(engine):
    from test_trender import trends_page

    at = trends_page()
    assert "Stadsdelsområdena 2016" in [h.value for h in at.subheader]
    table = next(d.value for d in at.dataframe if "Jämfört med staden" in d.value.columns).set_index("Stadsdelsområde")
    assert table.loc["Östermalm", "Jämfört med staden"] == "högre än staden"
    assert table.loc["Hela staden", "Andel, %"] == "64,7"
    at.radio(key="trend_group").set_value("Kvinnor")
    at.run()
    assert not at.exception
    assert "Stadsdelsområdena 2016, kvinnor" in [h.value for h in at.subheader]
