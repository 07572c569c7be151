"""Serve the map's Leaflet scripts and stylesheets from the app's own static folder instead of CDNs."""
from __future__ import annotations

import warnings
from pathlib import Path

import folium
import folium.plugins
from branca.colormap import ColorMap
from branca.element import CssLink, Element, Figure, JavascriptLink, MacroElement
from folium.template import Template

# Streamlit serves <repo>/static/ at /app/static/ when server.enableStaticServing = true.
STATIC_DIR = Path(__file__).resolve().parents[1] / "static"
# Absolute, because the map runs in streamlit-folium's iframe at /component/...; behind
# server.baseUrlPath = "x" pass static_url="/x/app/static" to local_assets.
STATIC_URL = "/app/static"

_LEAFLET = "vendor/leaflet/1.9.3"
_CLUSTER = "vendor/leaflet.markercluster/1.1.0"
# The CDN addresses folium 0.20.0 uses (Map and MarkerCluster/FastMarkerCluster), and the copy under STATIC_DIR.
VENDORED: dict[str, str] = {
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js": f"{_LEAFLET}/leaflet.js",
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css": f"{_LEAFLET}/leaflet.css",
    # folium.Popup and GeoJson(embed=False) use jQuery.
    "https://code.jquery.com/jquery-3.7.1.min.js": "vendor/jquery/3.7.1/jquery.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/leaflet.markercluster.js":
        f"{_CLUSTER}/leaflet.markercluster.js",
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/MarkerCluster.css":
        f"{_CLUSTER}/MarkerCluster.css",
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/MarkerCluster.Default.css":
        f"{_CLUSTER}/MarkerCluster.Default.css",
}
# Left out on purpose: only awesome markers need them (folium.Icon, refused; FastMarkerCluster's default, replaced).
DROPPED: frozenset[str] = frozenset({
    "https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/js/bootstrap.bundle.min.js",
    "https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/css/bootstrap.min.css",
    "https://netdna.bootstrapcdn.com/bootstrap/3.0.0/css/bootstrap-glyphicons.css",
    "https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@6.2.0/css/all.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.js",
    "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.css",
    "https://cdn.jsdelivr.net/gh/python-visualization/folium/folium/templates/leaflet.awesome.rotate.min.css",
})
# Referenced from leaflet.css (relative) and by the icon path set below, not by a CDN address.
_LEAFLET_IMAGES = tuple(f"{_LEAFLET}/images/{name}" for name in (
    "marker-icon.png", "marker-icon-2x.png", "marker-shadow.png", "layers.png", "layers-2x.png"))
_ICON_PATH_NAME = "local_assets_icon_path"
# FastMarkerCluster's default callback draws awesome markers; the replacement draws Leaflet's default marker.
_AWESOME_CALLBACK = folium.plugins.FastMarkerCluster([]).callback
_DEFAULT_MARKER_CALLBACK = "var callback = function (row) { return L.marker(new L.LatLng(row[0], row[1])); };"


class _IconPath(MacroElement):
    """Sets Leaflet's default-marker image folder before any marker exists (streamlit-folium issue #275)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
            L.Icon.Default.imagePath = {{ this.path|tojson }};
        {% endmacro %}
    """)

    def __init__(self, path: str) -> None:
        super().__init__()
        self._name = "IconPath"
        self.path = path

    def render(self, **kwargs) -> None:
        """First in the page script too, even if an earlier render already placed the markers' scripts."""
        figure = self.get_root()
        if isinstance(figure, Figure):
            script = Element(self._template.module.script(self, kwargs))
            figure.script.add_child(script, name=self.get_name(), index=0)


def local_url(url: str, static_url: str = STATIC_URL) -> str | None:
    """The app's own address for a folium CDN address; None when the asset is to be left out."""
    if url in VENDORED:
        return f"{static_url.rstrip('/')}/{VENDORED[url]}"
    if url.startswith(f"{static_url.rstrip('/')}/"):
        return url
    if url not in DROPPED:
        warnings.warn(f"map_assets: unknown map asset {url} left out (vendor it under static/)", stacklevel=2)
    return None


def _walk(element: Element):
    yield element
    for child in element._children.values():
        yield from _walk(child)


def _localise(links: list[tuple[str, str]], static_url: str) -> list[tuple[str, str]]:
    return [(name, local) for name, url in links if (local := local_url(url, static_url)) is not None]


def local_assets(m: folium.Map, static_url: str = STATIC_URL) -> folium.Map:
    """Point the map and every element in it at the vendored copies and drop every other external script/stylesheet.

    Call it last, after all layers are added and just before st_folium(m, ...) or m.get_root().render().
    FastMarkerCluster's default awesome-marker pins become Leaflet's default marker. Raises ValueError for
    elements that cannot work offline: folium.Icon, other awesome-marker callbacks, branca colormaps/legends.
    """
    for element in _walk(m):
        if isinstance(element, folium.plugins.FastMarkerCluster) and element.callback == _AWESOME_CALLBACK:
            element.callback = _DEFAULT_MARKER_CALLBACK
        if (isinstance(element, (folium.Icon, ColorMap))
                or "L.AwesomeMarkers" in str(getattr(element, "callback", ""))):
            raise ValueError(f"{type(element).__name__} needs assets from the internet; use CircleMarker "
                             "or the default marker, and draw legends in Streamlit")
        # Instance attributes: folium's default_js/default_css are class lists shared by every map.
        if hasattr(element, "default_js"):
            element.default_js = _localise(element.default_js, static_url)
        if hasattr(element, "default_css"):
            element.default_css = _localise(element.default_css, static_url)
    # Links a previous render already put into the page header.
    root = m.get_root()
    if isinstance(root, Figure):
        for name, child in list(root.header._children.items()):
            if isinstance(child, (JavascriptLink, CssLink)):
                local = local_url(child.url, static_url)
                if local is None:
                    del root.header._children[name]
                else:
                    child.url = local
    # First child, so the path is set before any marker is drawn.
    m.add_child(_IconPath(f"{static_url.rstrip('/')}/{_LEAFLET}/images/"), name=_ICON_PATH_NAME, index=0)
    return m


def vendored_files() -> list[Path]:
    """Every file under STATIC_DIR that local_assets points the browser at (directly or through leaflet.css)."""
    return [STATIC_DIR / relative for relative in (*VENDORED.values(), *_LEAFLET_IMAGES)]
