"""The Rådsmöte screen: which deck is shown (today's or a locked one), the preparation view's tables and texts,
the slide bar's steps, the downloads, and the meeting's writes with the sentence each one confirms with."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Callable, Mapping

import pandas as pd
from sqlalchemy import Engine

from .. import agenda, params, snapshots
from ..audit import Actor
from ..formatting import date
from ..snapshots import Snapshot
from . import report
from .deck import Deck, build_deck, editable_text  # noqa: F401 - build_deck is the page's, through ui.cached

QUESTIONS = agenda.QUESTIONS
KINDS, KIND_LABELS = agenda.KINDS, agenda.KIND_LABELS
# The answer form's widget keys: the organisation, then one per question.
ANSWER_KEYS = ("answer_org", *(f"answer_{i}" for i in range(len(QUESTIONS))))
# The data functions the page calls as they are (through ui.cached or a button).
load_answers, load_default_agenda = agenda.load_answers, agenda.load_default_agenda

INTRO = ("Lägesbilden som bildspel för rådsmötet: dagordningen visas en bild i taget, med endast öppet material "
         "oavsett vem som är inloggad. Bläddra med knapparna, piltangenterna eller en presentationspekare "
         "(PageUp/PageDown).")
DATE_HELP = ("Lägesbilden visas som den var detta datum, på alla sidor; förändringar räknas från föregående "
             "rådsmöte.")
AGENDA_INTRO = "Varje punkt blir en bild, i nummerordning. Ändra i tabellen och spara; rader läggs till längst ned."
LOCK_HELP = "Sparar exakt det som visas, med datum och kontrollsumma, för protokollet."
MISSING_SNAPSHOT = "Den låsta lägesbilden finns inte."
NO_SNAPSHOTS = "Ingen lägesbild är låst än. Lås den under mötet i bildspelets meny."
PRIVACY_REMINDER = "Skriv aldrig namn, personnummer eller kontaktuppgifter: lägesbilden ska vara generell."
# The agenda editor's columns: the Streamlit column type (st.column_config.<type>) and what it is given.
AGENDA_COLUMNS: dict[str, tuple[str, dict[str, Any]]] = {
    "nr": ("NumberColumn", dict(label="Nr", width="small", min_value=1, step=1, help="Bildens plats i ordningen.")),
    "typ": ("SelectboxColumn", dict(label="Typ av bild", options=list(KINDS), required=True, width="medium",
                                    format_func=lambda kind: KIND_LABELS.get(kind, kind),
                                    help="Vad bilden visar; se listan under tabellen.")),
    "rubrik": ("TextColumn", dict(label="Rubrik", width="medium", required=True)),
    "källa": ("TextColumn", dict(label="Källa", width="small",
                                 help="Bara för Samverkansaktivitet och Statistik; se listan under tabellen.")),
    "text": ("TextColumn", dict(label="Text", width="large",
                                help="En punkt per rad. En kort rad som slutar med kolon blir en underrubrik.")),
}
KIND_HELP = "\n".join(f"- **{KIND_LABELS.get(kind, kind)}** – {about}" for kind, about in KINDS.items())

# The meeting room: a fixed bar at the bottom for Föregående/Nästa, type sized for the back of the room.
NAV_CSS = """
<style>
.st-key-slide_nav { position: fixed; left: 0; right: 0; bottom: 0; z-index: 990; background: #ffffff;
  border-top: 1px solid #e3e7ec; padding: 0.5rem 2.5rem; }
.st-key-slide_nav p { font-size: 1.2rem; }
.st-key-slide_nav .stAlert { flex: 1 1 0; }
.st-key-slide_nav .stAlert > div { padding: 0.45rem 0.8rem; }
.st-key-slide_nav .stAlert p { font-size: 0.95rem !important; }
.st-key-slide_pagedown, .st-key-slide_pageup { display: none !important; }
.block-container { padding-bottom: 6rem !important; }
/* No chart toolbar (fullscreen, download) on a slide. */
[data-testid="stElementToolbar"], .vega-embed details { display: none !important; }
</style>
"""
ROOM_CSS = report.SLIDE_CSS + NAV_CSS


def open_snapshot(engine: Engine, param: str) -> Snapshot | None:
    """The locked lägesbild named by ?ogonblick=, or None when there is none by that id.

    Not cached: the checksum is checked against the row as stored now, in case it was altered outside the app.
    """
    snapshot_id = params.record_id(param)
    return None if snapshot_id is None else snapshots.load_snapshot(engine, snapshot_id)


def date_notice(param: str | None, today: dt.date | None = None) -> str | None:
    """What to say when ?datum= in the address is not a date the meeting can be shown for, else None."""
    return params.meeting_date(param, today or dt.date.today())[1]


def slide_number(param: str | None, total: int) -> int:
    """The slide ?bild= asks for, the nearest one when out of range."""
    return params.slide_number(param, total)


def address(deck: Deck, snapshot: Snapshot | None) -> dict[str, str]:
    """The query parameters that reopen this deck: the locked lägesbild, or the meeting date."""
    return {"ogonblick": str(snapshot.id)} if snapshot else {"datum": deck.meeting_date.isoformat()}


def step(where: dict[str, str], number: int, total: int, by: int) -> dict[str, str]:
    """The address of the slide `by` steps from `number`, kept within the deck."""
    return {**where, "bild": str(min(max(number + by, 1), total))}


def slide_buttons(where: dict[str, str], number: int, total: int) -> list[dict[str, Any]]:
    """The slide bar's buttons (st.button's arguments; kwargs is the address to go to): Föregående and Nästa
    for the mouse and the arrow keys, then the two a presentation clicker presses (PageUp/PageDown), hidden."""
    back, forward = {"kwargs": step(where, number, total, -1)}, {"kwargs": step(where, number, total, 1)}
    return [dict(label="Föregående", key="slide_prev", disabled=number == 1, icon=":material/arrow_back:",
                 shortcut="Left", **back),
            dict(label="Nästa", key="slide_next", disabled=number == total, icon=":material/arrow_forward:",
                 icon_position="right", shortcut="Right", type="primary", **forward),
            dict(label="Föregående", key="slide_pageup", shortcut="PageUp", **back),
            dict(label="Nästa", key="slide_pagedown", shortcut="PageDown", **forward)]


@dataclass(frozen=True)
class Download:
    """One download button: its label, the file's bytes (made when asked for), name, type and icon."""

    label: str
    data: Callable[[], bytes]
    file_name: str
    mime: str
    icon: str
    key: str


def downloads(deck: Deck, snapshot: Snapshot | None) -> list[Download]:
    """The PowerPoint and the PDF handout of the deck shown (a locked one's handout says so)."""
    name = f"lagesbild-{deck.meeting_date.isoformat()}"
    note = snapshot.describe() if snapshot else None
    return [Download("PowerPoint", lambda: report.pptx_bytes(deck), f"{name}.pptx",
                     "application/vnd.openxmlformats-officedocument.presentationml.presentation",
                     ":material/slideshow:", "pptx"),
            Download("PDF-underlag", lambda: report.pdf_bytes(deck, note), f"{name}.pdf", "application/pdf",
                     ":material/picture_as_pdf:", "pdf")]


def previous_meeting_text(deck: Deck) -> str:
    """The sentence under the date picker: which council meeting the changes are counted from."""
    return f"Föregående rådsmöte: {date(deck.since) or 'inget registrerat'}."


def agenda_titles(deck: Deck) -> pd.DataFrame:
    """The agenda as a read-only table: Nr and Rubrik per slide."""
    return pd.DataFrame({"Nr": [s.number for s in deck.slides], "Rubrik": [s.title for s in deck.slides]})


def editable_agenda(frame: pd.DataFrame) -> pd.DataFrame:
    """The stored agenda as the editor shows it: sub-headings written "Mål:", without markup."""
    return frame.assign(text=frame["text"].map(editable_text))


def answer_choices(answers: pd.DataFrame) -> dict[int, str]:
    """The recorded answers a mistaken one is picked from: id → organisation."""
    return dict(zip(answers["id"], answers["organisation"]))


def answers_label(deck: Deck) -> str:
    """What the removal of a recorded answer is called: ui.remove_control's "Ta bort …" and its list."""
    return f"svar från laget runt {date(deck.meeting_date)}"


def snapshot_label(row: Any) -> str:
    """One locked lägesbild in the list (a row of ui.load("snapshots")): meeting, time locked, checksum start."""
    return f"{date(row.meeting_date)} – låst {row.locked_at:%Y-%m-%d %H:%M}, kontrollsumma {row.sha256[:12]}…"


def save_answer(engine: Engine, meeting_date: dt.date, form: Mapping[str, Any], *, by: Actor,
                now: dt.datetime | None = None) -> str:
    """Record the answers typed in the form (its values under ANSWER_KEYS); returns the confirmation."""
    organisation, *answers = (form.get(key, "") for key in ANSWER_KEYS)
    agenda.add_answer(engine, meeting_date, organisation, *answers, now or dt.datetime.now(), by=by)
    return f"Svaret från {(organisation or '').strip()} är antecknat."


def save_agenda(engine: Engine, frame: pd.DataFrame, *, by: Actor) -> str:
    """Store the edited agenda; returns the confirmation."""
    agenda.save_agenda(engine, frame, by=by)
    return "Dagordningen är sparad."


def lock(engine: Engine, deck: Deck, *, by: Actor, now: dt.datetime | None = None) -> str:
    """Lock the deck as shown, for the minutes; returns the locked lägesbild's description."""
    snapshot_id = snapshots.lock(engine, deck, now or dt.datetime.now(), by=by)
    return snapshots.load_snapshot(engine, snapshot_id).describe()
