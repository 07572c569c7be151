"""What Rapportera (the partners' field form) and Granska (the editors' queue) show and do, and the public grid."""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import places, submissions
from ..audit import Actor
from ..formatting import date as date_text
from ..formatting import markdown_escape as md
from ..schema import loaded_time
from ..submissions import Stop
from .maps import count_text

CATEGORIES = places.CATEGORIES
PHOTO_TYPES = ["jpg", "jpeg", "png", "heic", "heif"]
MAX_PHOTO_MB = 20  # lagesbild.photos.MAX_BYTES, said by the uploader before anything is sent
CONFIDENTIALITY = places.CONFIDENTIALITY
KIND_TEXT = {"iakttagelse": "Iakttagelse", "trygghetsvandring": "Trygghetsvandring", "laget_runt": "Laget runt"}
STATUS_TEXT = {"inskickad": "Väntar på granskning", "publicerad": "Publicerad", "avvisad": "Avvisad"}
OWN_POSITION = "Min position (ange ett namn på platsen)"
# The optional time of day, as Karta's forms and the queue's correction ask for it.
TIME_LABEL, TIME_HELP = "Klockslag (om det är känt)", "Lämna tomt om klockslaget inte är känt."
THANKS = ("Tack! Inskicket är mottaget. En redaktör granskar det innan det syns i lägesbilden; "
          "under Mina inskick ser du vad som händer med det.")

# --- the public map's grid ---------------------------------------------------------------------------------

METRES_PER_DEGREE = 111_320.0
# One fixed latitude for the east–west step, so that every point in the district falls in the same cells.
GRID_LATITUDE = 59.33


def _snapped(lat: np.ndarray, lon: np.ndarray, metres: float) -> tuple[np.ndarray, np.ndarray]:
    lat_step = metres / METRES_PER_DEGREE
    lon_step = metres / (METRES_PER_DEGREE * math.cos(math.radians(GRID_LATITUDE)))
    return (np.round((np.floor(lat / lat_step) + 0.5) * lat_step, 6),
            np.round((np.floor(lon / lon_step) + 0.5) * lon_step, 6))


def snap_to_grid(lat: float, lon: float, metres: float = 200) -> tuple[float, float]:
    """The centre of the metres × metres cell the point lies in: what the public map may show of an own point."""
    cell_lat, cell_lon = _snapped(np.array([lat], dtype=float), np.array([lon], dtype=float), metres)
    return float(cell_lat[0]), float(cell_lon[0])


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Metres between two points (equirectangular; exact enough within a district)."""
    north = (a[0] - b[0]) * METRES_PER_DEGREE
    east = (a[1] - b[1]) * METRES_PER_DEGREE * math.cos(math.radians((a[0] + b[0]) / 2))
    return math.hypot(north, east)


def public_points(observations: pd.DataFrame, metres: float = 200) -> pd.DataFrame:
    """The observations with every öppen own point snapped to the grid; intern points stay exact (intern roles only).

    Column-wise, and only lat and lon are new: the map runs this for every session on every rerun.
    """
    snap = (observations["own_point"].astype(bool) & (observations["confidentiality"] == "öppen")).to_numpy()
    if not snap.any():
        return observations
    lat, lon = observations["lat"].to_numpy(dtype=float), observations["lon"].to_numpy(dtype=float)
    cell_lat, cell_lon = _snapped(lat, lon, metres)
    return observations.assign(lat=np.where(snap, cell_lat, lat), lon=np.where(snap, cell_lon, lon))


GRID_NOTE = ("Iakttagelser med egen punkt visas för allmänheten bara i en ruta på 200 × 200 meter, "
             "inte på den exakta platsen.")

# --- the field form ----------------------------------------------------------------------------------------


def place_choices(place_frame: pd.DataFrame) -> list[str]:
    """The listed places, alphabetically, then the choice to use the phone's position."""
    return sorted(place_frame["name"], key=str.casefold) + [OWN_POSITION]


def stop_from_form(place: str, own_name: str, category: str, description: str, seen_on: dt.date | None,
                   seen_at: dt.time | None, position: dict | None, uploads: list[tuple[str, bytes]]) -> Stop:
    """One thing seen, as the form holds it: a listed place, or the phone's position with a typed name."""
    own = place == OWN_POSITION
    lat = lon = None
    if own and position and "lat" in position:
        lat, lon = float(position["lat"]), float(position["lon"])
    return Stop((own_name if own else place) or "", category or "", description or "", seen_on,
                seen_at.strftime("%H:%M") if seen_at else "", lat, lon, tuple(uploads))


def submit(engine, by: Actor, organisation: str, stops: list[Stop], walk: bool = False,
           today: dt.date | None = None) -> str:
    """Send one observation, or a walk's stops, for review; returns the thanks, raises InputError naming every problem."""
    submissions.submit(engine, organisation, stops, "trygghetsvandring" if walk else "iakttagelse", today=today, by=by)
    return THANKS


def submit_round_answer(engine, by: Actor, meeting_date: dt.date | None, organisation: str, situation: str,
                        changes: str, needs: str) -> str:
    """Send the organisation's laget-runt answer for review; returns the thanks."""
    submissions.submit_round_answer(engine, meeting_date, organisation,
                                    {"situation": situation, "changes": changes, "needs": needs}, by=by)
    return THANKS


def add_stop(stops: list[Stop], stop: Stop, today: dt.date | None = None) -> str:
    """Check a walk's stop and add it to `stops`; returns the confirmation, raises InputError naming every problem."""
    submissions.check_stop(stop, today or dt.date.today())
    stops.append(stop)
    return f"Stopp {len(stops)} är tillagt. Fyll i nästa stopp, eller skicka in vandringen."


def walk_text(stops: list[Stop]) -> str:
    """The walk's stops so far, as a numbered Markdown list."""
    return "\n".join(f"{n}. **{md(s.place)}** · {md(s.category)} · {md(s.description)}"
                     for n, s in enumerate(stops, start=1))


def position_text(position: dict | None) -> str:
    """The phone's position as a resident reads it, or what to do to get it."""
    if not position:
        return "Ingen position än. Tryck på knappen; telefonen frågar om du vill dela din position."
    if position.get("error"):
        return f"Positionen gick inte att hämta: {position['error']}. Välj en plats i listan i stället."
    accuracy = f", ungefär ± {position['accuracy']:.0f} m" if position.get("accuracy") else ""
    return f"Position hämtad: {position['lat']:.5f}, {position['lon']:.5f}{accuracy}".replace(".", ",", 2)


def my_submissions(own: pd.DataFrame) -> pd.DataFrame:
    """The submitter's own list: when, where, what, and what became of it (with the reason if rejected)."""
    outcome = [("Publicerad som intern" if s == "publicerad" and c == "intern" else STATUS_TEXT[s])
               for s, c in zip(own["status"], own["confidentiality"])]
    return pd.DataFrame({
        "Skickat": [date_text(t) for t in own["submitted_at"]],
        "Plats": own["place"], "Kategori": own["category"], "Vad du såg": own["description"],
        "Bilder": own["photos"], "Status": outcome, "Kommentar": own["reason"].fillna("")})


def my_submission_cards(own: pd.DataFrame) -> list[str]:
    """The own list as one short Markdown card per stop, readable on a phone; typed text shown as typed."""
    cards = []
    for row in my_submissions(own).to_dict("records"):
        count = row["Bilder"]
        photos = f" · {count} bild{'er' if count != 1 else ''}" if count else ""
        comment = f"\n\nKommentar från redaktören: {md(row['Kommentar'])}" if row["Kommentar"] else ""
        cards.append(f"**{row['Status']}** · skickat {row['Skickat']}\n\n**{md(row['Plats'])}** · "
                     f"{md(row['Kategori'])}{photos}\n\n{md(row['Vad du såg'])}{comment}")
    return cards


# --- the editors' queue ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueItem:
    """One waiting submission: the heading the editor reads, its stops and whether a new place is needed."""

    submission_id: int
    heading: str
    stops: pd.DataFrame
    needs_new_place: bool
    is_round_answer: bool


def queue(waiting: pd.DataFrame, place_frame: pd.DataFrame) -> list[QueueItem]:
    """The waiting submissions, newest first, each with its stops."""
    known = {name.casefold() for name in place_frame["name"]}
    items = []
    for submission_id, stops in waiting.groupby("id", sort=False):
        first = stops.iloc[0]
        kind = KIND_TEXT[first["kind"]]
        is_round = first["kind"] == submissions.ROUND
        heading = (f"{kind} från {first['organisation']} · skickad {date_text(first['submitted_at'])} "
                   f"av {first['submitted_by']}")
        items.append(QueueItem(int(submission_id), heading, stops.reset_index(drop=True),
                               not is_round and any(p.casefold() not in known for p in stops["place"]), is_round))
    return items


def stop_text(stop: pd.Series) -> str:
    """One stop as the editor reads it: place, date and time, category, what was seen, photos."""
    when = date_text(stop["seen_on"]) + (f" kl. {stop['seen_at']}" if stop["seen_at"] else "")
    point = (f" · position {stop['lat']:.5f}, {stop['lon']:.5f}".replace(".", ",") if pd.notna(stop["lat"]) else "")
    photos = f" · {stop['photos']} bild{'er' if stop['photos'] != 1 else ''}" if stop["photos"] else ""
    return f"**{md(stop['place'])}** · {when} · {md(stop['category'])}{point}{photos}\n\n{md(stop['description'])}"


def correct(engine, by: Actor, stop_id: int, place: str, category: str, description: str,
            seen_on: dt.date | None, seen_at: dt.time | None) -> str:
    """Save the editor's correction; returns the confirmation."""
    submissions.correct(engine, stop_id, place, category, description, seen_on, seen_at, by=by)
    return "Rättelsen är sparad. Inskicket väntar fortfarande på att publiceras."


def publish(engine, by: Actor, submission_id: int, confidentiality: str, area: str, show_photos: bool,
            is_round_answer: bool = False) -> str:
    """Publish the submission as observations (or a laget-runt answer); returns the confirmation."""
    if is_round_answer:
        submissions.publish(engine, submission_id, confidentiality, by=by)
        return "Svaret är publicerat i laget runt inför rådsmötet."
    count = len(submissions.publish(engine, submission_id, confidentiality, area, show_photos, by=by))
    return f"Publicerat som {count_text(count)} märkt {confidentiality}. Den som skickade in ser att det är publicerat."


def reject(engine, by: Actor, submission_id: int, reason: str) -> str:
    """Reject the submission with a reason; returns the confirmation."""
    submissions.reject(engine, submission_id, reason, by=by)
    return "Inskicket är avvisat. Den som skickade in ser skälet under Mina inskick."


def photos(engine, by: Actor, stop_id: int) -> list[bytes]:
    """The stop's photos (JPEG without EXIF) for the editor or the submitter."""
    return submissions.load_photos(engine, stop_id, by)


def load_own(engine, by: Actor) -> pd.DataFrame:
    """The person's own submissions (for ui.cached)."""
    return submissions.load_own(engine, by)


def load_queue(engine, by: Actor) -> pd.DataFrame:
    """The waiting submissions (for ui.cached)."""
    return submissions.load_queue(engine, by)


# --- asking the phone for its position, only on a tap (st.components.v2; served by the app, no CDN) ----------

POSITION_HTML = '<button type="button" class="where">Hämta min position</button><p class="said"></p>'
POSITION_CSS = """
.where { width: 100%; min-height: 3.2rem; font-size: 1.1rem; border-radius: .5rem; border: 1px solid #888;
         background: var(--st-secondary-background-color, #f0f2f6); color: inherit; cursor: pointer;
         font-family: inherit; }
.said { margin: .3rem 0 0; font-size: .9rem; }
"""
POSITION_JS = """
export default function(component) {
  const { setStateValue, parentElement } = component;
  const button = parentElement.querySelector('.where');
  const said = parentElement.querySelector('.said');
  button.onclick = () => {
    if (!navigator.geolocation) {
      setStateValue('position', { error: 'webbläsaren kan inte dela position' });
      return;
    }
    said.textContent = 'Hämtar position …';
    navigator.geolocation.getCurrentPosition(
      (p) => { said.textContent = ''; setStateValue('position', { lat: p.coords.latitude, lon: p.coords.longitude,
                                                                accuracy: p.coords.accuracy }); },
      (e) => { said.textContent = ''; setStateValue('position', { error: e.code === 1 ?
               'du tillät inte att positionen delas' : 'telefonen hittade ingen position' }); },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  };
}
"""
