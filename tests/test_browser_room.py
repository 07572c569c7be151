"""The laptop, the projector and the language, in a real browser: every word Swedish, the main chart and map in
the first screen at 1366×768, and every slide inside 1280×720 and 1920×1080."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from test_browser import (EXCEPTION, MAP_FRAME, PAGES, REFUSED, StreamlitServer, browser,  # noqa: F401
                          free_ports, open_page, wait_for_script)

# Streamlit's own English that a user of these pages could meet; each is replaced or avoided in the app.
ENGLISH = ["Upload", "Browse files", "Drag and drop", "per file", "Select all", "Choose an option",
           "Choose options", "view more", "No results", "No options", "Add:", "File must be", "Please wait",
           "Running", "Made with Streamlit", "Deploy"]
# Text a reader can see: text nodes that are drawn (not font-size 0, not hidden), and input placeholders.
VISIBLE_TEXT = """() => {
    const out = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
        const node = walker.currentNode, parent = node.parentElement;
        if (!node.textContent.trim() || !parent || parent.closest("script, style")) continue;
        const style = getComputedStyle(parent);
        if (style.fontSize === "0px" || style.visibility === "hidden" || !parent.getClientRects().length) continue;
        out.push(node.textContent.trim());
    }
    document.querySelectorAll("input[placeholder], textarea[placeholder]").forEach((e) => {
        if (e.getClientRects().length) out.push(e.placeholder);
    });
    return out.join("\\n");
}"""
LAPTOP = (1366, 768)
SLIDE_SIZES = [(1280, 720), (1920, 1080)]
SLIDES = 18
# The bottom of the slide's own content (everything but the fixed navigation bar) and the bar's top.
SLIDE_EXTENT = """() => {
    const nav = document.querySelector(".st-key-slide_nav");
    const parts = Array.from(document.querySelectorAll('[data-testid="stMain"] [data-testid="stElementContainer"]'))
        .filter((e) => !nav.contains(e) && e.getBoundingClientRect().height > 0);
    return {bottom: Math.max(...parts.map((e) => e.getBoundingClientRect().bottom)),
            navTop: nav.getBoundingClientRect().top,
            right: Math.max(...parts.map((e) => e.getBoundingClientRect().right)), width: window.innerWidth};
}"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    started = StreamlitServer(free_ports(1)[0], tmp_path_factory.mktemp("server-room"))
    yield started
    started.stop()


def open_at(server, browser, size, path: str) -> Page:  # noqa: F811
    server.wait_until_healthy()
    page = open_page(browser, *size)
    page.goto(f"{server.url}/{path}")
    expect(page.locator("h1").first).to_be_visible()
    wait_for_script(page)
    expect(page.locator(EXCEPTION)).to_have_count(0)
    return page


@pytest.mark.parametrize("path", [p for p, _ in PAGES if p not in REFUSED])
def test_every_word_is_swedish(server, browser, path):  # noqa: F811
    page = open_at(server, browser, LAPTOP, path)
    try:
        expect(page.locator("html")).to_have_attribute("lang", "sv")
        text = page.evaluate(VISIBLE_TEXT)
        assert [word for word in ENGLISH if word in text] == []
    finally:
        page.context.close()


@pytest.mark.parametrize("path, main", [("trender", '[data-testid="stVegaLiteChart"]'), ("karta", MAP_FRAME)])
def test_the_main_chart_or_map_starts_in_the_first_screen_on_a_laptop(server, browser, path, main):  # noqa: F811
    page = open_at(server, browser, LAPTOP, path)
    try:
        expect(page.locator(main).first).to_be_visible()
        if path == "karta":  # the map has drawn its places: the layout above it is final
            expect(page.frame_locator(MAP_FRAME).locator("[data-places]")).to_be_attached()
        wait_for_script(page)
        box = page.locator(main).first.bounding_box()
        # Starts in the first screen, with at least a third of the screen of it showing.
        assert box["y"] + LAPTOP[1] / 3 <= LAPTOP[1], box
    finally:
        page.context.close()


def settled_extent(page) -> dict:
    """The slide's extent once two readings 0.2 s apart agree: on a busy machine a chart may still be laid out."""
    extent = page.evaluate(SLIDE_EXTENT)
    for _ in range(15):
        page.wait_for_timeout(200)
        if (again := page.evaluate(SLIDE_EXTENT)) == extent:
            break
        extent = again
    return extent


@pytest.mark.parametrize("size", SLIDE_SIZES, ids=[f"{w}x{h}" for w, h in SLIDE_SIZES])
def test_every_slide_fits_the_screen(server, browser, size):  # noqa: F811
    page = open_at(server, browser, size, "radsmote?datum=2016-12-14&bild=1")
    try:
        for number in range(1, SLIDES + 1):
            page.goto(f"{server.url}/radsmote?datum=2016-12-14&bild={number}")
            expect(page.locator(".st-key-slide_nav")).to_contain_text(f"{number} / {SLIDES}")
            wait_for_script(page)
            page.wait_for_function("() => !document.querySelector('.vega-embed') || "
                                   "document.querySelector('.vega-embed svg, .vega-embed canvas')")
            extent = settled_extent(page)
            assert extent["bottom"] <= extent["navTop"] + 1, (number, extent)
            assert extent["right"] <= extent["width"], (number, extent)
            expect(page.locator('[data-testid="stElementToolbar"]:visible')).to_have_count(0)
    finally:
        page.context.close()
