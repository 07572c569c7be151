"""The map loads every script and stylesheet from the app's static folder, never from a CDN."""
from __future__ import annotations

import re

import branca.colormap
import folium
import folium.plugins
import pytest
import streamlit_folium

from lagesbild import map_assets
from lagesbild.map_assets import STATIC_DIR, STATIC_URL, local_assets, vendored_files

POINTS = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {"namn": "Torget"}, "geometry": {"type": "Point", "coordinates": [18.06, 59.33]}},
    {"type": "Feature", "properties": {"namn": "Parken"},
     "geometry": {"type": "Polygon", "coordinates": [[[18.0, 59.3], [18.1, 59.3], [18.1, 59.4], [18.0, 59.3]]]}},
]}


def example_map(tiles: str | None = None) -> folium.Map:
    # maxZoom (camelCase) reaches L.map; folium's max_zoom only reaches a tile layer, and clusters need one of them.
    m = folium.Map(location=[59.33, 18.06], zoom_start=12, tiles=tiles, maxZoom=18)
    folium.GeoJson(POINTS, name="Platser", marker=folium.CircleMarker(radius=7, fill=True),
                   tooltip=folium.GeoJsonTooltip(["namn"]), popup=folium.GeoJsonPopup(["namn"])).add_to(m)
    folium.plugins.FastMarkerCluster([[59.33 + i / 1000, 18.06] for i in range(50)], name="Kluster").add_to(m)
    folium.CircleMarker([59.34, 18.07], radius=5, popup="Hej").add_to(m)
    folium.Marker([59.32, 18.05]).add_to(m)  # default Leaflet icon
    folium.LayerControl().add_to(m)
    return m


def links(html: str) -> list[str]:
    """Addresses of <script src> and <link href> in the page (tile addresses live in the JS and are fine)."""
    return re.findall(r'<script[^>]*\ssrc="([^"]*)"', html) + re.findall(r'<link[^>]*\shref="([^"]*)"', html)


def local_file(url: str):
    assert url.startswith(STATIC_URL + "/"), url
    return STATIC_DIR / url.removeprefix(STATIC_URL + "/")


def st_folium_args(m: folium.Map, monkeypatch) -> dict:
    """What streamlit-folium sends to its iframe, which loads js_links and css_links itself."""
    sent: dict = {}
    monkeypatch.setattr(streamlit_folium, "_component_func", lambda **kwargs: sent.update(kwargs))
    streamlit_folium.st_folium(m, returned_objects=[], height=500)
    return sent


@pytest.mark.parametrize("render_first", [False, True])
def test_rendered_map_loads_only_local_files_that_exist(render_first):
    m = example_map(tiles="OpenStreetMap")
    if render_first:  # a render before local_assets already put CDN links into the page header
        m.get_root().render()
    html = local_assets(m).get_root().render()
    found = links(html)
    assert found, "expected script and stylesheet links"
    assert not [url for url in found if re.match(r"(https?:)?//", url)], found
    for url in found:
        assert local_file(url).is_file(), url
    assert "leaflet.js" in html and "leaflet.markercluster.js" in html and "jquery.min.js" in html


def test_streamlit_folium_gets_only_local_links(monkeypatch):
    sent = st_folium_args(local_assets(example_map()), monkeypatch)
    assert sent["js_links"] == [f"{STATIC_URL}/vendor/leaflet/1.9.3/leaflet.js",
                                f"{STATIC_URL}/vendor/jquery/3.7.1/jquery.min.js",
                                f"{STATIC_URL}/vendor/leaflet.markercluster/1.1.0/leaflet.markercluster.js"]
    assert len(sent["css_links"]) == 3
    for url in sent["js_links"] + sent["css_links"]:
        assert local_file(url).is_file(), url
    assert "https://" not in sent["header"] and "http://" not in sent["header"]
    assert "AwesomeMarkers" not in sent["script"]  # its script is dropped, so any use would stop the map


def test_default_marker_icon_path_is_set_before_the_first_marker(monkeypatch):
    script = st_folium_args(local_assets(example_map()), monkeypatch)["script"]
    path = f'L.Icon.Default.imagePath = "{STATIC_URL}/vendor/leaflet/1.9.3/images/";'
    assert path in script
    assert script.index("L.map(") < script.index(path) < script.index("L.marker(")
    assert (STATIC_DIR / "vendor/leaflet/1.9.3/images/marker-icon.png").is_file()


def test_fast_marker_cluster_default_pins_become_leaflet_default_markers():
    html = local_assets(example_map()).get_root().render()
    assert "AwesomeMarkers" not in html
    assert "return L.marker(new L.LatLng(row[0], row[1]));" in html


def test_folium_cdn_addresses_are_all_vendored_or_dropped_on_purpose():
    """Fails after a folium upgrade that changes an address: vendor the new version (static/vendor/README.md)."""
    used = {url for cls in (folium.Map, folium.plugins.MarkerCluster, folium.plugins.FastMarkerCluster)
            for _, url in [*cls.default_js, *cls.default_css]}
    assert used == set(map_assets.VENDORED) | map_assets.DROPPED


def test_every_mapped_file_is_vendored_with_its_licence_and_nothing_bulky():
    for path in vendored_files():
        assert path.is_file() and path.stat().st_size > 0, path
    for licence in ("leaflet/1.9.3/LICENSE", "leaflet.markercluster/1.1.0/MIT-LICENCE.txt", "jquery/3.7.1/LICENSE.txt"):
        assert (STATIC_DIR / "vendor" / licence).is_file(), licence
    files = [p for p in (STATIC_DIR / "vendor").rglob("*") if p.is_file()]
    assert not [p for p in files if p.suffix == ".map" or p.name.endswith("-src.js")]
    assert sum(p.stat().st_size for p in files) < 500_000


def test_local_assets_changes_this_map_only_and_can_run_twice():
    m = local_assets(local_assets(example_map()))
    assert folium.Map.default_js[0][1].startswith("https://")  # shared class list untouched
    assert all(url.startswith(STATIC_URL) for _, url in m.default_js)
    assert m.get_root().render().count("L.Icon.Default.imagePath") == 1


def test_unknown_cdn_address_is_dropped_with_a_warning():
    m = example_map()
    folium.plugins.Fullscreen().add_to(m)
    with pytest.warns(UserWarning, match="unknown map asset"):
        local_assets(m)
    html = m.get_root().render()
    assert "Control.FullScreen" not in " ".join(links(html))
    assert not [url for url in links(html) if not url.startswith(STATIC_URL)]


def test_other_static_address_for_a_base_url_path():
    html = local_assets(example_map(), static_url="/lagesbild/app/static/").get_root().render()
    assert all(url.startswith("/lagesbild/app/static/vendor/") for url in links(html))


@pytest.mark.parametrize("add", [
    lambda m: folium.Marker([59.3, 18.0], icon=folium.Icon(color="red")).add_to(m),
    lambda m: branca.colormap.LinearColormap(["red", "blue"]).add_to(m),
    lambda m: folium.plugins.FastMarkerCluster([[59.3, 18.0]], callback="function (row) {"
                                               " return L.marker(row, {icon: L.AwesomeMarkers.icon()}); }").add_to(m),
])
def test_elements_that_need_the_internet_are_refused(add):
    m = example_map()
    add(m)
    with pytest.raises(ValueError, match="needs assets from the internet"):
        local_assets(m)


def test_the_karta_map_loads_only_local_files(engine, monkeypatch):
    from lagesbild import areas, places
    from lagesbild.views import maps

    observations = places.load_observations(engine)
    frame = places.with_categories(places.load_places(engine), observations)
    m = maps.place_map(frame, areas.load_boundaries(engine), "OpenStreetMap", observations)
    sent = st_folium_args(m, monkeypatch)
    assert sent["js_links"] and sent["css_links"]
    for url in sent["js_links"] + sent["css_links"]:
        assert local_file(url).is_file(), url
    assert not re.search(r"(src|href)=\"(https?:)?//", sent["header"] + sent["html"])
    # Only the tiles come from outside; without a network they fail and the boundary and places still draw.
    hosts = {re.sub(r"^https?://", "", url).split("/")[0] for url in re.findall(r"https?://[^\"'\s\\]+", sent["script"])}
    assert hosts == {"tile.openstreetmap.org", "www.openstreetmap.org"}, hosts  # tiles and the attribution link
