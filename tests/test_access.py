"""Who may see and change what: every role against every page and every action, and the sign-in."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import app
import ui
from lagesbild import agenda, areas, audit, auth, cooperation, places, pledges, snapshots, surveys
from lagesbild.views.deck import build_deck
from lagesbild.auth import NotAllowed
from lagesbild.config import load_settings
from roles import actor

APP = Path(__file__).resolve().parents[1] / "app.py"
TODAY = dt.date(2017, 3, 1)
NOW = dt.datetime(2017, 3, 1, 10, 0)
OBS_CSV = ("plats;datum;kategori;organisation;beskrivning;sekretess\n"
           "Odenplan;2016-12-01;annat;SL;Klotter.;öppen\n").encode()
SURVEY_CSV = ("undersökning;år;område;grupp;indikator;andel;antal_svar\n"
              "Medborgarundersökningen;2016;Norrmalm;Alla;trygg_kvall;61,0;398\n").encode()
BOUNDARY = (b'{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"namn": "Norrmalm"}, '
            b'"geometry": {"type": "Polygon", "coordinates": [[[18.03, 59.32], [18.09, 59.32], [18.09, 59.35], '
            b'[18.03, 59.32]]]}}]}')


def _first_observation(engine) -> int:
    return int(places.load_observations(engine)["id"].iloc[0])


def _removed_observation(engine) -> int:
    observation_id = _first_observation(engine)
    audit.remove(engine, "observation", observation_id, actor("redaktör"))
    return observation_id


# Every write and every guarded read in the data layer, by the action in auth.PERMISSIONS it needs.
CASES = {
    "add_observation": ("registrera", lambda e, by: places.add_observation(
        e, "Odenplan", dt.date(2017, 2, 1), "annat", "SL", "Klotter.", "öppen", today=TODAY, by=by)),
    "add_action": ("registrera", lambda e, by: places.add_action(
        e, "Odenplan", dt.date(2017, 2, 1), "Polisen", "Patrull.", "genomförd", "öppen", today=TODAY, by=by)),
    "add_place": ("registrera", lambda e, by: places.add_place(
        e, "Tegnérlunden", 59.33786, 18.05865, "Norrmalm", None, "ny", None, by=by)),
    "add_progress": ("registrera", lambda e, by: pledges.add_progress(
        e, int(pledges.load_pledges(e)["id"].iloc[0]), dt.date(2017, 2, 1), "Insats.", 1, "öppen", TODAY, by=by)),
    "add_meeting": ("registrera", lambda e, by: cooperation.add_meeting(
        e, "radet", dt.date(2017, 2, 1), "Möte.", "", "öppen", TODAY, by=by)),
    "add_answer": ("registrera", lambda e, by: agenda.add_answer(e, TODAY, "SL", "Lugnt.", "", "", NOW, by=by)),
    "update_place": ("redigera", lambda e, by: places.update_place(
        e, "Odenplan", "bevakas", "Lugnt.", None, "", today=TODAY, by=by)),
    "update_observation": ("redigera", lambda e, by: places.update_observation(
        e, _first_observation(e), 1, dt.date(2016, 12, 1), "annat", "SL", "Rättad.", "öppen", today=TODAY, by=by)),
    "save_agenda": ("redigera", lambda e, by: agenda.save_agenda(e, agenda.load_agenda(e), by=by)),
    "load_default_agenda": ("redigera", lambda e, by: agenda.load_default_agenda(e, by=by)),
    "remove": ("ta_bort", lambda e, by: audit.remove(e, "observation", _first_observation(e), by)),
    "delete_answer": ("ta_bort", lambda e, by: agenda.delete_answer(
        e, agenda.add_answer(e, TODAY, "SL", "Lugnt.", "", "", NOW, by=actor("redaktör")), by=by)),
    "lock": ("låsa_lägesbild", lambda e, by: snapshots.lock(e, build_deck(e, TODAY, 41), NOW, by=by)),
    "import_observations": ("importera", lambda e, by: places.import_observations(
        e, "obs.csv", places.read_observations("obs.csv", OBS_CSV), by=by)),
    "import_places": ("importera", lambda e, by: places.import_places(
        e, "p.csv", places.read_places("p.csv", "namn;lat;lon;område;status\nNy plats;59,34;18,05;Norrmalm;ny\n"
                                       .encode()), by=by)),
    "import_extract": ("importera", lambda e, by: surveys.import_extract(
        e, surveys.read_extract("u.csv", SURVEY_CSV), by=by)),
    "import_boundaries": ("importera", lambda e, by: areas.import_boundaries(
        e, "g.geojson", areas.read_boundaries("g.geojson", BOUNDARY), by=by)),
    "restore": ("återställa", lambda e, by: audit.restore(e, "observation", _removed_observation(e), by)),
    "load_removed": ("återställa", lambda e, by: audit.load_removed(e, by)),
    "load_log": ("läsa_logg", lambda e, by: audit.load_log(e, by)),
}


def test_every_write_action_in_the_table_has_a_case():
    # The three left are the command line's (konto, backup, restore), run by whoever holds the server.
    # räkna_på_fil guards a page control only (nothing is stored): test_trender checks it.
    assert {action for action, _ in CASES.values()} == set(auth.ACTIONS) - {
        "se_öppet", "se_internt", "hantera_konton", "ändra_inställningar", "säkerhetskopiera", "räkna_på_fil",
        "skicka_in"}  # issue #16: tests/test_partners.py's CASES, to be merged here


@pytest.mark.parametrize("role", auth.ROLES)
@pytest.mark.parametrize("case", list(CASES))
def test_every_role_against_every_action_in_the_data_layer(engine, role, case):
    action, call = CASES[case]
    if auth.allowed(role, action):
        call(engine, actor(role))
    else:
        with pytest.raises(NotAllowed) as caught:
            call(engine, actor(role))
        assert "får du inte" in str(caught.value)


# --- pages -------------------------------------------------------------------------------------------------

def has_button(at: AppTest, key: str) -> bool:
    return any(b.key == key for b in at.button)


# Which controls on which page belong to which action.
CONTROLS = {
    "pages/karta.py": {"obs_save": "registrera", "new_save": "registrera", "remove_go": "ta_bort"},
    "pages/medborgarloften.py": {"progress_save": "registrera"},
    "pages/samverkan.py": {"meeting_save": "registrera", "meeting_remove_go": "ta_bort"},
    "pages/radsmote.py": {"agenda_save": "redigera"},
}
GUARDED_PAGES = [(path, needs) for path, _, _, needs in app.PAGES if needs]


@pytest.mark.parametrize("role", auth.ROLES)
@pytest.mark.parametrize("path, needs", GUARDED_PAGES)
def test_a_guarded_page_opens_only_for_its_roles_and_refuses_in_swedish(app_test, role, path, needs):
    at = app_test(path, role)
    refused = [e.value for e in at.error if "får du inte" in e.value]
    if auth.allowed(role, needs):
        assert not refused
        assert len(at.main.children) > 3
    else:
        assert refused == [auth.refusal(role, needs)]
        assert not at.get("file_uploader") and not at.dataframe  # nothing of the page itself


@pytest.mark.parametrize("role", auth.ROLES)
@pytest.mark.parametrize("path", CONTROLS)
def test_forms_show_only_to_roles_that_may_use_them(app_test, role, path):
    at = app_test(path, role)
    assert {key: has_button(at, key) for key in CONTROLS[path]} == \
        {key: auth.allowed(role, needs) for key, needs in CONTROLS[path].items()}


def test_the_menu_hides_pages_a_role_may_not_use():
    for role in auth.ROLES:
        visible = app.visible_titles(role)
        assert ("Data" in visible) == ("Logg" in visible) == (role == "administratör")
        assert {"Översikt", "Trender", "Karta", "Medborgarlöften", "Samverkan", "Rådsmöte"} <= set(visible)


@pytest.mark.parametrize("role, internal, shown", [
    ("publik", True, False), ("intern", False, False), ("intern", True, True), ("administratör", True, True)])
def test_internal_material_shows_only_to_a_role_that_may_and_asks(app_test, role, internal, shown):
    # A "crafted" toggle value from the public changes nothing: the role decides.
    at = app_test("pages/samverkan.py", role, internal)
    assert at.metric[0].value == ("4 av 11" if shown else "3 av 11")


def test_the_meeting_view_never_shows_internal_material_whatever_the_role(engine, app_test):
    internal = "planeringen av en insats"  # an internal meeting in the example data
    assert internal in " ".join(cooperation.load_meetings(engine, include_internal=True)["done"])
    at = app_test("pages/radsmote.py", "administratör", internal=True)
    shown = []
    for number in range(1, 16):  # every slide of the example agenda
        at.query_params["bild"] = str(number)
        at.run()
        assert not at.exception
        shown.append("".join(h.proto.body for h in at.get("html")))
    assert "Laget runt" in "".join(shown) and internal not in "".join(shown)


# --- sign-in -----------------------------------------------------------------------------------------------

@pytest.fixture
def accounts(monkeypatch, clock) -> dict:
    monkeypatch.setattr(auth, "SCRYPT_COST", {"n": 2**4, "r": 8, "p": 1})  # the real cost takes a second
    # The server's sign-in throttle on a clock that stands still: the second try comes within the wait
    # however slow the machine is.
    throttle = auth.SignInThrottle(clock)
    monkeypatch.setattr(ui, "_throttle", lambda: throttle)
    return {"anna.andersson": {"roll": "redaktör", "namn": "Anna Andersson",
                               "losenordshash": auth.hash_password("rätt lösenord 1")}}


def sign_in_again(at: AppTest, username: str, password: str) -> AppTest:
    at.text_input(key="signin_user").input(username)
    at.text_input(key="signin_password").input(password)
    next(b for b in at.button if b.label == "Logga in").click()
    return at.run()


def signed_in_page(accounts: dict, username: str, password: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.secrets["konton"] = accounts
    at.run()
    sign_in_again(at, username, password)
    assert not at.exception, [e.message for e in at.exception]
    return at


def sidebar_text(at: AppTest) -> str:
    return "\n".join(m.value for m in at.sidebar.markdown)


def test_a_local_account_signs_in_gets_its_role_and_signs_out(accounts):
    at = signed_in_page(accounts, "Anna.Andersson", "rätt lösenord 1")
    assert "Roll: **redaktör**" in sidebar_text(at)
    at.switch_page("pages/karta.py").run()
    assert has_button(at, "obs_save")
    at.button(key="signout").click().run()
    assert "Roll:" not in sidebar_text(at)
    assert not has_button(at, "obs_save")


def test_a_broken_sign_in_key_gives_a_swedish_message_not_a_traceback(accounts, monkeypatch, tmp_path):
    import logging

    from lagesbild import logs

    (tmp_path / "nyckel").touch()  # left empty: the process that made it died before writing
    monkeypatch.setenv("LAGESBILD_SESSION_KEY_FILE", str(tmp_path / "nyckel"))
    monkeypatch.setattr(auth, "KEY_WAIT_TRIES", 1)
    seen: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = seen.append
    logs.logger().addHandler(handler)
    ui._session_secret.clear()
    try:
        at = AppTest.from_file(str(APP), default_timeout=60)
        at.secrets["konton"] = accounts
        at.run()
        assert not at.exception
        assert any("Något gick fel" in e.value for e in at.error)  # with a reference; no one can sign in on an empty key
        # The server log tells the administrator what to do.
        assert any(r.exc_info and "is empty: remove it and restart" in str(r.exc_info[1]) for r in seen)
    finally:
        logs.logger().removeHandler(handler)
        ui._session_secret.clear()


def test_a_wrong_password_is_refused_and_the_next_try_must_wait(accounts, clock):
    at = signed_in_page(accounts, "anna.andersson", "fel lösenord")
    errors = [e.value for e in at.sidebar.error]
    assert errors and errors[0].startswith("Fel användarnamn eller lösenord. Vänta 1 sekund")
    sign_in_again(at, "anna.andersson", "rätt lösenord 1")
    assert any("För många misslyckade inloggningar" in e.value for e in at.sidebar.error)
    assert "Roll:" not in sidebar_text(at)
    clock.now += 1  # the wait has passed
    sign_in_again(at, "anna.andersson", "rätt lösenord 1")
    assert "Roll: **redaktör**" in sidebar_text(at)


def test_with_an_identity_provider_the_sidebar_offers_its_sign_in():
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
                          "client_id": "lagesbild", "client_secret": "hemligt",
                          "server_metadata_url": "https://login.example.se/.well-known/openid-configuration"}
    at.run()
    assert not at.exception
    assert has_button(at, "signin_oidc")


def test_the_database_url_comes_from_the_environment_then_the_secrets_then_the_default():
    secrets = {"databas": {"url": "postgresql+psycopg://u:p@h/db"}}
    assert load_settings({"LAGESBILD_DATABASE": "a.sqlite"}, secrets).database == "a.sqlite"
    assert load_settings({}, secrets).database == "postgresql+psycopg://u:p@h/db"
    assert load_settings({}, None).database.endswith("lagesbild.sqlite")
    assert not hasattr(load_settings({}), "show_internal")
