"""Nothing breaks in front of people: crafted addresses and a broken database give Swedish messages, never a traceback."""
from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lagesbild import logs, params

APP = Path(__file__).resolve().parents[1] / "app.py"
CRAFTED = [{"ogonblick": "99999999999999999999"}, {"ogonblick": "²"}, {"bild": "²"}, {"bild": "99999999999999999999"},
           {"bild": "-3"}, {"datum": "9999-12-31"}, {"datum": "0001-01-01"}, {"datum": "igår"},
           {"datum": "9999-12-31", "bild": "2"}, {"datum": "0001-01-01", "bild": "99"}]


def page_text(at: AppTest) -> str:
    parts = [e.value for e in at.markdown] + [e.value for e in at.caption] + [e.value for e in at.title]
    for kind in ("error", "warning", "info", "success", "exception", "toast"):
        parts += [str(getattr(e, "value", "")) for e in at.get(kind)]
    parts += [h.proto.body for h in at.get("html")]
    return "\n".join(map(str, parts))


def assert_no_leak(at: AppTest) -> None:
    text = page_text(at)
    assert not at.exception, [e.message for e in at.exception]
    assert "Traceback" not in text
    assert "/work/" not in text and ".py" not in text and "sqlite" not in text.lower()


def open_meeting(query: dict[str, str]) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    at.switch_page("pages/radsmote.py")
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    return at


@pytest.mark.parametrize("query", CRAFTED, ids=lambda q: "&".join(f"{k}={v}" for k, v in q.items()))
def test_a_crafted_address_gives_a_page_or_a_swedish_notice(query):
    at = open_meeting(query)
    assert_no_leak(at)
    text = page_text(at)
    if "ogonblick" in query:
        assert "Den låsta lägesbilden finns inte." in text
    elif query.get("datum", "").startswith(("9999", "0001")):
        assert "ligger utanför det som går att visa" in text


def test_address_values_are_moved_to_the_nearest_valid_one():
    today = dt.date(2026, 12, 2)
    assert params.slide_number("²", 15) == 1
    assert params.slide_number("99999999999999999999", 15) == 15
    assert params.slide_number("0", 15) == 1 and params.slide_number("7", 15) == 7
    assert params.record_id("99999999999999999999") is None and params.record_id("12") == 12
    assert params.meeting_date("9999-12-31", today)[0] == dt.date(2031, 12, 2)
    assert params.meeting_date("0001-01-01", today)[0] == params.EARLIEST
    assert params.meeting_date("2016-12-14", today) == (dt.date(2016, 12, 14), None)
    assert params.meeting_date(None, today) == (None, None)


def broken_database_pages(monkeypatch, database: str) -> list[AppTest]:
    monkeypatch.setenv("LAGESBILD_DATABASE", database)
    opened = []
    for path in ("pages/oversikt.py", "pages/karta.py", "pages/radsmote.py"):
        at = AppTest.from_file(str(APP), default_timeout=60)
        at.run()
        if path != "pages/oversikt.py":
            at.switch_page(path).run()
        opened.append(at)
    return opened


def test_a_file_that_is_not_sqlite_gives_a_plain_message_on_every_page(tmp_path, monkeypatch):
    broken = tmp_path / "trasig.sqlite"
    broken.write_bytes(b"Det h\xe4r \xe4r ingen databas. " * 200)
    for at in broken_database_pages(monkeypatch, str(broken)):
        assert_no_leak(at)
        errors = [e.value for e in at.error]
        assert any(e.startswith("**Databasen kan inte läsas:** filen är ingen databas") and "kontakta administratören"
                   in e and "Referens" in e for e in errors), errors
        assert "trasig.sqlite" not in page_text(at)


def test_a_wrong_postgresql_password_gives_a_plain_message_without_host_or_user(monkeypatch):
    url = "postgresql+psycopg://lagesbild:fel-losenord@127.0.0.1:5432/postgres"
    for at in broken_database_pages(monkeypatch, url):
        assert_no_leak(at)
        text = page_text(at)
        assert "Databasen kan inte läsas:** databasservern godtog inte användarnamnet eller lösenordet" in text
        assert "127.0.0.1" not in text and "lagesbild:" not in text and "fel-losenord" not in text


class Collect(logging.Handler):
    def __init__(self):
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def logged():
    """The lines the operator's log gets during the test."""
    handler = Collect()
    log = logs.logger()
    log.addHandler(handler)
    yield handler.records
    log.removeHandler(handler)


def test_an_error_inside_a_page_shows_a_reference_and_logs_the_details(monkeypatch, logged):
    from lagesbild import cooperation

    def broken(*args, **kwargs):
        raise RuntimeError("hemlig detalj /srv/app/x.py")

    monkeypatch.setattr(cooperation, "follow_up", broken)
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    at.switch_page("pages/samverkan.py").run()
    assert_no_leak(at)
    error = next(e.value for e in at.error if "Något gick fel" in e.value)
    assert "hemlig detalj" not in page_text(at)
    reference = error.split("`")[1]
    assert len(reference) == 8
    line = next(r for r in logged if r.levelname == "ERROR")
    assert f"ref={reference}" in line.getMessage() and "type=RuntimeError" in line.getMessage()
    assert "hemlig detalj" in str(line.exc_info[1])  # the details are on the server, with the traceback


def test_showing_error_details_is_off():
    config = (Path(__file__).resolve().parents[1] / ".streamlit" / "config.toml").read_text()
    assert 'showErrorDetails = "none"' in config


def test_show_internal_material_stays_on_across_page_changes():
    from roles import as_role

    at = as_role(AppTest.from_file(str(APP), default_timeout=60), "intern")
    at.run()
    at.switch_page("pages/samverkan.py").run()
    at.toggle(key="view_internal_toggle").set_value(True).run()
    assert at.metric[0].value == "4 av 11"  # the internal meeting counts
    for page in ("pages/karta.py", "pages/samverkan.py"):
        at.switch_page(page).run()
        assert not at.exception
        assert at.toggle(key="view_internal_toggle").value is True
    assert at.metric[0].value == "4 av 11"
    at.toggle(key="view_internal_toggle").set_value(False).run()
    assert at.metric[0].value == "3 av 11"


def test_every_write_is_one_log_line_with_who_and_what_and_no_text(engine, logged):
    import datetime as dt

    from lagesbild import audit, places
    from roles import actor

    new_id = places.add_observation(engine, "Odenplan", dt.date(2016, 12, 1), "annat", "SL",
                                    "Hemlig fritext om en händelse.", "öppen", today=dt.date(2017, 1, 1),
                                    by=actor("redaktör"))
    audit.remove(engine, "observation", new_id, actor("redaktör"))
    lines = [r.getMessage() for r in logged if r.getMessage().startswith("write ")]
    assert lines == [f"write user=test.redaktör role=redaktör action=ny table=observation id={new_id}",
                     f"write user=test.redaktör role=redaktör action=borttagen table=observation id={new_id}"]
    assert not any("Hemlig fritext" in r.getMessage() for r in logged)


def test_a_write_that_is_rolled_back_is_not_logged(engine, logged):
    import datetime as dt

    from lagesbild import places
    from lagesbild.problems import InputError
    from roles import actor

    with pytest.raises(InputError):
        places.add_observation(engine, "Odenplan", dt.date(2016, 12, 1), "annat", "", "", "öppen",
                               today=dt.date(2017, 1, 1), by=actor("redaktör"))
    assert not [r for r in logged if r.getMessage().startswith("write ")]
