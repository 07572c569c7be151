"""Karta in a real browser against `streamlit run`, with every request outside the local server refused:
the map draws the boundary, the places and the observations from the app's own files, a click on a place
opens its card, and an observation recorded through the form at a clicked point appears on the map."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from lagesbild.views.partners import snap_to_grid
from test_browser import (EXCEPTION, MAP_FRAME, StreamlitServer, browser, editor_secrets, free_ports,  # noqa: F401
                          open_page, sign_in, wait_for_script)

PLACES = 13
OBSERVATIONS = 24  # open ones in the example data
VASAPARKEN = (59.34028, 18.04333)
# Leaflet's own state, read inside the map's frame: a point's pixel in the frame, and the observation canvas there.
TO_PIXEL = "([lat, lon]) => { const p = window.map.latLngToContainerPoint([lat, lon]); return [p.x, p.y]; }"
TO_LATLNG = "([x, y]) => { const ll = window.map.containerPointToLatLng([x, y]); return [ll.lat, ll.lng]; }"
CANVAS_PIXEL = """([lat, lon]) => {
    const canvas = Object.values(window.map._layers).find((layer) => layer instanceof L.Canvas);
    const p = window.map.latLngToLayerPoint([lat, lon]).subtract(canvas._bounds.min).multiplyBy(window.devicePixelRatio);
    return Array.from(canvas._ctx.getImageData(Math.round(p.x), Math.round(p.y), 1, 1).data);
}"""
OBSERVATION_RGB = (0x23, 0x23, 0x5B)  # maps.OBSERVATION_COLOUR


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    started = StreamlitServer(free_ports(1)[0], tmp_path_factory.mktemp("server-karta"), editor_secrets())
    yield started
    started.stop()


@pytest.fixture
def page(server, browser):  # noqa: F811
    server.wait_until_healthy()
    page = open_page(browser, 1920, 1080)
    page.refused = []
    page.on("requestfailed", lambda request: page.refused.append(request.url))
    page.goto(f"{server.url}/karta")
    wait_for_script(page)
    yield page
    page.context.close()


def map_frame(page: Page):
    """The live map frame once everything is drawn (a new one after every change of the map's data)."""
    drawn = page.frame_locator(MAP_FRAME).locator("[data-observations-drawn][data-places]")
    expect(drawn).to_be_attached()
    frame = page.locator(MAP_FRAME).element_handle().content_frame()
    # Drawn is not yet settled: on a busy machine the frame still grows to its height and the map fits its bounds
    # after the attributes are set. Wait until every place circle lies inside the frame.
    frame.wait_for_function("""() => {
        const circles = Array.from(document.querySelectorAll(".leaflet-overlay-pane path.leaflet-interactive"));
        return circles.length > 0 && circles.every((path) => {
            const box = path.getBoundingClientRect();
            return box.top >= 0 && box.left >= 0 && box.bottom <= innerHeight && box.right <= innerWidth;
        });
    }""")
    return frame


def click_map(page: Page, pixel: tuple[float, float]) -> None:
    box = page.locator(MAP_FRAME).bounding_box()
    page.mouse.click(box["x"] + pixel[0], box["y"] + pixel[1])


def test_map_draws_places_and_observations_without_internet(page):
    frame = page.frame_locator(MAP_FRAME)
    container = frame.locator("[data-places]")
    expect(container).to_have_attribute("data-places", str(PLACES))
    expect(container).to_have_attribute("data-observations-drawn", str(OBSERVATIONS))
    # Every place is a clickable circle (the boundary is drawn but takes no clicks) with its category on it.
    expect(frame.locator(".leaflet-overlay-pane path.leaflet-interactive")).to_have_count(PLACES)
    expect(frame.locator(".leaflet-overlay-pane path")).to_have_count(PLACES + 14)  # the example's 14 districts
    expect(frame.locator(".lb-symbol")).to_have_count(PLACES)
    expect(frame.locator(".lb-symbol", has_text="BE")).to_have_count(4)
    expect(page.locator(EXCEPTION)).to_have_count(0)
    assert any("tile.openstreetmap.org" in url for url in page.refused), "the tiles were asked for and refused"
    assert not page.uncaught_errors, page.uncaught_errors


def test_a_click_on_a_place_opens_its_card(page):
    frame = map_frame(page)
    click_map(page, frame.evaluate(TO_PIXEL, list(VASAPARKEN)))
    expect(page.locator("h3", has_text="Vasaparken")).to_be_visible()
    expect(page.locator(".st-key-map_place").get_by_role("combobox")).to_have_value("Vasaparken")
    main = page.locator('[data-testid="stMain"]')
    expect(main).to_contain_text("Mycket cannabisrökning i Vasaparken")
    expect(main).to_contain_text("Insats mot cannabisrökning")
    wait_for_script(page)
    expect(page.locator(EXCEPTION)).to_have_count(0)
    assert not page.uncaught_errors, page.uncaught_errors


def test_an_observation_recorded_at_a_clicked_point_appears_on_the_map(page):
    sign_in(page)  # recording takes a redaktör
    frame = map_frame(page)
    pixel = (260, 180)  # open ground north-west of the places
    assert frame.evaluate("([x, y]) => document.elementFromPoint(x, y).classList.contains('leaflet-interactive')",
                          list(pixel)) is False
    point = frame.evaluate(TO_LATLNG, list(pixel))
    assert frame.evaluate(CANVAS_PIXEL, point)[3] == 0, "no observation there yet"

    click_map(page, pixel)
    at_point = page.locator(".st-key-obs_at_point")
    expect(at_point).to_contain_text("Vid punkten jag klickade på kartan")
    wait_for_script(page)
    place = page.locator(".st-key-obs_place").get_by_role("combobox")
    place.click()
    place.press_sequentially("Bosättningar")
    place.press("Enter")
    category = page.locator(".st-key-obs_category").get_by_role("combobox")
    category.click()
    category.press_sequentially("bosättningar")
    category.press("Enter")
    page.locator(".st-key-obs_org input").fill("Parkmiljö")
    page.locator(".st-key-obs_text textarea").fill("Ny sovplats under buskage <b>norr</b> om lekplatsen.")
    page.locator(".st-key-obs_secrecy").get_by_text("öppen", exact=True).click()
    at_point.get_by_role("checkbox").check(force=True)
    page.locator(".st-key-obs_save button").click()

    main = page.locator('[data-testid="stMain"]')
    expect(main).to_contain_text("Iakttagelsen vid Bosättningar i parker och på förskolegårdar är sparad")
    wait_for_script(page)
    expect(page.locator(MAP_FRAME)).to_have_count(1)  # the map with new data replaces the old one
    drawn = page.frame_locator(MAP_FRAME).locator(f'[data-observations-drawn="{OBSERVATIONS + 1}"]')
    expect(drawn).to_be_attached()
    # The map pans to the place just chosen and redraws its canvas after moving: wait for the dot to be there,
    # in the point's 200 m square (views.partners.public_points), as the room's map shows an own point.
    frame = map_frame(page)
    square = list(snap_to_grid(*point))
    frame.wait_for_function(f"(point) => ({CANVAS_PIXEL})(point)[3] > 100", arg=square)
    red, green, blue, alpha = frame.evaluate(CANVAS_PIXEL, square)
    # A dot of the observation colour (give or take the canvas's premultiplied-alpha rounding).
    assert alpha > 100 and all(abs(a - b) <= 2 for a, b in zip((red, green, blue), OBSERVATION_RGB)), (red, green, blue, alpha)
    # The card of the place opens and lists it, as typed.
    expect(page.locator("h3", has_text="Bosättningar i parker")).to_be_visible()
    expect(main).to_contain_text("Ny sovplats under buskage <b>norr</b> om lekplatsen.")
    expect(main.locator("b", has_text="norr")).to_have_count(0)
    expect(page.locator(EXCEPTION)).to_have_count(0)
    assert not page.uncaught_errors, page.uncaught_errors


# Each place circle's centre on screen, and whether the circle itself is what a click there hits.
CIRCLES = """() => Array.from(document.querySelectorAll(".leaflet-overlay-pane path.leaflet-interactive")).map((path) => {
    const box = path.getBoundingClientRect();
    const x = box.left + box.width / 2, y = box.top + box.height / 2;
    return {x: x, y: y, hit: document.elementFromPoint(x, y) === path};
})"""


def test_every_place_is_readable_and_clickable_at_the_start_zoom(page):
    frame = map_frame(page)
    circles = frame.evaluate(CIRCLES)
    assert len(circles) == PLACES
    assert all(c["hit"] for c in circles), circles  # no circle hidden under another
    for i, a in enumerate(circles):
        for b in circles[i + 1:]:
            assert ((a["x"] - b["x"]) ** 2 + (a["y"] - b["y"]) ** 2) ** 0.5 >= 30, (a, b)  # 30 px = one circle
    assert int(frame.evaluate("document.querySelector('[data-places-spread]').dataset.placesSpread")) >= 2
    # The scale is metric only.
    scale = frame.locator(".leaflet-control-scale")
    expect(scale).to_have_count(1)
    assert "ft" not in scale.inner_text() and "mi" not in scale.inner_text()


EVERY_FILTER = ("period=eget&fran=2016-09-01&till=2016-12-31&kategori=alkohol%2Fnarkotika&status=bevakas"
                "&aktivitet=ffsp&omrade=Norrmalm&plats=Vasaparken&intern=ja")


def test_a_link_with_every_filter_reopens_that_view_and_a_broken_link_falls_back(page, server):
    sign_in(page)  # internal material takes a role that may see it
    page.goto(f"{server.url}/karta?{EVERY_FILTER}")
    main = page.locator('[data-testid="stMain"]')
    expect(page.locator("h3", has_text="Vasaparken")).to_be_visible()
    wait_for_script(page)
    expect(page.locator(".st-key-map_window").get_by_role("combobox")).to_have_value("Eget intervall")
    dates = page.locator('.st-key-map_dates input[type="date"]')
    expect(dates.first).to_have_value("2016-09-01")
    expect(dates.last).to_have_value("2016-12-31")
    for key, chosen in (("map_categories", "alkohol/narkotika"), ("map_status", "bevakas"),
                        ("map_forums", "Fält, fritid, socialtjänst och polis")):
        expect(page.locator(f".st-key-{key}")).to_contain_text(chosen)
    expect(page.locator(".st-key-map_place").get_by_role("combobox")).to_have_value("Vasaparken")
    expect(main).to_contain_text("Intern vy")
    expect(page.locator(".st-key-view_internal_toggle input")).to_be_checked()  # the sidebar's toggle says so too
    expect(page.frame_locator(MAP_FRAME).locator("[data-places]")).to_have_attribute("data-places", "1")
    assert "plats=Vasaparken" in page.url and "intern=ja" in page.url
    # The link to copy is the view's, in full.
    page.get_by_role("button", name="Kopiera länk").click()
    expect(page.locator('[data-testid="stCode"]')).to_contain_text(f"{server.url}/karta?{EVERY_FILTER[:40]}")

    page.goto(f"{server.url}/karta?period=vecka&kategori=graffiti&kategori=ungdomar&plats=Rivna%20torget")
    expect(main).to_contain_text("Tidsperioden i länken (vecka) finns inte; hela perioden visas.")
    expect(main).to_contain_text('Kategorin "graffiti" i länken finns inte')
    expect(main).to_contain_text('Platsen "Rivna torget" i länken finns inte; ingen plats är vald.')
    wait_for_script(page)
    expect(page.locator(".st-key-map_window").get_by_role("combobox")).to_have_value("Hela perioden")
    expect(page.locator(".st-key-map_categories")).to_contain_text("ungdomar")
    expect(page).to_have_url(f"{server.url}/karta?kategori=ungdomar")
    expect(page.locator(EXCEPTION)).to_have_count(0)
    assert not page.uncaught_errors, page.uncaught_errors
