"""Partners contribute between meetings (issue #16): the rapportör role, submissions kept apart until reviewed,
photos stripped of EXIF, rejection reasons, snapping public points to a grid, and the pages."""
from __future__ import annotations

import contextlib
import datetime as dt
import io
from pathlib import Path

import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from lagesbild import agenda, audit, auth, backup, photos, places, submissions
from lagesbild.auth import NotAllowed
from lagesbild.views import karta
from lagesbild.views.deck import build_deck
from lagesbild.problems import InputError
from lagesbild.submissions import Stop
from lagesbild.views import partners as view
from roles import actor, as_role

APP = Path(__file__).resolve().parents[1] / "app.py"
TODAY = dt.date(2017, 3, 1)
NOW = dt.datetime(2017, 3, 1, 10, 0)
SECRET = "Tält under bron vid Odenplan, tre personer."


def gps_jpeg(width: int = 3000, height: int = 2000) -> bytes:
    """A JPEG as a phone makes it: EXIF with GPS position, camera maker and model."""
    image = Image.new("RGB", (width, height), (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = "Telefonbolaget", "Modell X"
    exif[0x8825] = {1: "N", 2: (59.0, 20.0, 30.0), 3: "E", 4: (18.0, 3.0, 0.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def send(engine, by=None, stops=None) -> int:
    stops = stops or [Stop("Odenplan", "bosättningar/sovplatser", SECRET, dt.date(2017, 2, 20), "22:15",
                           photos=(("bild.jpg", gps_jpeg()),))]
    return submissions.submit(engine, "Svenska kyrkan", stops, today=TODAY, by=by or actor("rapportör"))


# --- the role --------------------------------------------------------------------------------------------

def test_a_rapportör_may_submit_and_see_open_material_but_nothing_intern_and_edit_nothing():
    assert auth.actions_for("rapportör") == ["se_öppet", "skicka_in"]
    assert auth.visible_confidentiality("rapportör") == ("öppen",)
    assert auth.role_named("Rapportor") == "rapportör"
    assert "rapportör" in auth.ACCOUNT_ROLES
    assert not auth.allowed("publik", "skicka_in")
    # Every signed-in role may send something in for review: a higher role may do all a lower one may.
    assert auth.allowed("intern", "skicka_in")


# The cases test_access.py's role × action matrix gets at merge (issue #16).
CASES = {
    "submit": ("skicka_in", lambda e, by: send(e, by)),
    "load_own": ("skicka_in", lambda e, by: submissions.load_own(e, by)),
    "load_queue": ("registrera", lambda e, by: submissions.load_queue(e, by)),
    "publish": ("registrera", lambda e, by: submissions.publish(e, send(e), "öppen", today=TODAY, by=by)),
    "reject": ("registrera", lambda e, by: submissions.reject(e, send(e), "Dubblett.", by=by)),
    "correct": ("redigera", lambda e, by: submissions.correct(
        e, int(submissions.load_own(e, actor("rapportör"))["stop_id"].iloc[0]) if send(e) else 0, "Odenplan",
        "annat", "Rättad.", dt.date(2017, 2, 20), None, today=TODAY, by=by)),
}


@pytest.mark.parametrize("role", auth.ROLES)
@pytest.mark.parametrize("case", list(CASES))
def test_every_role_against_every_submission_action(engine, role, case):
    action, call = CASES[case]
    refused = pytest.raises(NotAllowed, match="får du inte")
    with contextlib.nullcontext() if auth.allowed(role, action) else refused:
        call(engine, actor(role))


def test_a_rapportör_sees_only_their_own_submissions(engine):
    send(engine)
    other = audit.Actor("annan.part", "rapportör")
    assert len(submissions.load_own(engine, actor("rapportör"))) == 1
    assert submissions.load_own(engine, other).empty
    stop_id = int(submissions.load_own(engine, actor("rapportör"))["stop_id"].iloc[0])
    with pytest.raises(NotAllowed):
        submissions.load_photos(engine, stop_id, other)
    assert len(submissions.load_photos(engine, stop_id, actor("rapportör"))) == 1


# --- nothing unreviewed counts ---------------------------------------------------------------------------

def everything_shown(engine) -> str:
    """What maps, counts, slides and exports are built from, as one text."""
    observations = places.load_observations(engine, include_internal=True)
    deck = build_deck(engine, TODAY, 41, now=NOW)
    return " ".join([observations.to_csv(), karta.category_counts(observations).to_csv(), repr(deck)])


def test_a_submission_is_invisible_everywhere_until_published_then_where_its_confidentiality_allows(engine):
    before = everything_shown(engine)
    submission_id = send(engine)
    assert everything_shown(engine) == before
    assert SECRET not in before

    submissions.publish(engine, submission_id, "intern", today=TODAY, by=actor("redaktör"))
    assert SECRET not in places.load_observations(engine).to_csv()  # the public reads öppen only
    published = places.load_observations(engine, include_internal=True)
    assert published["description"].str.contains("Tält under bron").sum() == 1
    # The partner's time of day is the observation's own time, so the time patterns count it.
    assert published["time"].iloc[-1] == dt.time(22, 15)
    assert "kl." not in published["description"].iloc[-1]

    open_id = send(engine)
    submissions.publish(engine, open_id, "öppen", today=TODAY, by=actor("redaktör"))
    assert places.load_observations(engine)["description"].str.contains("Tält under bron").sum() == 1
    assert submissions.load_queue(engine, actor("redaktör")).empty


def test_publishing_can_make_a_new_place_at_the_phones_position_or_must_be_merged(engine):
    stop = Stop("Gångtunneln vid Vasaparken", "fysisk miljö/belysning", "Trasig belysning.", dt.date(2017, 2, 1),
                lat=59.3405, lon=18.0430)
    submission_id = send(engine, stops=[stop])
    with pytest.raises(InputError, match="slå ihop med en befintlig plats"):
        submissions.publish(engine, submission_id, "öppen", today=TODAY, by=actor("redaktör"))
    submissions.publish(engine, submission_id, "öppen", new_place_area="Norrmalm", today=TODAY, by=actor("redaktör"))
    assert "Gångtunneln vid Vasaparken" in set(places.load_places(engine)["name"])

    merged_id = send(engine, stops=[stop])
    stop_id = int(submissions.load_queue(engine, actor("redaktör"))["stop_id"].iloc[0])
    submissions.correct(engine, stop_id, "Odenplan", "annat", "Trasig belysning i tunneln.", dt.date(2017, 2, 1),
                        dt.time(21, 30), today=TODAY, by=actor("redaktör"))
    assert submissions.load_queue(engine, actor("redaktör"))["seen_at"].iloc[0] == "21:30"
    submissions.publish(engine, merged_id, "öppen", today=TODAY, by=actor("redaktör"))
    odenplan = places.load_observations(engine).query("place == 'Odenplan'")
    corrected = odenplan[odenplan["description"] == "Trasig belysning i tunneln."]
    assert list(corrected["time"]) == [dt.time(21, 30)]


def test_a_walk_with_several_stops_is_one_submission_and_every_step_is_in_the_trail(engine):
    walk = [Stop("Odenplan", "fysisk miljö/belysning", "Mörkt vid trappan.", dt.date(2017, 2, 1)),
            Stop("Vasaparken", "ungdomar", "Många ungdomar vid lekparken.", dt.date(2017, 2, 1))]
    submission_id = submissions.submit(engine, "Fastighetsägarna", walk, "trygghetsvandring", today=TODAY,
                                       by=actor("rapportör"))
    assert len(submissions.load_queue(engine, actor("redaktör"))) == 2
    assert len(submissions.publish(engine, submission_id, "öppen", today=TODAY, by=actor("redaktör"))) == 2
    trail = audit.load_log(engine, actor("administratör"), table_name="submission")
    assert list(trail["action"]) == ["ändrad", "ny"]
    assert '"status": "publicerad"' in trail["after"].iloc[0]


def test_every_problem_in_a_submission_is_named_in_swedish(engine):
    bad = Stop("", "okänd", "Ring 070-123 45 67", dt.date(2017, 4, 1), "25:99",
               photos=(("bild.heic", b"inte en bild"),))
    with pytest.raises(InputError) as caught:
        submissions.submit(engine, "", [bad], today=TODAY, by=actor("rapportör"))
    text = str(caught.value)
    for expected in ("organisation", "välj en plats", "kategori", "har inte inträffat än", "klockslag",
                     "mobilnummer", "bild.heic"):
        assert expected in text, expected
    assert submissions.load_own(engine, actor("rapportör")).empty


# --- photos ----------------------------------------------------------------------------------------------

def test_a_stored_photo_has_no_exif_gps_or_device_and_is_resized(engine):
    send(engine)
    stop_id = int(submissions.load_own(engine, actor("rapportör"))["stop_id"].iloc[0])
    stored = Image.open(io.BytesIO(submissions.load_photos(engine, stop_id, actor("redaktör"))[0]))
    assert stored.format == "JPEG"
    assert max(stored.size) == photos.LONGEST_SIDE
    assert not stored.getexif() and "exif" not in stored.info
    assert Image.open(io.BytesIO(gps_jpeg())).getexif().get_ifd(0x8825)  # the original had a position


def test_the_uploader_says_the_same_size_limit_as_the_data_layer_enforces():
    assert view.MAX_PHOTO_MB * 1024 * 1024 == photos.MAX_BYTES


def test_png_with_transparency_and_heic_become_jpeg():
    png = io.BytesIO()
    Image.new("RGBA", (40, 30), (0, 0, 0, 0)).save(png, "PNG")
    assert Image.open(io.BytesIO(photos.prepare("a.png", png.getvalue()))).format == "JPEG"
    if photos.HEIC:
        import pillow_heif

        heic = io.BytesIO()
        pillow_heif.from_pillow(Image.new("RGB", (64, 48), "red")).save(heic, quality=50)
        assert Image.open(io.BytesIO(photos.prepare("a.heic", heic.getvalue()))).size == (64, 48)


def test_photos_survive_a_backup_and_restore(engine, tmp_path):
    from lagesbild import db

    send(engine)
    stop_id = int(submissions.load_own(engine, actor("rapportör"))["stop_id"].iloc[0])
    original = submissions.load_photos(engine, stop_id, actor("redaktör"))
    backup.export_database(engine, tmp_path / "kopia.jsonl.gz")
    empty = db.connect(str(tmp_path / "tom.sqlite"))
    backup.restore_database(empty, tmp_path / "kopia.jsonl.gz")
    assert submissions.load_photos(empty, stop_id, actor("redaktör")) == original


# --- rejection -------------------------------------------------------------------------------------------

def test_a_rejected_submission_shows_its_reason_to_the_submitter(engine):
    submission_id = send(engine)
    with pytest.raises(InputError, match="skriv varför"):
        submissions.reject(engine, submission_id, " ", by=actor("redaktör"))
    submissions.reject(engine, submission_id, "Redan rapporterat av polisen.", by=actor("redaktör"))
    mine = view.my_submissions(submissions.load_own(engine, actor("rapportör")))
    assert mine.iloc[0]["Status"] == "Avvisad"
    assert mine.iloc[0]["Kommentar"] == "Redan rapporterat av polisen."
    assert everything_shown(engine) == everything_shown(engine)
    assert SECRET not in places.load_observations(engine, include_internal=True).to_csv()


# --- the public map's grid -------------------------------------------------------------------------------

def test_public_points_are_snapped_to_a_200_metre_grid_and_intern_ones_stay_exact():
    lat, lon = 59.342913, 18.049521
    snapped = view.snap_to_grid(lat, lon)
    assert snapped != (lat, lon)
    assert view.snap_to_grid(*snapped) == snapped  # a cell's centre stays put
    assert view.distance_m((lat, lon), snapped) <= 200 * 0.75
    near = view.snap_to_grid(lat + 0.0003, lon + 0.0003)  # 30 m away: the same cell or the next
    assert view.distance_m(near, snapped) in (0,) or view.distance_m(near, snapped) == pytest.approx(200, rel=0.05)
    points = view.public_points(
        __import__("pandas").DataFrame({"lat": [lat, lat], "lon": [lon, lon], "own_point": [True, True],
                                        "confidentiality": ["öppen", "intern"]}))
    assert (points.loc[0, "lat"], points.loc[0, "lon"]) == snapped
    assert (points.loc[1, "lat"], points.loc[1, "lon"]) == (lat, lon)


# --- pages -----------------------------------------------------------------------------------------------

def open_page(page: str, role: str) -> AppTest:
    at = as_role(AppTest.from_file(str(APP), default_timeout=60), role)
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_a_partner_reports_on_the_form_and_sees_it_waiting_then_the_editor_publishes_it(engine):
    at = open_page("pages/rapportera.py", "rapportör")
    at.text_input(key="report_org").input("Svenska kyrkan")
    at.selectbox(key="report_place").select("Odenplan")
    at.selectbox(key="report_category").select("ungdomar")
    at.text_area(key="report_text").input("Stökigt vid trappan på kvällen.")
    at.button(key="report_save").click().run()
    assert not at.exception
    assert any("Tack!" in s.value for s in at.success)
    mine = [m.value for m in at.markdown if "skickat" in m.value]
    assert len(mine) == 1 and mine[0].startswith("**Väntar på granskning**")

    queue = open_page("pages/granska.py", "redaktör")
    assert any("Svenska kyrkan" in h.value for h in queue.subheader)
    submission_id = int(submissions.load_queue(engine, actor("redaktör"))["id"].iloc[0])
    queue.button(key=f"pub_go_{submission_id}").click().run()
    assert any("Publicerat som 1 iakttagelse märkt öppen" in s.value for s in queue.success)
    assert any("Inga inskick väntar" in i.value for i in queue.info)
    assert "Stökigt vid trappan på kvällen." in set(places.load_observations(engine)["description"])


def test_the_editor_rejects_with_a_reason_on_the_queue_page(engine):
    submission_id = send(engine)
    queue = open_page("pages/granska.py", "redaktör")
    queue.button(key=f"reject_go_{submission_id}").click().run()
    assert any("Skriv varför inskicket avvisas" in e.value for e in queue.error)
    queue.text_input(key=f"reject_reason_{submission_id}").input("Gäller en annan stadsdel.")
    queue.button(key=f"reject_go_{submission_id}").click().run()
    assert any("avvisat" in s.value for s in queue.success)
    mine = [m.value for m in open_page("pages/rapportera.py", "rapportör").markdown if "skickat" in m.value]
    assert mine[0].startswith("**Avvisad**")
    assert mine[0].endswith("Kommentar från redaktören: Gäller en annan stadsdel\\.")  # escaped Markdown


def test_the_editor_corrects_the_time_on_the_queue_page_and_it_reaches_the_time_patterns(engine):
    submission_id = send(engine)  # sent with the time 22:15
    stop_id = int(submissions.load_queue(engine, actor("redaktör"))["stop_id"].iloc[0])
    queue = open_page("pages/granska.py", "redaktör")
    assert queue.time_input(key=f"fix_time_{stop_id}").value == dt.time(22, 15)
    queue.time_input(key=f"fix_time_{stop_id}").set_value(dt.time(23, 40))
    queue.button(key=f"fix_save_{stop_id}").click().run()
    assert not queue.exception and any("Rättelsen är sparad" in s.value for s in queue.success)
    queue.button(key=f"pub_go_{submission_id}").click().run()
    published = places.load_observations(engine)
    assert list(published.loc[published["description"] == SECRET, "time"]) == [dt.time(23, 40)]


def test_only_signed_in_people_get_the_form_and_only_editors_the_queue():
    at = open_page("pages/rapportera.py", "publik")
    assert [e.value for e in at.error] == [auth.refusal("publik", "skicka_in")]
    assert not at.get("file_uploader")
    for role in ("rapportör", "intern"):
        queue = open_page("pages/granska.py", role)
        assert [e.value for e in queue.error] == [auth.refusal(role, "registrera")]


def test_the_feedback_page_shows_open_material_only_and_a_one_page_pdf(engine):
    from pypdf import PdfReader

    places.add_observation(engine, "Odenplan", dt.date(2016, 11, 1), "ungdomar", "SL", "Hemlig iakttagelse.",
                           "intern", today=TODAY, by=actor("redaktör"))
    at = open_page("pages/aterkoppling.py", "administratör")
    shown = " ".join(m.value for m in at.markdown) + at.dataframe[0].value.to_csv()
    assert "Hemlig iakttagelse." not in shown
    assert [h.value for h in at.subheader] == ["Det ni berättade för oss", "Det som förändrades",
                                               "Platser där läget blivit bättre", "Det vi gjorde"]
    from lagesbild.views import aterkoppling

    feedback = aterkoppling.build_feedback(
        places.load_observations(engine, include_internal=True), places.load_actions(engine, include_internal=True),
        places.load_places(engine), surveys_results(engine), surveys_indicators(engine), dt.date(2016, 1, 1),
        dt.date(2016, 12, 31), 41, "Norrmalm")
    open_2016 = places.load_observations(engine)
    assert feedback.themes["Antal"].sum() == (open_2016["date"].astype(str).str.startswith("2016")).sum()
    assert any("troligen mellan" in line for line in feedback.changed)
    compared = [line for line in feedback.changed if ", mot " in line]  # a change is said to be more than chance, or not
    assert compared and all(line.endswith(("en säkerställd ökning.", "en säkerställd minskning.",
                                           "ingen säkerställd förändring.")) for line in compared)
    assert len(PdfReader(io.BytesIO(aterkoppling.pdf_bytes(feedback))).pages) == 1


def surveys_results(engine):
    from lagesbild import surveys

    return surveys.load_results(engine)


def surveys_indicators(engine):
    from lagesbild import surveys

    return surveys.load_indicators(engine)


def test_a_walk_is_recorded_stop_by_stop_on_the_form_and_sent_as_one(engine):
    at = open_page("pages/rapportera.py", "rapportör")
    at.text_input(key="report_org").input("Fastighetsägarna")
    at.toggle(key="report_walk").set_value(True).run()
    for place, text in (("Odenplan", "Mörkt vid trappan."), ("Vasaparken", "Trasiga lampor.")):
        at.selectbox(key="report_place").select(place)
        at.selectbox(key="report_category").select("fysisk miljö/belysning")
        at.text_area(key="report_text").input(text)
        at.button(key="report_add").click().run()
        assert not at.exception
    assert any(s.value.startswith("Stopp 2 är tillagt") for s in at.success)
    at.button(key="report_save").click().run()
    assert any("Tack!" in s.value for s in at.success)
    queued = submissions.load_queue(engine, actor("redaktör"))
    assert list(queued["place"]) == ["Odenplan", "Vasaparken"] and set(queued["kind"]) == {"trygghetsvandring"}
    assert queued["id"].nunique() == 1


def test_the_migration_gives_a_version_1_database_the_submission_tables_and_keeps_its_data(tmp_path):
    from sqlalchemy import create_engine, inspect

    from lagesbild import db, migrations

    engine = create_engine(db.database_url(tmp_path / "v1.sqlite"))
    migrations.migrate(engine, migrations.MIGRATIONS[:-1])  # the version before the submissions
    with engine.begin() as conn:
        for table in reversed(submissions.TABLES):
            table.drop(conn)
        db.set_meta(conn, "example_loaded", "1")
    assert not inspect(engine).has_table("submission")
    assert migrations.migrate(engine) == [migrations.latest_version()]
    assert {"submission", "submission_stop", "photo"} <= set(inspect(engine).get_table_names())
    assert db.get_meta(engine, "example_loaded") == "1"
    assert migrations.history(engine)[-1][1].startswith("Inskick från samverkansparter")


def test_a_partners_laget_runt_answer_waits_for_review_then_reaches_the_meeting(engine):
    meeting = dt.date(2016, 12, 14)
    answers = {"situation": "Lugnt i kyrkan.", "changes": "Fler besökare på kvällarna.", "needs": ""}
    with pytest.raises(InputError, match="minst en av frågorna"):
        submissions.submit_round_answer(engine, meeting, "Svenska kyrkan", {}, by=actor("rapportör"))
    submission_id = submissions.submit_round_answer(engine, meeting, "Svenska kyrkan", answers, by=actor("rapportör"))
    assert agenda.load_answers(engine, meeting).empty  # nothing on the slide before review
    waiting = view.queue(submissions.load_queue(engine, actor("redaktör")), places.load_places(engine))
    assert waiting[0].is_round_answer and not waiting[0].needs_new_place
    assert waiting[0].stops.iloc[0]["description"] == ("Läget: Lugnt i kyrkan. "
                                                        "Förändringar: Fler besökare på kvällarna.")
    assert view.publish(engine, actor("redaktör"), submission_id, None, "", False, True).startswith("Svaret är publ")
    assert list(agenda.load_answers(engine, meeting)["situation"]) == ["Lugnt i kyrkan."]
    assert view.my_submission_cards(submissions.load_own(engine, actor("rapportör")))[0].startswith("**Publicerad**")


def test_the_queue_page_publishes_a_laget_runt_answer(engine):
    submission_id = submissions.submit_round_answer(engine, dt.date(2016, 12, 14), "Skolan", {"needs": "Belysning."},
                                                    by=actor("rapportör"))
    queue = open_page("pages/granska.py", "redaktör")
    assert not queue.radio  # an answer has no öppen or intern
    queue.button(key=f"pub_go_{submission_id}").click().run()
    assert any("laget runt" in s.value for s in queue.success)
    assert list(agenda.load_answers(engine, dt.date(2016, 12, 14))["needs"]) == ["Belysning."]
