"""The map: what the builder draws for a filter, clicks, safe text, and the Karta page through AppTest (its forms
and its address)."""
from __future__ import annotations

import datetime as dt
import html
import json
import re
from pathlib import Path

import streamlit_folium
from streamlit.testing.v1 import AppTest

from lagesbild import areas, places
from lagesbild.views import karta, maps, partners
from lagesbild.views.karta import MapFilter
from lagesbild.audit import Actor
from roles import as_role

EDITOR = Actor("test.redaktor", "redaktör")
ADMIN = Actor("test.admin", "administratör")

APP = Path(__file__).resolve().parents[1] / "app.py"
INTERNAL_TEXT = "Inbrott och stölder på skolan vid Jarlaplan"
SCRIPT = "<script>alert('x')</script>"
IMG = '<img src=x onerror="alert(1)">'


# --- helpers ------------------------------------------------------------------------------------------

def sent_to_browser(m, monkeypatch) -> dict:
    """What streamlit-folium hands its iframe for this map."""
    sent: dict = {}
    monkeypatch.setattr(streamlit_folium, "_component_func", lambda **kwargs: sent.update(kwargs))
    streamlit_folium.st_folium(m, returned_objects=maps.RETURNED_OBJECTS, height=600)
    return sent


def layer_data(script: str, name: str):
    """The JSON data the place or observation layer carries in the map's script (places get their name and
    tooltip text back, as a reader sees them)."""
    if name == "places":
        match = re.search(r"var placeData = (\[.*?\]);\n", script, re.S)
        drawn = json.loads(match.group(1))
        for p in drawn:
            name_html, detail = p["tooltip"].split("<br>")
            p["name"] = html.unescape(name_html.removeprefix("<b>").removesuffix("</b>"))
            p["text"] = p["name"] + html.unescape(detail)
        return drawn
    match = re.search(r"var points = JSON\.parse\((\".*?\")\);", script, re.S)
    return json.loads(json.loads(match.group(1))) if match else []


def map_data(engine, chosen: MapFilter = MapFilter(), include_internal: bool = False):
    observations = places.load_observations(engine, include_internal=include_internal)
    place_frame = places.with_categories(places.load_places(engine), observations)
    shown = karta.filter_places(place_frame, observations, chosen)
    shown_observations = karta.filter_observations(observations, shown, chosen)
    return shown, shown_observations


def build(engine, chosen: MapFilter = MapFilter(), include_internal: bool = False):
    shown, shown_observations = map_data(engine, chosen, include_internal)
    counts = karta.observations_per_place(shown_observations)
    return maps.place_map(shown, areas.load_boundaries(engine), None, shown_observations, counts), shown, shown_observations


# --- the builder -----------------------------------------------------------------------------------------

def test_map_holds_boundary_every_place_and_every_observation(engine, monkeypatch):
    m, shown, observations = build(engine)
    script = sent_to_browser(m, monkeypatch)["script"]
    drawn = layer_data(script, "places")
    assert [p["name"] for p in drawn] == list(shown["name"]) and len(drawn) == 13
    colours = {p["name"]: p["fill"] for p in drawn}
    assert colours["Sergels torg"] == maps.STATUS_COLOURS["avslutad"]
    assert colours["Jarlaplan"] == maps.STATUS_COLOURS["pågående"]
    symbols = {p["name"]: re.sub(r"<[^>]+>", "", p["symbol"]) for p in drawn}
    assert symbols["Vasaparken"] == "AN" and symbols["Hötorgsfaret"] == "VR"  # from the observations there
    points = layer_data(script, "observations")
    assert len(points) == 2 * len(observations) == 2 * 24
    camp = observations[observations["description"].str.startswith("Bosättning med flera tält i Vanadislunden")].iloc[0]
    assert [59.3474, 18.0503] == [camp["lat"], camp["lon"]]
    assert "Norrmalm" in script and '"interactive": false' in script  # the boundary takes no clicks


def test_filter_by_status_activity_and_category_decides_places_and_points(engine, monkeypatch):
    m, shown, observations = build(engine, MapFilter(statuses=("avslutad",)))
    script = sent_to_browser(m, monkeypatch)["script"]
    assert [p["name"] for p in layer_data(script, "places")] == ["Sergels torg"]
    assert len(layer_data(script, "observations")) == 2 * 2  # Sergels torg's two observations

    shown, observations = map_data(engine, MapFilter(forums=("ffsp",)))
    assert list(shown["name"]) == ["Vasaparken"]
    shown, observations = map_data(engine, MapFilter(categories=("bosättningar/sovplatser",)))
    # Vasaparken is drawn in: a camp was seen there, though its own category is alcohol/narcotics.
    assert set(shown["name"]) == {"Bosättningar i parker och på förskolegårdar"}
    assert set(observations["category"]) == {"bosättningar/sovplatser"} and len(observations) == 8


def test_time_window_keeps_the_points_of_the_window(engine, monkeypatch):
    since_october = MapFilter(start=dt.date(2016, 10, 1), end=dt.date(2016, 12, 31))
    m, shown, observations = build(engine, since_october)
    assert len(shown) == 13  # places stay; their points and counts follow the window
    assert observations["date"].min() >= dt.date(2016, 10, 1) and len(observations) == 8
    tooltips = {p["name"]: p["text"] for p in layer_data(sent_to_browser(m, monkeypatch)["script"], "places")}
    assert tooltips["Vasaparken"] == "Vasaparkenbevakas · alkohol/narkotika · 1 iakttagelse"
    assert tooltips["Odenplan"].endswith("0 iakttagelser")


def test_internal_material_never_reaches_the_default_map(engine, monkeypatch):
    m, shown, observations = build(engine)
    script = sent_to_browser(m, monkeypatch)["script"]
    assert INTERNAL_TEXT not in script and "inbrott/stöld" not in script
    tooltips = {p["name"]: p["text"] for p in layer_data(script, "places")}
    assert tooltips["Jarlaplan"].endswith("3 iakttagelser")
    m, _, _ = build(engine, include_internal=True)
    tooltips = {p["name"]: p["text"] for p in layer_data(sent_to_browser(m, monkeypatch)["script"], "places")}
    assert tooltips["Jarlaplan"].endswith("4 iakttagelser")


def test_typed_text_reaches_the_map_escaped(engine, monkeypatch):
    for name in (SCRIPT, IMG, "Torget `${alert(1)}` \\u0041"):
        places.add_place(engine, name, 59.335, 18.06, "Norrmalm", None, "ny", "annat", by=EDITOR)
    m, _, _ = build(engine)
    sent = sent_to_browser(m, monkeypatch)
    html = m.get_root().render()
    for text in (sent["script"], sent["html"], sent["header"], html):
        assert "<script>alert" not in text and "<img src=x" not in text and "`${alert" not in text
    tooltips = [p["tooltip"] for p in layer_data(sent["script"], "places")]
    assert "<b>&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;</b><br>ny · annat · 0 iakttagelser" in tooltips
    assert any(t.startswith("<b>&lt;img src=x onerror=&quot;alert(1)&quot;&gt;</b>") for t in tooltips)
    assert any("&#96;&#36;{alert(1)}&#96; &#92;u0041" in t for t in tooltips)


def test_no_rerun_on_pan_or_zoom_only_clicks_come_back():
    assert set(maps.RETURNED_OBJECTS) == {"last_clicked", "last_object_clicked", "last_object_clicked_tooltip"}


def test_legend_counts_and_says_what_each_colour_means(engine):
    shown, observations = map_data(engine)
    legend = maps.legend_html(karta.status_counts(shown), karta.category_counts(observations), "hela perioden")
    plain = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", re.sub(r"<style>.*?</style>", "", legend, flags=re.S)))
    assert "pågående 7" in plain and "bevakas 5" in plain and "avslutad 1" in plain and "ny 0" in plain
    assert "bosättningar/sovplatser 8" in plain and "inbrott/stöld 0" in plain
    assert "ny: nyss uppmärksammad, inga åtgärder ännu" in plain


# --- clicks --------------------------------------------------------------------------------------------

MARKERS = [{"name": "Sergels torg", "text": "Sergels torgavslutad · ungdomar · 2 iakttagelser"},
           {"name": "Sergels torg norra", "text": "Sergels torg norrany · annat · 0 iakttagelser"}]


def test_a_click_on_a_place_opens_it_and_wins_over_the_map_click_beneath():
    value = {"last_clicked": {"lat": 59.3323, "lng": 18.0645},
             "last_object_clicked": {"lat": 59.3323, "lng": 18.0645},
             "last_object_clicked_tooltip": "Sergels torg norrany · annat · 0 iakttagelser"}
    click, seen = maps.read_click(value, {}, MARKERS)
    assert click == maps.MapClick(place="Sergels torg norra")
    assert maps.read_click(value, seen, MARKERS)[0] == maps.MapClick()  # the same value on the next run


def test_a_click_on_empty_ground_gives_a_point_and_an_old_tooltip_is_not_a_new_click():
    first = {"last_clicked": {"lat": 59.3323, "lng": 18.0645}, "last_object_clicked": {"lat": 59.3323, "lng": 18.0645},
             "last_object_clicked_tooltip": "Sergels torgavslutad · ungdomar · 2 iakttagelser"}
    _, seen = maps.read_click(first, {}, MARKERS)
    later = dict(first, last_clicked={"lat": 59.34, "lng": 18.05})
    assert maps.read_click(later, seen, MARKERS)[0] == maps.MapClick(point=(59.34, 18.05))
    assert maps.read_click(None, {}, MARKERS)[0] == maps.MapClick()
    assert maps.place_from_tooltip("Sergels torgavslutad · ungdomar · 3 iakttagelser", MARKERS) == "Sergels torg"


# --- the page in AppTest ---------------------------------------------------------------------------------

def open_map(monkeypatch=None, internal: bool = False, role: str = "redaktör") -> AppTest:
    at = as_role(AppTest.from_file(str(APP), default_timeout=60), role, internal)
    at.run()
    at.switch_page("pages/karta.py")
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def folium_element(at: AppTest):
    return next(e for e in at.get("component_instance") if e.proto.component_name.endswith("st_folium"))


def folium_args(at: AppTest) -> dict:
    return json.loads(folium_element(at).proto.json_args)


def click(at: AppTest, value: dict) -> AppTest:
    """What a click in the browser does: the st_folium element's state becomes the click."""
    at.session_state[folium_element(at).proto.id.split("-", 2)[2]] = value
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def seen(at: AppTest) -> str:
    """Markdown as a reader sees it: tags and emphasis gone, escapes resolved."""
    plain = (re.sub(r"(?<!\\)\*", "", re.sub(r"<(style)>.*?</\1>|(?<!\\)<[^>]+>", " ", m.value, flags=re.S))
             for m in at.markdown)
    plain = [*plain, *(s.value for s in at.subheader), *(c.value for c in at.caption), *(s.value for s in at.success)]
    return "\n".join(re.sub(r"[ \t]+", " ", re.sub(r"\\(.)", r"\1", t)) for t in plain)


def test_page_shows_the_map_legend_and_next_follow_ups():
    at = open_map()
    assert at.title[0].value == "Otrygga platser"
    assert len(layer_data(folium_args(at)["script"], "places")) == 13
    assert folium_args(at)["returned_objects"] == maps.RETURNED_OBJECTS
    text = seen(at)
    assert "Platser per status" in text and "pågående 7" in text
    assert "2017-01-11 – Vasaparken" in text  # next follow-ups while no place is chosen
    assert "13 av 13 platser och 24 iakttagelser" in text


def test_clicking_a_place_on_the_map_opens_its_card():
    at = open_map()
    tooltip = next(p["text"] for p in layer_data(folium_args(at)["script"], "places") if p["name"] == "Vasaparken")
    click(at, {"last_clicked": {"lat": 59.34028, "lng": 18.04333}, "last_object_clicked": {"lat": 59.34028, "lng": 18.04333},
               "last_object_clicked_tooltip": tooltip})
    assert at.selectbox(key="map_place").value == "Vasaparken"
    assert "Vasaparken" in [s.value for s in at.subheader]
    text = seen(at)
    assert "Lägesbild" in text and "Mycket cannabisrökning i Vasaparken" in text
    assert "Nästa uppföljning: 2017-01-11" in text
    assert "2016-11-24 · Åtgärd · Polisen · genomförd" in text  # vad har vi gjort, newest first
    assert text.index("2016-11-24 · Åtgärd") < text.index("2016-10-05 kl. 23:30 · Iakttagelse")  # with its time
    # The map rings the chosen place without being rebuilt.
    assert "59.34028" in folium_args(at)["feature_group"]


def test_a_place_chosen_elsewhere_opens_its_card():
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.session_state["map_place"] = "Klarabergsgatan"
    at.run()
    at.switch_page("pages/karta.py").run()
    assert not at.exception
    assert "Klarabergsgatan" in [s.value for s in at.subheader]
    assert "Hög brottslighet på Klarabergsgatan" in seen(at)


def test_internal_observation_only_in_the_internal_view(monkeypatch):
    at = open_map()
    at.selectbox(key="map_place").set_value("Jarlaplan").run()
    assert INTERNAL_TEXT not in seen(at) and INTERNAL_TEXT not in folium_element(at).proto.json_args
    internal = open_map(monkeypatch, internal=True)
    internal.selectbox(key="map_place").set_value("Jarlaplan").run()
    assert INTERNAL_TEXT in seen(internal)
    assert any("Intern vy" in w.value for w in internal.warning)
    assert any("intern" in m.value and "badge" in m.value for m in internal.markdown)


def test_filters_change_the_map_and_the_counts():
    at = open_map()
    at.multiselect(key="map_status").set_value(["avslutad"]).run()
    assert [p["name"] for p in layer_data(folium_args(at)["script"], "places")] == ["Sergels torg"]
    assert "1 av 13 platser och 2 iakttagelser" in seen(at)
    at.multiselect(key="map_status").set_value([]).run()
    at.selectbox(key="map_window").set_value("eget").run()
    at.date_input(key="map_dates").set_value((dt.date(2016, 12, 1), dt.date(2016, 12, 31))).run()
    assert not at.exception
    # A window shows the places where something was seen or done in it, not all 13.
    assert "2 av 13 platser och 1 iakttagelser" in seen(at) and "2016-12-01 – 2016-12-31" in seen(at)
    assert len(layer_data(folium_args(at)["script"], "places")) == 2


def test_observation_at_a_clicked_point_through_the_form():
    at = open_map()
    before = len(layer_data(folium_args(at)["script"], "observations"))
    click(at, {"last_clicked": {"lat": 59.3401, "lng": 18.0512}, "last_object_clicked": None,
               "last_object_clicked_tooltip": None})
    assert at.number_input(key="new_lat").value == 59.3401  # the new-place form takes the point too
    at.selectbox(key="obs_place").set_value("Odenplan")
    at.selectbox(key="obs_category").set_value("ungdomar")
    at.text_input(key="obs_org").input("Fältassistenterna")
    at.text_area(key="obs_text").input("Grupp unga samlas kvällstid vid fontänen")
    at.radio(key="obs_secrecy").set_value("öppen")
    at.checkbox(key="obs_at_point").check()
    at.button(key="obs_save").click().run()
    assert not at.exception
    assert "Iakttagelsen vid Odenplan är sparad och visas på kartan." in seen(at)
    points = layer_data(folium_args(at)["script"], "observations")
    # The room's map shows an own point in its 200 m square (views.partners.public_points), not exactly.
    square = [round(c, 5) for c in partners.snap_to_grid(59.3401, 18.0512)]
    pairs = [[round(c, 5) for c in points[i:i + 2]] for i in range(0, len(points), 2)]
    assert len(points) == before + 2 and square in pairs and [59.3401, 18.0512] not in pairs


def test_form_refuses_personal_data_and_lists_every_problem():
    at = open_map()
    at.selectbox(key="obs_place").set_value("Odenplan")
    at.text_area(key="obs_text").input("Pojke 811218-9876 syntes, ring 070-123 45 67")
    at.button(key="obs_save").click().run()
    assert not at.exception
    error = at.error[0].value
    assert "5 saker behöver rättas" in error and "personnummer" in error and "mobilnummer" in error
    assert "Skriv vilken organisation det gäller" in error and "Välj sekretess: öppen eller intern" in error
    assert "Välj kategori" in error  # nothing is chosen for the user: a forgotten category is not saved as the first one
    assert "Ingenting har sparats." in error and "formuläret" not in error and "kolumn" not in error
    # The reason personal data is refused is given once, not once per problem.
    assert error.lower().count("lägesbilden ska vara generell") == 1
    # What was typed stays for correcting.
    assert at.text_area(key="obs_text").value.startswith("Pojke")


def test_new_place_by_typed_coordinates_then_an_action_and_a_new_situation():
    at = open_map()
    at.text_input(key="new_name").input("Tegnérlunden")
    at.number_input(key="new_lat").set_value(59.33786)
    at.number_input(key="new_lon").set_value(18.05865)
    at.selectbox(key="new_category").set_value("bosättningar/sovplatser")
    at.text_area(key="new_situation").input("Återkommande sovplatser i parken.")
    at.button(key="new_save").click().run()
    assert not at.exception
    assert "Platsen Tegnérlunden är sparad." in seen(at)
    assert at.selectbox(key="map_place").value == "Tegnérlunden"
    drawn = {p["name"]: p for p in layer_data(folium_args(at)["script"], "places")}
    assert drawn["Tegnérlunden"]["fill"] == maps.STATUS_COLOURS["ny"] and "BS" in drawn["Tegnérlunden"]["symbol"]

    assert at.selectbox(key="act_place").value == "Tegnérlunden"
    at.selectbox(key="act_status").set_value("planerad")
    at.date_input(key="act_date").set_value(dt.date.today() + dt.timedelta(days=14))
    at.text_input(key="act_actor").input("Parkmiljö och polisen")
    at.text_area(key="act_text").input("Gemensam trygghetsvandring i parken.")
    at.radio(key="act_secrecy").set_value("öppen")
    at.button(key="act_save").click().run()
    assert not at.exception
    assert "planerad: Gemensam trygghetsvandring i parken." in seen(at)

    suffix = next(s.key for s in at.selectbox if s.key.startswith("upd_status_")).removeprefix("upd_status_")
    at.selectbox(key=f"upd_status_{suffix}").set_value("pågående")
    at.text_area(key=f"upd_situation_{suffix}").input("Sovplatserna städade; parken bevakas kvällstid.")
    at.button(key="upd_save").click().run()
    assert not at.exception
    assert f"Lägesbild ({dt.date.today().isoformat()})" in seen(at) and "pågående – åtgärder pågår" in seen(at)


def test_places_export_and_import_through_the_page():
    at = open_map()
    assert {b.label for b in at.get("download_button")} >= {"Platser som GeoJSON", "Platser som CSV",
                                                           "Iakttagelser som GeoJSON", "Iakttagelser som CSV"}


# --- the address: a link opens the view it names ---------------------------------------------------------

EVERY_FILTER = {"period": "eget", "fran": "2016-09-01", "till": "2016-12-31", "kategori": ["alkohol/narkotika"],
                "status": ["bevakas"], "aktivitet": ["ffsp"], "omrade": ["Norrmalm"], "plats": "Vasaparken",
                "intern": "ja"}


def open_link(query: dict, role: str = "redaktör") -> AppTest:
    at = as_role(AppTest.from_file(str(APP), default_timeout=60), role)
    at.run()
    for key, value in query.items():
        at.query_params[key] = value
    at.switch_page("pages/karta.py").run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_a_link_with_every_filter_opens_that_view_and_the_address_follows_the_filters():
    at = open_link(EVERY_FILTER)
    assert (at.selectbox(key="map_window").value, at.date_input(key="map_dates").value) == (
        "eget", (dt.date(2016, 9, 1), dt.date(2016, 12, 31)))
    assert at.multiselect(key="map_categories").value == ["alkohol/narkotika"]
    assert at.multiselect(key="map_status").value == ["bevakas"] and at.multiselect(key="map_forums").value == ["ffsp"]
    assert at.selectbox(key="map_place").value == "Vasaparken" and "Vasaparken" in [s.value for s in at.subheader]
    assert any("Intern vy" in w.value for w in at.warning) and not at.info
    assert [p["name"] for p in layer_data(folium_args(at)["script"], "places")] == ["Vasaparken"]
    assert at.code[0].value.startswith("/karta?period=eget&fran=2016-09-01&till=2016-12-31&kategori=alkohol%2Fnarkotika")
    at.multiselect(key="map_status").set_value([]).run()
    at.selectbox(key="map_place").set_value("Odenplan").run()
    assert "status" not in at.query_params and at.query_params["plats"] == "Odenplan"
    assert at.selectbox(key="map_window").value == "eget"  # the page's own address is not read again


def test_a_broken_link_falls_back_with_a_notice_and_internal_only_for_a_role_that_may():
    at = open_link({"period": "vecka", "kategori": ["graffiti", "ungdomar"], "plats": "Rivna torget", "intern": "ja"},
                   role="publik")
    notices = " ".join(i.value for i in at.info)
    assert "Tidsperioden i länken (vecka) finns inte; hela perioden visas." in notices
    assert 'Kategorin "graffiti" i länken finns inte' in notices and 'Platsen "Rivna torget"' in notices
    assert "Länken visar internt material" in notices and not any("Intern vy" in w.value for w in at.warning)
    assert at.multiselect(key="map_categories").value == ["ungdomar"] and at.selectbox(key="map_place").value is None
    assert dict(at.query_params) == {"kategori": "ungdomar"}  # the address now says the view shown
    assert INTERNAL_TEXT not in folium_element(at).proto.json_args


def test_the_link_carries_läget_per_and_the_sidebar_date_replaces_it():
    at = open_link({"datum": "2016-10-01", "period": "90"})
    assert dict(at.query_params) == {"datum": "2016-10-01", "period": "90"}
    at.date_input(key="as_of_input").set_value(dt.date(2016, 11, 1)).run()
    assert not at.exception and dict(at.query_params) == {"period": "90", "datum": "2016-11-01"}
    assert "Läget per 2016-11-01" in seen(at)
