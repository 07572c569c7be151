"""Karta: what the map page shows — the filter and its address, the map's selection and counts, the place card,
the next follow-ups, the forms' fields and saves, and the export — as frames, texts and plain records."""
from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

import pandas as pd
from sqlalchemy import Engine

from .. import asof, params, places
from ..audit import Actor
from ..formatting import date, markdown_escape as md, number
from ..places import (ACTION_STATUSES, CATEGORIES, CONFIDENTIALITY, PLACE_STATUSES, in_window, observations_csv,
                      observations_geojson, places_csv, places_geojson)
from ..problems import InputError
from ..schema import time_text
from . import maps, patterns
from .oversikt import next_followups
from .partners import GRID_NOTE, TIME_HELP, TIME_LABEL, public_points
from .maps import CATEGORY_SYMBOLS, STATUS_COLOURS, STATUS_MEANINGS, STATUS_TEXT_COLOURS

__all__ = ["ACTION_STATUSES", "CATEGORIES", "CONFIDENTIALITY", "PLACE_STATUSES", "InputError", "STATUS_MEANINGS",
           "observations_csv", "observations_geojson", "places_csv", "places_geojson"]

# Time windows for the map and the counts; the first is the council's own question.
WINDOWS = {
    "rådsmöte": "Sedan senaste rådsmötet",
    "90": "Senaste 90 dagarna",
    "år": "Senaste året",
    "allt": "Hela perioden",
    "eget": "Eget intervall",
}
DEFAULT_WINDOW = "allt"
CUSTOM_DAYS = 365  # an own interval starts as the year up to "Läget per"


# --- what the map shows ----------------------------------------------------------------------------

@dataclass(frozen=True)
class MapFilter:
    """What the user chose to see; an empty choice means everything."""

    start: dt.date | None = None
    end: dt.date | None = None
    categories: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    forums: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()


def window_range(window: str, today: dt.date, last_meeting: dt.date | None,
                 custom: tuple[dt.date, dt.date] | None = None) -> tuple[dt.date | None, dt.date | None]:
    """First and last day of a time window from WINDOWS; None for an open end."""
    if window == "rådsmöte":
        return (last_meeting, None) if last_meeting else (None, None)
    if window == "90":
        return today - dt.timedelta(days=90), today
    if window == "år":
        return today - dt.timedelta(days=365), today
    if window == "eget" and custom:
        start, end = sorted(custom)
        return start, end
    return None, None


def window_label(window: str, last_meeting: dt.date | None, start: dt.date | None, end: dt.date | None) -> str:
    """The window in words, dates included: 'sedan senaste rådsmötet 2016-12-14'."""
    if window == "rådsmöte":
        return f"sedan senaste rådsmötet {last_meeting.isoformat()}" if last_meeting else \
            "hela perioden (inget rådsmöte registrerat)"
    if start is None and end is None:
        return "hela perioden"
    return f"{start.isoformat() if start else '…'} – {end.isoformat() if end else '…'}"


def window_option(window: str, last_meeting: dt.date | None) -> str:
    """A window as the list of windows names it: the council's meeting with its date."""
    return f"{WINDOWS[window]} ({date(last_meeting)})" if window == "rådsmöte" and last_meeting else WINDOWS[window]


def filter_places(place_frame: pd.DataFrame, observations: pd.DataFrame, chosen: MapFilter) -> pd.DataFrame:
    """Places matching status, owner and area, and the category either as the place's own or among its observations in the window."""
    keep = pd.Series(True, index=place_frame.index)
    if chosen.statuses:
        keep &= place_frame["status"].isin(chosen.statuses)
    if chosen.forums:
        keep &= place_frame["forum_id"].isin(chosen.forums)
    if chosen.areas:
        keep &= place_frame["area"].isin(chosen.areas)
    if chosen.categories:
        seen = in_window(observations, chosen.start, chosen.end)
        seen = set(seen.loc[seen["category"].isin(chosen.categories), "place"])
        keep &= place_frame["category"].isin(chosen.categories) | place_frame["name"].isin(seen)
    return place_frame[keep]


def active_in_window(shown_places: pd.DataFrame, observations: pd.DataFrame, actions: pd.DataFrame,
                     start: dt.date | None, end: dt.date | None) -> pd.DataFrame:
    """The places with an observation or a done action in the window; all of them for the whole period."""
    if start is None and end is None:
        return shown_places
    done = actions[actions["status"] != "planerad"] if len(actions) else actions
    active = set(in_window(observations, start, end)["place"]) | set(in_window(done, start, end)["place"])
    return shown_places[shown_places["name"].isin(active)]


def filter_observations(observations: pd.DataFrame, shown_places: pd.DataFrame, chosen: MapFilter) -> pd.DataFrame:
    """Observations in the window, of the chosen categories, at the places shown."""
    frame = in_window(observations, chosen.start, chosen.end)
    if chosen.categories:
        frame = frame[frame["category"].isin(chosen.categories)]
    return frame[frame["place"].isin(shown_places["name"])]


def status_counts(shown_places: pd.DataFrame) -> pd.DataFrame:
    """Places per status, every status listed, in the order of PLACE_STATUSES."""
    counts = shown_places["status"].value_counts()
    return pd.DataFrame({"status": PLACE_STATUSES, "places": [int(counts.get(s, 0)) for s in PLACE_STATUSES]})


def category_counts(shown_observations: pd.DataFrame) -> pd.DataFrame:
    """Observations per category, every category listed, in the order of CATEGORIES."""
    counts = shown_observations["category"].value_counts()
    return pd.DataFrame({"category": CATEGORIES, "observations": [int(counts.get(c, 0)) for c in CATEGORIES]})


def observations_per_place(shown_observations: pd.DataFrame) -> dict[str, int]:
    """How many observations each place has in the current selection."""
    return {str(k): int(v) for k, v in shown_observations["place"].value_counts().items()}


def followups_text(shown_places: pd.DataFrame, on: dt.date, limit: int = 8) -> str:
    """The next follow-ups among the places shown, soonest first, as Markdown (the same list as Översikt's)."""
    upcoming = next_followups(shown_places, on, limit)
    return "**Nästa uppföljningar**  \n" + ("  \n".join(
        f"{date(r.next_followup)} – {md(r.name)}" for r in upcoming.itertuples()) or "Inga planerade.")


# --- the data the page works on, as of "Läget per" ----------------------------------------------------

@dataclass
class KartaData:
    """The tables as known on "Läget per": places with their category, what was seen and done, the last meeting."""

    place_frame: pd.DataFrame
    observations: pd.DataFrame
    actions: pd.DataFrame
    meetings: pd.DataFrame  # for the council's calendar in the time patterns
    last_meeting: dt.date | None
    forum_names: dict[str, str]
    areas: tuple[str, ...]
    default_area: str

    @property
    def names(self) -> list[str]:
        return list(self.place_frame["name"])


def karta_data(place_frame: pd.DataFrame, observations: pd.DataFrame, actions: pd.DataFrame, meetings: pd.DataFrame,
               forums: pd.DataFrame, boundaries: pd.DataFrame, on: dt.date) -> KartaData:
    """The loaded tables cut at `on` (windows and "sedan senaste rådsmötet" count from it)."""
    observations = asof.up_to(observations, on)
    activities = forums[forums["kind"] == "aktivitet"]
    areas = tuple(sorted(set(place_frame["area"].dropna())))
    stated = list(boundaries["area"]) if "area" in boundaries else []
    return KartaData(places.with_categories(place_frame, observations), observations, asof.actions_up_to(actions, on),
                     asof.up_to(meetings, on), asof.previous_council_meeting(meetings, on), dict(zip(activities["id"], activities["name"])),
                     areas, next(iter(stated or areas), ""))


@dataclass
class MapView:
    """The selection on the map and everything said about it beside the map."""

    chosen: MapFilter
    shown: pd.DataFrame
    shown_observations: pd.DataFrame
    counts: dict[str, int]
    markers: list[dict]
    legend: str  # HTML of constants and numbers only
    summary: str
    followups: str


def map_view(data: KartaData, choice: MapChoice, on: dt.date, internal: bool, as_of_text: str) -> MapView:
    """What the map draws for a choice, and the legend, counts and follow-ups beside it."""
    start, end = window_range(choice.window, on, data.last_meeting, choice.dates)
    chosen = MapFilter(start, end, choice.categories, choice.statuses, choice.forums, choice.areas)
    # A time window shows the places where something happened in it, not every place with an old record.
    shown = active_in_window(filter_places(data.place_frame, data.observations, chosen), data.observations,
                             data.actions, start, end)
    shown_observations = filter_observations(data.observations, shown, chosen)
    if not internal:  # the room and the public see an own point only in its 200 m square; exact ones stay intern
        shown_observations = public_points(shown_observations)
    counts = observations_per_place(shown_observations)
    legend = maps.legend_html(status_counts(shown), category_counts(shown_observations),
                              window_label(choice.window, data.last_meeting, start, end))
    summary = (f"{len(shown)} av {len(data.place_frame)} platser och {number(len(shown_observations))} iakttagelser "
               "(prickarna) i urvalet." + ("" if internal else f" Endast öppet material. {GRID_NOTE}")
               + f" {as_of_text}.")
    return MapView(chosen, shown, shown_observations, counts, maps.place_markers(shown, counts), legend, summary,
                   followups_text(shown, on))


def take_click(state: MutableMapping[str, Any], value: dict | None) -> bool:
    """Open the clicked place's card, or keep the clicked point for the forms; True when there was a new click.

    `value` is st_folium's (it persists across runs: what was seen is kept under map_seen).
    """
    click, state["map_seen"] = maps.read_click(value, state.get("map_seen"), state.get("map_markers", []))
    if click.place:
        state["map_place"] = click.place
    elif click.point:
        state["map_point"] = click.point
        state["new_lat"], state["new_lon"] = click.point
    return bool(click.place or click.point)


# --- the place card: vad har vi gjort, hur fortsätter vi ------------------------------------------

@dataclass(frozen=True)
class Entry:
    """One line of a place's timeline."""

    date: dt.date
    kind: str  # "Iakttagelse" | "Åtgärd"
    who: str
    text: str
    detail: str  # category or action status
    confidentiality: str
    time: dt.time | None = None  # an observation's time of day, when known


@dataclass
class PlaceCard:
    """Everything the card says about one place, newest first."""

    place: dict
    done: list[Entry] = field(default_factory=list)
    planned: list[Entry] = field(default_factory=list)
    total: int = 0


def place_card(name: str, place_frame: pd.DataFrame, observations: pd.DataFrame, actions: pd.DataFrame,
               limit: int = 30) -> PlaceCard | None:
    """The place's situation and its timeline: what was seen and done (at most `limit`, newest first) and what is planned."""
    place = place_record(place_frame, name)
    if place is None:
        return None
    seen = observations[observations["place"] == name]
    acted = actions[actions["place"] == name]
    done = [Entry(r.date, "Iakttagelse", r.organisation, r.description, r.category, r.confidentiality,
                  None if _missing(r.time) else r.time) for r in seen.itertuples()]
    done += [Entry(r.date, "Åtgärd", r.actor, r.description, r.status, r.confidentiality)
             for r in acted[acted["status"] != "planerad"].itertuples()]
    planned = [Entry(r.date, "Åtgärd", r.actor, r.description, r.status, r.confidentiality)
               for r in acted[acted["status"] == "planerad"].itertuples()]
    done.sort(key=lambda e: (e.date, e.time or dt.time()), reverse=True)
    planned.sort(key=lambda e: e.date)
    return PlaceCard(place, done[:limit], planned, total=len(done))


def _missing(value) -> bool:
    return value is None or (not isinstance(value, (str, dt.date)) and bool(pd.isna(value)))


def place_record(place_frame: pd.DataFrame, name: str | None) -> dict | None:
    """One place as a dict with None for every missing value, or None when there is no such place."""
    match = place_frame[place_frame["name"] == name] if name else place_frame.iloc[0:0]
    if match.empty:
        return None
    return {k: None if _missing(v) else v for k, v in match.iloc[0].to_dict().items()}


@dataclass
class CardText:
    """The place card as the page shows it: Markdown, and one HTML line of constants and escaped text."""

    title: str
    status: str  # HTML
    situation: str
    next_steps: str
    done_heading: str
    entries: list[str]
    tall: bool  # more than fits: scroll inside the card


def card_text(card: PlaceCard) -> CardText:
    """The card's texts: status, lägesbild, hur fortsätter vi and vad har vi gjort."""
    place = card.place
    symbol = maps.symbol_html(CATEGORY_SYMBOLS.get(place["category"], "?"), STATUS_COLOURS[place["status"]],
                              STATUS_TEXT_COLOURS[place["status"]])
    status = (f'{symbol} <b>{place["status"]}</b> – {STATUS_MEANINGS[place["status"]]}<br>'
              f'Kategori: {place["category"]} · {maps.escape(place["forum"] or "Ingen samverkansaktivitet")}')
    situation_date = f" ({date(place['situation_date'])})" if place["situation_date"] else ""
    next_steps = ("**Hur fortsätter vi**  \n" + (md(place["next_step"]) or "Inget beslutat.") +
                  f"  \nNästa uppföljning: **{date(place['next_followup']) or 'inte bestämd'}**" +
                  "".join(f"  \n{date(e.date)} planerad: {md(e.text)} ({md(e.who)})" for e in card.planned))
    entries = [f"**{date(e.date)}{' kl. ' + time_text(e.time) if e.time else ''}** · {e.kind} · {md(e.who)} · *{md(e.detail)}*"
               + (" :orange-badge[intern]" if e.confidentiality == "intern" else "") + f"  \n{md(e.text)}"
               for e in card.done] or ["Inget registrerat ännu."]
    return CardText(md(place["name"]), status,
                    f"**Lägesbild{situation_date}**  \n{md(place['situation']) or 'Ingen lägesbild ännu.'}",
                    next_steps, "**Vad har vi gjort**" + (f" – de {len(card.done)} senaste av {card.total}"
                                                          if card.total > len(card.done) else ""),
                    entries, len(card.done) > 4)


def card(name: str | None, data: KartaData) -> CardText | None:
    """The card of the chosen place, or None while none is chosen."""
    found = place_card(name, data.place_frame, data.observations, data.actions) if name else None
    return None if found is None else card_text(found)


# --- the address: every filter in the link -----------------------------------------------------------

@dataclass(frozen=True)
class MapChoice:
    """Every choice on Karta that a link carries; the defaults are the page as it first opens."""

    window: str = DEFAULT_WINDOW
    dates: tuple[dt.date, dt.date] | None = None  # the own interval, only with window "eget"
    categories: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    forums: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()
    place: str | None = None
    internal: bool = False


# The link's words for each choice (Swedish, as a user reads them in the address).
LIST_PARAMS = {"categories": "kategori", "statuses": "status", "forums": "aktivitet", "areas": "omrade"}
YES = ("ja", "1", "true")


def date_bounds(on: dt.date) -> tuple[dt.date, dt.date]:
    """The dates an own interval may take (the date picker refuses others)."""
    return params.EARLIEST, dt.date(on.year + params.YEARS_AHEAD, 12, 31)


def default_dates(on: dt.date) -> tuple[dt.date, dt.date]:
    """The own interval before one is chosen: the year up to "Läget per"."""
    return on - dt.timedelta(days=CUSTOM_DAYS), on


def _shown(value: str) -> str:
    return md(value[:40] + ("…" if len(value) > 40 else ""))


def _link_date(text: str | None, fallback: dt.date, bounds: tuple[dt.date, dt.date],
               notices: list[str]) -> dt.date:
    try:
        parsed = dt.date.fromisoformat((text or "").strip()[:10])
    except ValueError:
        notices.append(f"Datumet i länken ({_shown(text or 'inget')}) är inget datum (ÅÅÅÅ-MM-DD); "
                       f"{fallback.isoformat()} används i stället.")
        return fallback
    clamped = min(max(parsed, bounds[0]), bounds[1])
    if clamped != parsed:
        notices.append(f"Datumet i länken ({parsed.isoformat()}) ligger utanför det som går att visa "
                       f"({bounds[0].isoformat()} – {bounds[1].isoformat()}); {clamped.isoformat()} används i stället.")
    return clamped


def read_address(query: Mapping[str, list[str]], on: dt.date, data: KartaData,
                 may_internal: bool) -> tuple[MapChoice, list[str]]:
    """The choice a link asks for, each value that cannot be shown replaced by the nearest valid one, and a
    Swedish notice for every such value. Never raises."""
    notices: list[str] = []

    def one(name: str) -> str | None:
        values = query.get(name) or []
        return values[-1] if values else None

    window = (one("period") or DEFAULT_WINDOW).strip()
    if window not in WINDOWS:
        notices.append(f"Tidsperioden i länken ({_shown(window)}) finns inte; hela perioden visas.")
        window = DEFAULT_WINDOW
    dates = None
    if window == "eget":
        bounds, (first, last) = date_bounds(on), default_dates(on)
        dates = (_link_date(one("fran"), first, bounds, notices), _link_date(one("till"), last, bounds, notices))
        dates = tuple(sorted(dates))
    valid = {"categories": (CATEGORIES, "Kategorin"), "statuses": (PLACE_STATUSES, "Statusen"),
             "forums": (tuple(data.forum_names), "Samverkansaktiviteten"), "areas": (data.areas, "Området")}
    lists: dict[str, tuple[str, ...]] = {}
    for attribute, name in LIST_PARAMS.items():
        options, what = valid[attribute]
        asked = [v.strip() for v in query.get(name) or []]
        for unknown in dict.fromkeys(v for v in asked if v not in options):
            notices.append(f"{what} \"{_shown(unknown)}\" i länken finns inte; den är borttagen ur urvalet.")
        lists[attribute] = tuple(o for o in options if o in asked)
    place = one("plats")
    if place is not None and place not in data.names:
        notices.append(f"Platsen \"{_shown(place)}\" i länken finns inte; ingen plats är vald.")
        place = None
    internal = (one("intern") or "").strip().casefold() in YES
    if internal and not may_internal:
        notices.append("Länken visar internt material, som bara inloggade med rätt roll får se; "
                       "endast öppet material visas.")
        internal = False
    return MapChoice(window, dates, place=place, internal=internal, **lists), notices


def address(choice: MapChoice) -> dict[str, list[str]]:
    """The link's query for a choice: only what differs from the page as it first opens."""
    query: dict[str, list[str]] = {}
    if choice.window != DEFAULT_WINDOW:
        query["period"] = [choice.window]
    if choice.window == "eget" and choice.dates:
        query["fran"], query["till"] = [choice.dates[0].isoformat()], [choice.dates[1].isoformat()]
    for attribute, name in LIST_PARAMS.items():
        if getattr(choice, attribute):
            query[name] = list(getattr(choice, attribute))
    if choice.place:
        query["plats"] = [choice.place]
    if choice.internal:
        query["intern"] = ["ja"]
    return query


def link(page_url: str, query: Mapping[str, list[str]]) -> str:
    """The full link to the page with the query (spaces as %20, so it survives mail and chat)."""
    base = page_url.split("?", 1)[0]
    return f"{base}?{urlencode(query, doseq=True, quote_via=quote)}" if query else base


def link_opened(query: Mapping[str, list[str]], written: Mapping[str, list[str]] | None) -> bool:
    """Whether the address holds a link to open (not empty, and not the one the page itself wrote last)."""
    asked = {k: v for k, v in query.items() if k in (*LIST_PARAMS.values(), "period", "fran", "till", "plats", "intern")}
    return bool(asked) and asked != (written or {})


# Widget keys on the page, by choice.
WIDGET_KEYS = {"window": "map_window", "dates": "map_dates", "categories": "map_categories", "statuses": "map_status",
               "forums": "map_forums", "areas": "map_areas", "place": "map_place"}


def widget_values(choice: MapChoice, on: dt.date) -> dict[str, Any]:
    """The page's widget state that shows a choice (multiselects take lists; the own interval keeps its dates)."""
    values = {key: getattr(choice, attribute) for attribute, key in WIDGET_KEYS.items()}
    values["map_dates"] = choice.dates or default_dates(on)
    return {k: list(v) if isinstance(v, tuple) and k != "map_dates" else v for k, v in values.items()}


def choice_from(state: Mapping[str, Any], internal: bool) -> MapChoice:
    """The choice the page's widgets hold (an own interval only once both ends are picked)."""
    dates = state.get("map_dates")
    dates = tuple(dates) if isinstance(dates, (tuple, list)) and len(dates) == 2 else None
    window = state.get("map_window") or DEFAULT_WINDOW
    return MapChoice(window, dates if window == "eget" else None, tuple(state.get("map_categories") or ()),
                     tuple(state.get("map_status") or ()), tuple(state.get("map_forums") or ()),
                     tuple(state.get("map_areas") or ()), state.get("map_place"), internal)


@dataclass(frozen=True)
class Input:
    """One form field: the widget to draw (its name in Streamlit), the column it sits in, and its arguments."""

    widget: str
    label: str
    key: str
    column: int = 0
    args: dict = field(default_factory=dict)


def filter_defaults(on: dt.date) -> dict[str, Any]:
    """The filters' state as the page first opens (set before the widgets, which then take no default)."""
    return {"map_window": DEFAULT_WINDOW, "map_dates": default_dates(on)}


def filter_widths(data: KartaData) -> list[float]:
    """The filters' column widths: the window widest, an area column only when there are several areas."""
    return [1.2, 1, 1, 1] + [1] * (len(data.areas) > 1)


def filter_inputs(data: KartaData, on: dt.date, window: str) -> list[Input]:
    """The map's filters; an empty choice means all (and select_all=False: Streamlit's "Select all" is English)."""
    several = {"placeholder": "Alla", "select_all": False}
    inputs = [
        Input("selectbox", "Tidsperiod", "map_window", 0, {
            "options": list(WINDOWS), "placeholder": "Välj",
            "format_func": functools.partial(window_option, last_meeting=data.last_meeting)}),
        Input("multiselect", "Kategori", "map_categories", 1,
              {"options": CATEGORIES, **several, "placeholder": "Alla kategorier"}),
        Input("multiselect", "Status", "map_status", 2, {"options": PLACE_STATUSES, **several}),
        Input("multiselect", "Samverkansaktivitet", "map_forums", 3,
              {"options": list(data.forum_names), "format_func": data.forum_names.get, **several}),
    ]
    if window == "eget":
        first, last = date_bounds(on)
        inputs.insert(1, Input("date_input", "Från och med – till och med", "map_dates", 0,
                               {"format": "YYYY-MM-DD", "min_value": first, "max_value": last}))
    if len(data.areas) > 1:
        inputs.append(Input("multiselect", "Område", "map_areas", 4, {"options": data.areas, **several}))
    return inputs


def as_of_param(on: dt.date, chosen: dt.date | None) -> dict[str, list[str]]:
    """"Läget per" in the link when one is chosen (else every reader sees today's, as the sender did)."""
    return {"datum": [on.isoformat()]} if chosen else {}


# --- forms: their fields, and one save each ------------------------------------------------------------
# Each save gets (engine, the page's state, who) and returns the confirmation to show; on success it leaves the
# map at the place it saved for. ui.form lays a Form out and saves it through ui.form_saver.

@dataclass(frozen=True)
class Form:
    """A form: its fields, its save button and what identifies (`keys`) and empties (`clear`) a submission."""

    form_id: str
    name: str  # the save button is f"{name}_save"
    submit: str
    inputs: list[Input]
    save: Callable[[Engine, MutableMapping[str, Any], Actor], str]
    keys: tuple[str, ...] = ()
    clear: tuple[str, ...] = ()
    columns: int = 3
    title: str | None = None  # Markdown above the fields
    disabled: bool = False


MAP_HELP = ("Klicka på en plats för att se vad som har hänt där, eller på en tom punkt för att registrera något där. "
            "Utan internet ritas gränsen och platserna på enfärgad bakgrund.")
CALENDAR_NOTE = patterns.CALENDAR_NOTE
SECRECY_HELP = "Öppet visas i rådet; internt bara i den interna vyn."
FORM_INTRO = ("Det som sparas syns direkt på kartan. Skriv aldrig namn, personnummer, kontaktuppgifter eller annat som "
              "pekar ut en person: lägesbilden ska vara generell.")
TABS = ["Ny iakttagelse", "Ny åtgärd", "Uppdatera platsens läge", "Ändra en iakttagelse", "Ny plats", "Ta bort",
        "Exportera och importera"]
OBS_KEYS = ("obs_place", "obs_date", "obs_category", "obs_org", "obs_text", "obs_secrecy", "obs_at_point", "obs_time")
ACT_KEYS = ("act_place", "act_date", "act_actor", "act_text", "act_status", "act_secrecy")
NEW_KEYS = ("new_name", "new_lat", "new_lon", "new_area", "new_forum", "new_status", "new_category", "new_situation",
            "new_followup", "new_next")
NEW_KEPT = ("new_area", "new_status")  # kept after a save: the next place is likely in the same area


def _status_text(status: str) -> str:
    return f"{status} – {STATUS_MEANINGS[status]}"


def _secrecy(key: str, column: int, index: int | None = None) -> Input:
    return Input("radio", "Sekretess", key, column,
                 {"options": CONFIDENTIALITY, "index": index, "horizontal": True, "help": SECRECY_HELP})


def _time(key: str, value: dt.time | None) -> Input:
    """The optional time of day: left empty, the observation counts as "Tid saknas" in the time patterns."""
    return Input("time_input", TIME_LABEL, key, 1,
                 {"value": None if _missing(value) else value, "step": 300, "help": TIME_HELP})


def point_text(point: tuple[float, float] | None) -> str | None:
    """A clicked point as the form names it."""
    return f"{number(point[0], 5)}, {number(point[1], 5)}" if point else None


def observation_form(names: list[str], today: dt.date, point: tuple[float, float] | None) -> Form:
    """A new observation, at its place or at the point clicked on the map."""
    return Form("observation_form", "obs", "Spara iakttagelsen", [
        Input("selectbox", "Plats", "obs_place", 0, {"options": names, "index": None, "placeholder": "Välj plats"}),
        Input("date_input", "Datum", "obs_date", 1, {"value": today, "max_value": today, "format": "YYYY-MM-DD"}),
        _time("obs_time", None),
        Input("selectbox", "Kategori", "obs_category", 2,
              {"options": CATEGORIES, "index": None, "placeholder": "Välj kategori"}),
        Input("text_input", "Organisation", "obs_org", 0, {"placeholder": "t.ex. Polisen, Fält och fritid"}),
        Input("text_area", "Beskrivning", "obs_text", 1, {"height": 100}),
        _secrecy("obs_secrecy", 2),
        Input("checkbox", f"Vid punkten jag klickade på kartan ({point_text(point)})" if point else
              "Vid en egen punkt: klicka först på kartan", "obs_at_point", 2, {"disabled": point is None}),
    ], functools.partial(save_observation, today=today), (*OBS_KEYS, "map_point"), OBS_KEYS[3:])


def save_observation(engine: Engine, values: MutableMapping[str, Any], by: Actor, today: dt.date) -> str:
    """Save the new observation form (at the clicked point when ticked; the point is then used up)."""
    at_point = values.get("map_point") if values.get("obs_at_point") else None
    places.add_observation(engine, values.get("obs_place") or "", values.get("obs_date"), values.get("obs_category"),
                           values.get("obs_org", ""), values.get("obs_text", ""), values.get("obs_secrecy"),
                           *(at_point or (None, None)), today=today, by=by, time=values.get("obs_time"))
    if values.get("obs_at_point"):
        values.pop("map_point", None)
    values["map_place"] = values["obs_place"]
    return f"Iakttagelsen vid {md(values['obs_place'])} är sparad och visas på kartan."


def action_form(names: list[str], today: dt.date) -> Form:
    """A new action (a planned one may lie ahead)."""
    return Form("action_form", "act", "Spara åtgärden", [
        Input("selectbox", "Plats", "act_place", 0, {"options": names, "index": None, "placeholder": "Välj plats"}),
        Input("date_input", "Datum", "act_date", 1, {"value": today, "format": "YYYY-MM-DD"}),
        Input("selectbox", "Status", "act_status", 2,
              {"options": ACTION_STATUSES, "index": None, "placeholder": "Välj status"}),
        Input("text_input", "Aktör", "act_actor", 0, {"placeholder": "t.ex. Stadsdelsförvaltningen och polisen"}),
        Input("text_area", "Åtgärd", "act_text", 1, {"height": 100}),
        _secrecy("act_secrecy", 2),
    ], functools.partial(save_action, today=today), ACT_KEYS, ACT_KEYS[2:])


def save_action(engine: Engine, values: MutableMapping[str, Any], by: Actor, today: dt.date) -> str:
    """Save the new action form."""
    places.add_action(engine, values.get("act_place") or "", values.get("act_date"), values.get("act_actor", ""),
                      values.get("act_text", ""), values.get("act_status"), values.get("act_secrecy"), today=today,
                      by=by)
    values["map_place"] = values["act_place"]
    return f"Åtgärden vid {md(values['act_place'])} är sparad."


def update_form(place: dict, today: dt.date) -> Form:
    """The chosen place's status, situation and next step, opened at the stored values.

    The version is in the keys: after someone else's save the form opens anew at the stored values.
    """
    suffix = f'{int(place["id"])}_{int(place["version"])}'
    inputs = [
        Input("selectbox", "Status", f"upd_status_{suffix}", 0, {
            "options": PLACE_STATUSES, "index": PLACE_STATUSES.index(place["status"]), "format_func": _status_text}),
        Input("date_input", "Nästa uppföljning", f"upd_followup_{suffix}", 1,
              {"value": place["next_followup"], "format": "YYYY-MM-DD"}),
        Input("text_area", "Lägesbild", f"upd_situation_{suffix}", 0, {"value": place["situation"], "height": 120}),
        Input("text_area", "Hur fortsätter vi", f"upd_next_{suffix}", 1, {"value": place["next_step"], "height": 120}),
    ]
    save = functools.partial(save_update, name=place["name"], suffix=suffix, version=int(place["version"]), today=today)
    fields = tuple(i.key for i in inputs)
    return Form("update_form", "upd", "Spara läget", inputs, save, (*fields, "map_place"), fields, columns=2,
                title=f"**{md(place['name'])}**")


def save_update(engine: Engine, values: MutableMapping[str, Any], by: Actor, name: str, suffix: str, version: int,
                today: dt.date) -> str:
    """Save the place's new situation (refused when someone else saved since `version`)."""
    places.update_place(engine, name, values[f"upd_status_{suffix}"], values[f"upd_situation_{suffix}"],
                        values[f"upd_followup_{suffix}"], values[f"upd_next_{suffix}"], today=today, by=by,
                        version=version)
    return f"Läget för {md(name)} är uppdaterat."


def place_form(forum_names: dict[str, str], default_area: str, today: dt.date) -> Form:
    """A new place, at typed coordinates or the point clicked on the map."""
    return Form("place_form", "new", "Spara platsen", [
        Input("text_input", "Namn", "new_name", 0, {"placeholder": "t.ex. Tegnérlunden"}),
        Input("number_input", "Latitud (WGS84)", "new_lat", 1,
              {"value": None, "format": "%.5f", "step": 0.0001, "placeholder": "klicka på kartan"}),
        Input("number_input", "Longitud (WGS84)", "new_lon", 2,
              {"value": None, "format": "%.5f", "step": 0.0001, "placeholder": "eller skriv koordinaterna"}),
        Input("text_input", "Område", "new_area", 0, {"value": default_area}),
        Input("selectbox", "Samverkansaktivitet", "new_forum", 1, {
            "options": list(forum_names), "index": None, "format_func": forum_names.get, "placeholder": "Ingen"}),
        Input("selectbox", "Kategori", "new_category", 2,
              {"options": CATEGORIES, "index": None, "placeholder": "Efter iakttagelserna"}),
        Input("selectbox", "Status", "new_status", 0, {"options": PLACE_STATUSES, "format_func": _status_text}),
        Input("text_area", "Lägesbild", "new_situation", 1, {"height": 100}),
        Input("text_area", "Hur fortsätter vi", "new_next", 2, {"height": 100}),
        Input("date_input", "Nästa uppföljning", "new_followup", 0, {"value": None, "format": "YYYY-MM-DD"}),
    ], functools.partial(save_place, today=today), NEW_KEYS, tuple(k for k in NEW_KEYS if k not in NEW_KEPT))


def save_place(engine: Engine, values: MutableMapping[str, Any], by: Actor, today: dt.date) -> str:
    """Save the new place form (the clicked point is then used up)."""
    places.add_place(engine, values.get("new_name", ""), values.get("new_lat"), values.get("new_lon"),
                     values.get("new_area", ""), values.get("new_forum"), values.get("new_status"),
                     values.get("new_category"), values.get("new_situation", ""), values.get("new_followup"),
                     values.get("new_next", ""), today=today, by=by)
    values["map_place"] = values["new_name"].strip()
    values.pop("map_point", None)
    return f"Platsen {md(values['new_name'].strip())} är sparad."


def observation_choices(observations: pd.DataFrame) -> dict[int, str]:
    """The observations to choose among, each named by date, category and the start of its text."""
    return {int(r.id): f"{date(r.date)} · {r.category} · {r.description[:60]}" for r in observations.itertuples()}


def edit_form(current: pd.Series, today: dt.date, may_edit: bool) -> Form:
    """One stored observation, opened at its values (the version in the keys, as for the place's situation)."""
    tag = f"{int(current['id'])}_{int(current['version'])}"
    category = CATEGORIES.index(current["category"]) if current["category"] in CATEGORIES else 0
    inputs = [
        Input("date_input", "Datum", f"edit_date_{tag}", 1,
              {"value": current["date"], "max_value": today, "format": "YYYY-MM-DD"}),
        _time(f"edit_time_{tag}", current.get("time")),
        Input("selectbox", "Kategori", f"edit_category_{tag}", 2, {"options": CATEGORIES, "index": category}),
        Input("text_input", "Organisation", f"edit_org_{tag}", 0, {"value": current["organisation"]}),
        Input("text_area", "Beskrivning", f"edit_text_{tag}", 1, {"value": current["description"], "height": 100}),
        _secrecy(f"edit_secrecy_{tag}", 2, CONFIDENTIALITY.index(current["confidentiality"])),
    ]
    save = functools.partial(save_observation_edit, observation_id=int(current["id"]),
                             version=int(current["version"]), tag=tag, today=today)
    return Form("edit_observation_form", "edit", "Spara ändringen", inputs, save, tuple(i.key for i in inputs),
                disabled=not may_edit)


def save_observation_edit(engine: Engine, values: MutableMapping[str, Any], by: Actor, observation_id: int,
                          version: int, tag: str, today: dt.date) -> str:
    """Save a changed observation (refused when someone else saved since `version`)."""
    places.update_observation(engine, observation_id, version, values[f"edit_date_{tag}"],
                              values[f"edit_category_{tag}"], values[f"edit_org_{tag}"], values[f"edit_text_{tag}"],
                              values[f"edit_secrecy_{tag}"], today=today, by=by,
                              time=values.get(f"edit_time_{tag}"))
    return "Iakttagelsen är ändrad."


REMOVE_KINDS = {"observation": "Iakttagelse", "action": "Åtgärd", "place": "Plats"}
REMOVE_NOTE = ("Det som tas bort försvinner ur kartan och listorna men finns kvar i loggen; en administratör "
               "kan återställa det på sidan Logg.")


def removal_choices(kind: str, data: KartaData, place: str | None) -> dict[int, str]:
    """What can be removed of a kind (at the chosen place, when one is chosen), each named for the list."""
    source = {"observation": data.observations, "action": data.actions, "place": data.place_frame}[kind]
    if kind != "place" and place:
        source = source[source["place"] == place]
    return {int(r.id): (r.name if kind == "place" else f"{date(r.date)} · {r.place} · {r.description[:60]}")
            for r in source.itertuples()}


# --- when things happen, and what an action changed (views.patterns) --------------------------------------

def time_pattern(data: KartaData, view: MapView) -> patterns.Patterns:
    """Weekday × hour and month counts of the observations on the map, with the council's calendar."""
    return patterns.build_patterns(view.shown_observations, data.meetings, "urvalet på kartan", view.chosen.start,
                                   view.chosen.end)


def place_pattern(data: KartaData, name: str, on: dt.date) -> tuple[patterns.Patterns, list[patterns.BeforeAfter]]:
    """When observations happen at the place, and a before/after comparison for each action done there."""
    return (patterns.place_patterns(data.observations, data.meetings, name),
            patterns.action_effects(data.observations, data.actions, name, on))


# --- export ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Download:
    """One export file, built only when asked for."""

    label: str
    file_name: str
    mime: str
    key: str
    build: Callable[[], bytes]


def downloads(view: MapView, stamp: str) -> list[Download]:
    """The selection's places and observations as GeoJSON and as CSV."""
    files = []
    for label, stem, as_geojson, as_csv, frame in (
            ("Platser", "platser", places_geojson, places_csv, view.shown),
            ("Iakttagelser", "iakttagelser", observations_geojson, observations_csv, view.shown_observations)):
        files += [Download(f"{label} som GeoJSON", f"{stem}-{stamp}.geojson", "application/geo+json",
                           f"export_{stem}_geojson", lambda f=frame, g=as_geojson: g(f)),
                  Download(f"{label} som CSV", f"{stem}-{stamp}.csv", "text/csv", f"export_{stem}_csv",
                           lambda f=frame, g=as_csv: g(f))]
    return files


def export_text(view: MapView) -> str:
    """What the export holds, said above its buttons."""
    return (f"Exporten följer urvalet ovan – {len(view.shown)} platser och {number(len(view.shown_observations))} "
            "iakttagelser – och innehåller bara material som visas i den här vyn. CSV-filerna öppnas i Excel "
            "(semikolon, decimalkomma) och kan importeras igen.")
