"""The Karta view model on frames, without Streamlit: windows, filters, counts, the place card, the forms' fields
and the link that carries every filter (read back to the nearest valid view, with a Swedish notice)."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from types import SimpleNamespace

import pytest

from lagesbild import areas, cooperation, places
from lagesbild.example import open_database
from lagesbild.views import karta, maps
from lagesbild.views.karta import MapChoice, MapFilter

TODAY = dt.date(2017, 1, 20)
ON = dt.date(2016, 12, 14)  # the example's council meeting: "Läget per" in the example data


@pytest.fixture(scope="module")
def tables(tmp_path_factory) -> SimpleNamespace:
    """The example data's tables, loaded once: every test here works on frames."""
    engine = open_database(str(tmp_path_factory.mktemp("karta") / "example.sqlite"))
    loaded = SimpleNamespace(
        places=places.load_places(engine), observations=places.load_observations(engine),
        internal_observations=places.load_observations(engine, include_internal=True),
        actions=places.load_actions(engine), meetings=cooperation.load_meetings(engine),
        forums=cooperation.load_forums(engine), boundaries=areas.load_boundaries(engine))
    engine.dispose()
    return loaded


@pytest.fixture(scope="module")
def data(tables) -> karta.KartaData:
    return karta.karta_data(tables.places, tables.observations, tables.actions, tables.meetings, tables.forums,
                            tables.boundaries, ON)


def plain(markdown: str) -> str:
    """Markdown or HTML as a reader sees it: tags and emphasis gone, escapes resolved."""
    return re.sub(r"\\(.)", r"\1", re.sub(r"(?<!\\)\*|(?<!\\)<[^>]+>", "", markdown))


# --- windows, filters and counts (moved from test_places.py) ----------------------------------------

@pytest.mark.parametrize("window, expected", [
    ("rådsmöte", (dt.date(2016, 12, 14), None)),
    ("90", (dt.date(2016, 10, 22), TODAY)),
    ("år", (dt.date(2016, 1, 21), TODAY)),
    ("allt", (None, None)),
    ("eget", (dt.date(2016, 6, 1), dt.date(2016, 12, 31))),
])
def test_time_windows(window, expected):
    custom = (dt.date(2016, 12, 31), dt.date(2016, 6, 1))  # either order
    assert karta.window_range(window, TODAY, dt.date(2016, 12, 14), custom) == expected
    assert karta.window_range("rådsmöte", TODAY, None) == (None, None)
    assert karta.window_label("rådsmöte", None, None, None) == "hela perioden (inget rådsmöte registrerat)"
    assert karta.window_option("rådsmöte", dt.date(2016, 6, 15)) == "Sedan senaste rådsmötet (2016-06-15)"


def test_counts_list_every_status_and_category_even_at_zero(tables):
    observations = tables.observations
    frame = places.with_categories(tables.places, observations)
    chosen = MapFilter(start=dt.date(2016, 9, 1), statuses=("bevakas", "avslutad"))
    shown = karta.filter_places(frame, observations, chosen)
    shown_observations = karta.filter_observations(observations, shown, chosen)
    assert karta.status_counts(shown).values.tolist() == [["ny", 0], ["pågående", 0], ["bevakas", 5], ["avslutad", 1]]
    counts = dict(karta.category_counts(shown_observations).values.tolist())
    assert list(counts) == list(places.CATEGORIES)
    assert counts["byggetablering"] == 2 and counts["ungdomar"] == 1 and counts["våld/rån"] == 0


def test_a_time_window_keeps_only_the_places_active_in_it(tables):
    observations, actions = tables.observations, tables.actions
    frame = places.with_categories(tables.places, observations)
    assert len(karta.active_in_window(frame, observations, actions, None, None)) == len(frame)
    december = karta.active_in_window(frame, observations, actions, dt.date(2016, 12, 1), dt.date(2016, 12, 31))
    assert 0 < len(december) < len(frame)


def test_the_view_of_a_choice_counts_what_the_map_draws(data):
    everything = karta.map_view(data, MapChoice(), ON, False, "Läget per 2016-12-14")
    assert everything.summary == ("13 av 13 platser och 24 iakttagelser (prickarna) i urvalet. Endast öppet material. "
                                  f"{karta.GRID_NOTE} Läget per 2016-12-14.")
    assert "2017-01-11 – Vasaparken" in everything.followups and len(everything.markers) == 13
    closed = karta.map_view(data, MapChoice(statuses=("avslutad",)), ON, True, "Läget per 2016-12-14")
    assert [m["name"] for m in closed.markers] == ["Sergels torg"] and len(closed.shown_observations) == 2
    assert closed.summary.startswith("1 av 13 platser och 2 iakttagelser") and "Endast öppet" not in closed.summary
    december = karta.map_view(data, MapChoice("eget", (dt.date(2016, 12, 1), dt.date(2016, 12, 31))), ON, False, "")
    assert december.summary.startswith("2 av 13 platser och 1 iakttagelser") and "2016-12-01 – 2016-12-31" in december.legend
    since_meeting = karta.map_view(data, MapChoice("rådsmöte"), ON, False, "")
    assert data.last_meeting == dt.date(2016, 6, 15) and "sedan senaste rådsmötet 2016-06-15" in since_meeting.legend
    assert 0 < len(since_meeting.shown) < 13


def test_every_category_and_status_has_its_symbol_colour_and_meaning():
    assert set(maps.CATEGORY_SYMBOLS) == set(places.CATEGORIES)
    assert set(maps.STATUS_COLOURS) == set(maps.STATUS_TEXT_COLOURS) == set(maps.STATUS_MEANINGS) == set(
        places.PLACE_STATUSES)


# --- the place card ---------------------------------------------------------------------------------

def test_card_lists_what_was_done_newest_first_and_what_is_planned(tables):
    card = karta.place_card("Hötorgsfaret", tables.places, tables.observations, tables.actions, limit=3)
    assert card.total == 7 and len(card.done) == 3  # one observation, six actions
    assert [(e.date.isoformat(), e.kind, e.who) for e in card.done] == [
        ("2016-12-06", "Åtgärd", "Fastighetskontoret och Axfood"), ("2016-10-20", "Åtgärd", "City i Samverkan"),
        ("2016-10-12", "Åtgärd", "Platssamverkansgruppen")]
    assert card.place["next_followup"] == dt.date(2017, 1, 25) and card.planned == []
    assert karta.place_card("Finns inte", tables.places, tables.observations, tables.actions) is None
    text = karta.card_text(card)
    assert text.done_heading == "**Vad har vi gjort** – de 3 senaste av 7" and not text.tall


def test_card_text_says_status_situation_and_shows_typed_html_as_text(tables):
    typed = tables.internal_observations.copy()
    typed.loc[typed.index[0], ["place", "description"]] = ["Vasaparken", "<script>alert('x')</script> *fet*"]
    card = karta.place_card("Vasaparken", tables.places, typed, tables.actions)
    text = karta.card_text(card)
    assert text.title == "Vasaparken" and "bevakas</b> – läget följs, inga åtgärder just nu" in text.status
    assert "Mycket cannabisrökning i Vasaparken" in plain(text.situation)
    assert "Nästa uppföljning: 2017-01-11" in plain(text.next_steps)
    assert "2016-11-24 · Åtgärd · Polisen · genomförd" in plain(text.entries[0])
    shown = next(e for e in text.entries if "alert" in e)
    assert "<script>" not in shown and plain(shown).endswith("<script>alert('x')</script> *fet*")
    jarlaplan = karta.card_text(karta.place_card("Jarlaplan", tables.places, tables.internal_observations,
                                                 tables.actions))
    assert any(e.count(":orange-badge[intern]") == 1 for e in jarlaplan.entries)


# --- the link: every filter in the address -----------------------------------------------------------

EVERY_FILTER = MapChoice("eget", (dt.date(2016, 9, 1), dt.date(2016, 12, 31)), ("alkohol/narkotika", "ungdomar"),
                         ("pågående", "bevakas"), ("ffsp",), ("Norrmalm",), "Vasaparken", True)


def test_a_link_with_every_filter_reads_back_to_the_same_choice(data):
    query = karta.address(EVERY_FILTER)
    assert query == {"period": ["eget"], "fran": ["2016-09-01"], "till": ["2016-12-31"],
                     "kategori": ["alkohol/narkotika", "ungdomar"], "status": ["pågående", "bevakas"],
                     "aktivitet": ["ffsp"], "omrade": ["Norrmalm"], "plats": ["Vasaparken"], "intern": ["ja"]}
    assert karta.read_address(query, ON, data, may_internal=True) == (EVERY_FILTER, [])
    assert karta.address(MapChoice()) == {} and karta.read_address({}, ON, data, True) == (MapChoice(), [])
    link = karta.link("http://127.0.0.1:8501/karta", query)
    assert link.startswith("http://127.0.0.1:8501/karta?period=eget&fran=2016-09-01&till=2016-12-31&kategori=alkohol%2F")
    assert "&status=p%C3%A5g%C3%A5ende&status=bevakas&" in link and " " not in link
    assert karta.link("http://127.0.0.1:8501/karta?gammal=1", {}) == "http://127.0.0.1:8501/karta"


def test_a_broken_or_outdated_link_falls_back_to_the_nearest_valid_view_with_a_notice(data):
    query = {"period": ["eget"], "fran": ["igår"], "till": ["1999-01-01"], "kategori": ["ungdomar", "graffiti"],
             "status": ["klar", "ny"], "aktivitet": ["nedlagd"], "omrade": ["Atlantis"], "plats": ["Rivna torget"],
             "intern": ["ja"]}
    choice, notices = karta.read_address(query, ON, data, may_internal=False)
    assert choice == MapChoice("eget", (dt.date(2000, 1, 1), dt.date(2015, 12, 15)), ("ungdomar",), ("ny",))
    said = " ".join(notices)
    for part in ("Datumet i länken (igår) är inget datum (ÅÅÅÅ-MM-DD); 2015-12-15 används i stället",
                 "Datumet i länken (1999-01-01) ligger utanför det som går att visa", 'Kategorin "graffiti"',
                 'Statusen "klar"', 'Samverkansaktiviteten "nedlagd"', 'Området "Atlantis"',
                 'Platsen "Rivna torget" i länken finns inte; ingen plats är vald',
                 "Länken visar internt material"):
        assert part in said, part
    assert karta.read_address({"period": ["vecka"]}, ON, data, True) == (
        MapChoice(), ["Tidsperioden i länken (vecka) finns inte; hela perioden visas."])
    # An own interval without dates starts as the year up to "Läget per"; typed text reaches a notice escaped.
    assert karta.read_address({"period": ["eget"], "fran": ["**x**"]}, ON, data, True)[0].dates == (
        dt.date(2015, 12, 15), ON)
    assert "\\*\\*x\\*\\*" in karta.read_address({"plats": ["**x**"]}, ON, data, True)[1][0]


def test_the_page_opens_a_link_only_when_it_is_new():
    query = {"period": ["90"], "datum": ["2016-12-14"]}
    assert karta.link_opened(query, None) and karta.link_opened(query, {"period": ["år"]})
    assert not karta.link_opened(query, {"period": ["90"]})  # the address the page wrote itself
    assert not karta.link_opened({}, {"period": ["90"]}) and not karta.link_opened({"datum": ["2016-12-14"]}, None)
    assert karta.as_of_param(ON, None) == {} and karta.as_of_param(ON, ON) == {"datum": ["2016-12-14"]}


def test_widgets_and_choice_go_both_ways(data):
    state = karta.widget_values(EVERY_FILTER, ON)
    assert state["map_categories"] == ["alkohol/narkotika", "ungdomar"] and state["map_dates"] == EVERY_FILTER.dates
    assert karta.choice_from(state, internal=True) == EVERY_FILTER
    state["map_window"] = "90"  # dates are kept by the widget but belong only to an own interval
    assert karta.choice_from(state, internal=False) == replace(EVERY_FILTER, window="90", dates=None, internal=False)
    assert karta.choice_from({"map_window": "eget", "map_dates": (dt.date(2016, 9, 1),)}, False).dates is None
    assert karta.widget_values(MapChoice(), ON)["map_dates"] == (dt.date(2015, 12, 15), ON)  # ready for "eget"


# --- filters and forms: the fields the page draws ------------------------------------------------------

def test_filters_offer_an_own_interval_and_an_area_only_when_they_apply(data):
    keys = [i.key for i in karta.filter_inputs(data, ON, "allt")]
    assert keys == ["map_window", "map_categories", "map_status", "map_forums"]  # one area in the example
    dates = next(i for i in karta.filter_inputs(data, ON, "eget") if i.key == "map_dates")
    assert (dates.args["min_value"], dates.args["max_value"]) == (dt.date(2000, 1, 1), dt.date(2021, 12, 31))
    several = karta.KartaData(**{**vars(data), "areas": ("Norrmalm", "Vasastan")})
    assert [i.key for i in karta.filter_inputs(several, ON, "allt")][-1] == "map_areas"
    assert karta.filter_widths(several) == [1.2, 1, 1, 1, 1]


def test_forms_start_at_the_stored_values_and_name_the_clicked_point(data):
    observation = karta.observation_form(data.names, TODAY, (59.3401, 18.0512))
    assert observation.inputs[-1].label == "Vid punkten jag klickade på kartan (59,34010, 18,05120)"
    assert not observation.inputs[-1].args["disabled"] and observation.clear == karta.OBS_KEYS[3:]
    place = karta.place_record(data.place_frame, "Vasaparken")
    update = karta.update_form(place, TODAY)
    suffix = f"{int(place['id'])}_{int(place['version'])}"
    assert update.keys[-1] == "map_place" and update.inputs[0].key == f"upd_status_{suffix}"
    assert update.inputs[0].args["index"] == places.PLACE_STATUSES.index("bevakas") and update.title == "**Vasaparken**"
    assert karta.place_form(data.forum_names, data.default_area, TODAY).inputs[3].args["value"] == "Norrmalm"
    mine = data.observations[data.observations["place"] == "Vasaparken"]
    edit = karta.edit_form(mine.iloc[0], TODAY, may_edit=False)
    edited = {i.key.rsplit("_", 2)[0]: i.args.get("value") for i in edit.inputs}
    assert edit.disabled and edited["edit_text"] == mine.iloc[0]["description"] and edited["edit_time"] == mine.iloc[0]["time"]
    assert set(karta.removal_choices("place", data, "Vasaparken").values()) == set(data.names)
    assert all(" · Vasaparken · " in t for t in karta.removal_choices("observation", data, "Vasaparken").values())


def test_an_observation_saved_with_a_time_of_day_shows_it_on_the_card_and_in_the_edit_form(tmp_path):
    from lagesbild.audit import Actor

    engine = open_database(str(tmp_path / "db.sqlite"))
    by = Actor("redaktör", "redaktör")
    values = {"obs_place": "Vasaparken", "obs_date": dt.date(2017, 1, 10), "obs_category": places.CATEGORIES[0],
              "obs_org": "Fält och fritid", "obs_text": "Grupp ungdomar vid lekparken", "obs_secrecy": "öppen",
              "obs_time": dt.time(21, 30)}
    assert "Vasaparken" in karta.save_observation(engine, values, by, TODAY)
    assert "obs_time" in karta.OBS_KEYS[3:]  # cleared after a save, with the text
    observations = places.load_observations(engine)
    saved = observations[observations["description"] == "Grupp ungdomar vid lekparken"].iloc[0]
    assert saved["time"] == dt.time(21, 30)
    data = karta.karta_data(places.load_places(engine), observations, places.load_actions(engine),
                            cooperation.load_meetings(engine), cooperation.load_forums(engine),
                            areas.load_boundaries(engine), TODAY)
    assert "**2017-01-10 kl. 21:30** · Iakttagelse · Fält och fritid" in karta.card("Vasaparken", data).entries[0]
    form = karta.edit_form(saved, TODAY, may_edit=True)
    tag = f"{int(saved['id'])}_{int(saved['version'])}"
    assert next(i for i in form.inputs if i.key == f"edit_time_{tag}").args["value"] == dt.time(21, 30)
    values = {f"edit_{name}_{tag}": value for name, value in [
        ("date", saved["date"]), ("category", saved["category"]), ("org", saved["organisation"]),
        ("text", saved["description"]), ("secrecy", saved["confidentiality"]), ("time", None)]}
    karta.save_observation_edit(engine, values, by, int(saved["id"]), int(saved["version"]), tag, TODAY)
    observations = places.load_observations(engine)
    assert observations.loc[observations["id"] == saved["id"], "time"].iloc[0] is None  # cleared: "Tid saknas"
    engine.dispose()


def test_the_public_map_shows_an_own_point_only_in_its_200_m_square_and_the_internal_view_exactly(tables):
    from lagesbild.views import partners

    observations = tables.observations.copy()
    exact = (59.34567, 18.05123)
    observations.loc[observations.index[0], ["lat", "lon", "own_point"]] = [*exact, True]
    data = karta.karta_data(tables.places, observations, tables.actions, tables.meetings, tables.forums,
                            tables.boundaries, ON)
    choice = MapChoice("allt")
    public = karta.map_view(data, choice, ON, internal=False, as_of_text="")
    internal = karta.map_view(data, choice, ON, internal=True, as_of_text="")
    observation_id = observations.iloc[0]["id"]

    def point(view):
        row = view.shown_observations[view.shown_observations["id"] == observation_id].iloc[0]
        return float(row["lat"]), float(row["lon"])

    assert point(internal) == exact
    assert point(public) == partners.snap_to_grid(*exact) != exact
    assert 0 < partners.distance_m(exact, point(public)) <= 200 * 0.75
    assert partners.GRID_NOTE in public.summary and partners.GRID_NOTE not in internal.summary
