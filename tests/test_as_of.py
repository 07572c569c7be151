""""Läget per": one date the whole dashboard speaks for, the example meeting's day while only example data is stored."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

from lagesbild import asof, cooperation, db, places
from lagesbild.views.deck import build_deck, default_meeting_date
from lagesbild.audit import Actor

APP = Path(__file__).resolve().parents[1] / "app.py"
EDITOR = Actor("test.redaktor", "redaktör")
EXAMPLE_DAY = dt.date(2016, 12, 14)
PAGES = ["pages/oversikt.py", "pages/karta.py", "pages/medborgarloften.py", "pages/samverkan.py", "pages/radsmote.py"]


def everything_read(at: AppTest) -> str:
    """The page's text as a reader sees it: Markdown, captions, headings, metrics and our own HTML."""
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [s.value for s in at.subheader]
    parts += [f"{m.label} {m.value}" for m in at.metric] + [h.proto.body for h in at.get("html")]
    plain = re.sub(r"<[^>]+>", " ", "\n".join(parts)).replace("**", "")
    return re.sub(r"\\(.)", r"\1", plain)


def open_page(page: str, **params: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    if page != "pages/oversikt.py":
        at.switch_page(page)
        at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_the_rule_example_day_with_only_example_data_today_otherwise(engine, tmp_path):
    today = dt.date(2026, 3, 1)
    assert asof.only_example_data(engine)
    assert asof.as_of(engine, None, today) == EXAMPLE_DAY
    assert asof.as_of(engine, dt.date(2017, 6, 30), today) == dt.date(2017, 6, 30)  # a chosen date wins
    assert asof.as_of(db.connect(str(tmp_path / "empty.sqlite")), None, today) == today
    # Anything typed in makes the data real: the dashboard speaks for today.
    places.add_observation(engine, "Vasaparken", dt.date(2017, 1, 10), "ungdomar", "Polisen", "Oro.", "öppen",
                           by=EDITOR)
    assert not asof.only_example_data(engine) and asof.as_of(engine, None, today) == today


def test_since_last_meeting_counts_from_the_meeting_before_the_day(engine):
    meetings = cooperation.load_meetings(engine)
    assert asof.previous_council_meeting(meetings, EXAMPLE_DAY) == dt.date(2016, 6, 15)
    assert asof.previous_council_meeting(meetings, dt.date(2017, 1, 1)) == EXAMPLE_DAY


def test_overview_pledges_page_and_the_pledge_slide_agree_on_the_example_day(engine):
    said = "Löftesåret 2017 har inte börjat än."
    overview = everything_read(open_page("pages/oversikt.py"))
    pledges_page = everything_read(open_page("pages/medborgarloften.py"))
    deck = build_deck(engine, default_meeting_date(engine, dt.date.today()), 41)
    slide = next(s for s in deck.slides if s.kind == "medborgarloften")
    assert slide.number == 17 and said in deck.all_text() and "status 2016-12-14" in slide.subtitle
    for text in (overview, pledges_page):
        assert said in text and "Läget per 2016-12-14" in text
        assert not re.search(r"Ej uppfyllt|Efter plan|I fas\b", text)


def test_a_date_in_the_address_is_followed_by_every_page_and_every_slide():
    for page in PAGES:
        text = everything_read(open_page(page, datum="2018-01-15"))
        assert "Läget per 2018-01-15" in text, page
    assert "Ej uppfyllt" in everything_read(open_page("pages/oversikt.py", datum="2018-01-15"))
    slides = open_page("pages/radsmote.py", datum="2018-01-15", bild="17")
    assert "Ej uppfyllt" in everything_read(slides) and "status 2018-01-15" in everything_read(slides)


def test_the_sidebar_date_is_kept_from_page_to_page():
    at = open_page("pages/oversikt.py")
    assert at.date_input(key="as_of_input").value == EXAMPLE_DAY
    at.date_input(key="as_of_input").set_value(dt.date(2017, 6, 30)).run()
    assert "Läget per 2017-06-30" in everything_read(at) and "Efter plan" in everything_read(at)
    for page in PAGES[1:]:
        at.switch_page(page)
        at.run()
        assert not at.exception
        assert "Läget per 2017-06-30" in everything_read(at), page
