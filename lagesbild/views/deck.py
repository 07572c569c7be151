"""The slide model of the council meeting: one slide per agenda item, which the presenter page, the
PowerPoint and the PDF handout all render (lagesbild.views.report).

The slide model holds only material marked `öppen`, whatever the viewer may see elsewhere: what is
shown in the council becomes public knowledge.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from .. import asof, cooperation, db, places, pledges, surveys
from ..agenda import QUESTIONS, load_agenda, load_answers, load_survey_waves
from ..config import Settings
from ..formatting import date as format_date, number
from ..stats import TrendSelection, build_trend, change_sentences, load_method_breaks
from .notices import example_notice
from .patterns import meeting_slide_part
from .samverkan import held_text

DEFAULT_AREA = Settings.area  # the council's own district when the agenda names none
PLACE_STATUS_ORDER = {status: i for i, status in enumerate(places.PLACE_STATUSES)}
MAX_LIST = 8  # rows a list on a slide shows before "och N till"


def _lines(body: str | None) -> list[str]:
    return [line.strip() for line in (body or "").splitlines() if line.strip()]


@dataclass
class Block:
    """One thing on a slide: `kind` says which, `content` holds its texts and numbers (JSON-ready)."""

    kind: str  # heading | text | note | bullets | table | chart | metrics | pledge | answers
    content: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The block as plain JSON-ready data."""
        return {"kind": self.kind, **self.content}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Block:
        """A block back from its dict."""
        content = dict(data)
        return cls(content.pop("kind"), content)


def heading(text: str) -> Block:
    """A sub-heading."""
    return Block("heading", {"text": text})


def text(body: str) -> Block:
    """A paragraph."""
    return Block("text", {"text": body})


def note(body: str) -> Block:
    """A paragraph in smaller type: definitions, dates, what a colour means."""
    return Block("note", {"text": body})


def bullets(items: list[str]) -> Block:
    """A bulleted list."""
    return Block("bullets", {"items": list(items)})


def table(header: list[str], rows: list[list[str]]) -> Block:
    """A small table of text cells."""
    return Block("table", {"header": list(header), "rows": [list(r) for r in rows]})


def chart(title: str, spec: dict[str, Any], description: str) -> Block:
    """A Vega-Lite chart with its data inline, so a snapshot keeps the numbers; `description` is its alt text."""
    return Block("chart", {"title": title, "spec": spec, "description": description})


def metrics(items: list[tuple[str, str]]) -> Block:
    """Big numbers with their labels: [(label, value), …]."""
    return Block("metrics", {"items": [[label, value] for label, value in items]})


def pledge_block(row: Any) -> Block:
    """One pledge with its status (None before the pledge year starts), counts and explaining sentence."""
    return Block("pledge", {
        "number": int(row.number), "text": row.text, "responsible": row.responsible, "done": int(row.done),
        "target": int(row.target),
        "expected": int(row.expected), "unit": row.unit, "sentence": row.sentence,
        "status": row.status if row.year_started else None,
        "show_pace": bool(row.year_started and not row.year_over)})


def answers(rows: list[list[str]]) -> Block:
    """Laget runt: one row per organisation (organisation, situation, changes, needs)."""
    return Block("answers", {"rows": [list(r) for r in rows]})


@dataclass
class Slide:
    """One agenda item on screen: title, columns of blocks side by side (relative widths) and a source line."""

    number: int
    kind: str
    title: str
    subtitle: str = ""
    columns: list[list[Block]] = field(default_factory=list)
    widths: list[int] = field(default_factory=list)
    source: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The slide as plain JSON-ready data."""
        return {"number": self.number, "kind": self.kind, "title": self.title, "subtitle": self.subtitle,
                "columns": [[b.to_dict() for b in column] for column in self.columns],
                "widths": list(self.widths), "source": self.source}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Slide:
        """A slide back from its dict."""
        return cls(data["number"], data["kind"], data["title"], data.get("subtitle", ""),
                   [[Block.from_dict(b) for b in column] for column in data["columns"]],
                   list(data.get("widths", [])), data.get("source", ""))

    def blocks(self) -> list[Block]:
        """Every block, column by column."""
        return [block for column in self.columns for block in column]


@dataclass
class Deck:
    """The whole meeting: which meeting, what it was compared with, the example notice and the slides."""

    council: str
    meeting_date: dt.date
    since: dt.date | None
    built_at: dt.datetime
    notice: str | None
    slides: list[Slide]

    def to_dict(self) -> dict[str, Any]:
        """The deck as plain JSON-ready data."""
        return {"council": self.council, "meeting_date": self.meeting_date.isoformat(),
                "since": self.since.isoformat() if self.since else None,
                "built_at": self.built_at.isoformat(timespec="seconds"), "notice": self.notice,
                "slides": [s.to_dict() for s in self.slides]}

    def to_json(self) -> str:
        """Canonical JSON (sorted keys, no spaces): the same deck always gives the same text and hash."""
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Deck:
        """A deck back from its dict."""
        return cls(data["council"], dt.date.fromisoformat(data["meeting_date"]),
                   dt.date.fromisoformat(data["since"]) if data.get("since") else None,
                   dt.datetime.fromisoformat(data["built_at"]), data.get("notice"),
                   [Slide.from_dict(s) for s in data["slides"]])

    def all_text(self) -> str:
        """Every text on every slide, for searching (tests, checks before a handout leaves the house)."""
        return json.dumps(self.to_dict(), ensure_ascii=False)


AS_OF_WORDS = "Läget per"


def default_meeting_date(engine: Engine, today: dt.date) -> dt.date:
    """Today; while only the example data is stored, the example's own council meeting (asof.as_of)."""
    return asof.as_of(engine, None, today)


@dataclass
class _Data:
    """Everything the slides draw on, loaded once, open material only, nothing dated after the meeting."""

    on: dt.date
    since: dt.date | None
    min_answers: int
    area: str
    forums: pd.DataFrame
    meetings: pd.DataFrame
    places: pd.DataFrame
    observations: pd.DataFrame
    actions: pd.DataFrame
    pledges: pd.DataFrame
    progress: pd.DataFrame
    results: pd.DataFrame
    indicators: pd.DataFrame
    waves: pd.DataFrame
    answers: pd.DataFrame
    agenda: pd.DataFrame


def _load(engine: Engine, on: dt.date, min_answers: int, area: str) -> _Data:
    # include_internal=False everywhere: the slide model is shown to the room, whatever the viewer's rights.
    meetings = places.in_window(cooperation.load_meetings(engine, include_internal=False), None, on)
    earlier = places.in_window(meetings, None, on - dt.timedelta(days=1))
    return _Data(
        on=on, since=cooperation.last_council_meeting(earlier), min_answers=min_answers, area=area,
        forums=cooperation.load_forums(engine), meetings=meetings, places=places.load_places(engine),
        observations=places.in_window(places.load_observations(engine, include_internal=False), None, on),
        actions=places.in_window(places.load_actions(engine, include_internal=False), None, on),
        pledges=pledges.load_pledges(engine, include_internal=False),
        progress=places.in_window(pledges.load_progress(engine, include_internal=False), None, on),
        results=surveys.load_results(engine), indicators=surveys.load_indicators(engine),
        waves=load_survey_waves(engine), answers=load_answers(engine, on), agenda=load_agenda(engine))


def build_deck(engine: Engine, meeting_date: dt.date, min_answers: int, area: str = DEFAULT_AREA,
               now: dt.datetime | None = None) -> Deck:
    """The slide model of the meeting on `meeting_date`: one slide per agenda item, open material only."""
    data = _load(engine, meeting_date, min_answers, area)
    council = data.forums.loc[data.forums["id"] == cooperation.COUNCIL, "name"]
    slides = [_slide(data, row, number) for number, row in enumerate(data.agenda.itertuples(index=False), start=1)]
    for slide in slides:  # every slide, and so every export, says which day it speaks for
        slide.source = f"{slide.source} {AS_OF_WORDS} {format_date(meeting_date)}.".strip()
    return Deck(council.iloc[0] if len(council) else "Trygghets- och säkerhetsrådet", meeting_date, data.since,
                (now or dt.datetime.now()).replace(microsecond=0), example_notice(db.example_kinds(engine)), slides)


def _slide(data: _Data, item: Any, number: int) -> Slide:
    builders = {"titel": _title, "dagordning": _agenda_list, "text": _text, "organisation": _organisation,
                "sedan_senast": _since_last, "aktivitet": _activity, "platser": _places, "statistik": _statistics,
                "medborgarloften": _pledges, "laget_runt": _round_table}
    slide = Slide(number, item.typ, item.rubrik)
    builders[item.typ](data, item, slide)
    if not slide.widths:
        slide.widths = [1] * len(slide.columns)
    return slide


def _more(items: list[str], limit: int = MAX_LIST) -> list[str]:
    return items if len(items) <= limit else [*items[:limit - 1], f"… och {len(items) - limit + 1} till"]


def _title(data: _Data, item: Any, slide: Slide) -> None:
    slide.subtitle = f"Rådsmöte {format_date(data.on)}"
    slide.columns = [[text(line) for line in _lines(item.text)]]


def _agenda_list(data: _Data, item: Any, slide: Slide) -> None:
    titles = [row.rubrik for row in data.agenda.itertuples() if row.typ not in ("titel", "dagordning")]
    numbered = [f"{i}. {t}" for i, t in enumerate(titles, start=1)]
    half = (len(numbered) + 1) // 2
    slide.columns = [[text(line) for line in numbered[:half]], [text(line) for line in numbered[half:]]]
    slide.columns = [c for c in slide.columns if c]


def is_subheading(line: str) -> bool:
    """Whether an agenda text line is a sub-heading: a short line ending with a colon (or the file's "# …")."""
    line = line.strip()
    return line.startswith("#") or (line.endswith(":") and 1 < len(line) <= 80)


def editable_text(body: str) -> str:
    """The agenda text as the editor shows it: "# Mål" becomes "Mål:", so there is no markup to learn."""
    return "\n".join(f"{line.lstrip('#').strip()}:" if line.strip().startswith("#") else line
                     for line in str(body or "").splitlines())


def text_blocks(body: str) -> list[Block]:
    """Agenda text as blocks: a sub-heading (is_subheading) and the lines under it as bullets."""
    blocks: list[Block] = []
    pending: list[str] = []
    for line in _lines(body):
        if is_subheading(line):
            if pending:
                blocks.append(bullets(pending))
                pending = []
            blocks.append(heading(line.lstrip("#").strip().rstrip(":").strip()))
        else:
            pending.append(line)
    if pending:
        blocks.append(bullets(pending))
    return blocks


def _text(data: _Data, item: Any, slide: Slide) -> None:
    slide.columns = [text_blocks(item.text)]


def _organisation(data: _Data, item: Any, slide: Slide) -> None:
    bodies = data.forums[data.forums["kind"] == "organisation"]
    follow = cooperation.follow_up(bodies, data.meetings, data.on.year, data.on).set_index("forum_id")
    for row in bodies.itertuples():
        f = follow.loc[row.id]
        slide.columns.append([
            heading(row.name), text(row.purpose),
            note(f"Deltagare: {row.participants}"), note(f"Mötesfrekvens: {row.frequency}"),
            note("Möten: " + held_text(int(f.held), _int(f.planned), _int(f.planned_so_far),
                                                    data.on.year, data.on) + ".")])
    slide.source = "Källa: samverkansöverenskommelsen och registrerade möten (öppna)."


def _int(value: Any) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def _changes_since(data: _Data) -> dict[str, Any]:
    """What happened between the previous council meeting and this one: places, observations,
    actions, pledge progress and survey waves (open material only)."""
    observations, actions, progress = (places.in_window(frame, data.since, None)
                                       for frame in (data.observations, data.actions, data.progress))
    active = cooperation.places_active_since(data.observations, data.actions, data.since)
    dated = pd.concat([data.observations[["place", "date"]], data.actions[["place", "date"]]])
    first = dated.groupby("place")["date"].min()
    new_places = sorted(first[[d >= data.since for d in first]].index) if data.since else []
    waves = data.waves[[data.since is None or (int(y) >= data.since.year and when.date() >= data.since)
                        for y, when in zip(data.waves["year"], data.waves["imported_at"])]]
    return {"places": active, "new_places": new_places, "observations": observations, "actions": actions,
            "progress": progress, "waves": waves}


def _since_last(data: _Data, item: Any, slide: Slide) -> None:
    changes = _changes_since(data)
    if data.since is None:
        slide.subtitle = "Inget tidigare rådsmöte är registrerat: allt som finns visas"
    else:
        slide.subtitle = f"Från rådsmötet {format_date(data.since)} till {format_date(data.on)}"
    done = changes["actions"]
    slide.columns = [
        [metrics([("platser med nya iakttagelser eller åtgärder", number(len(changes["places"]))),
                  ("nya platser", number(len(changes["new_places"]))),
                  ("nya iakttagelser", number(len(changes["observations"]))),
                  ("åtgärder", number(len(done))),
                  ("framsteg för medborgarlöften", number(int(changes["progress"]["amount"].sum()))),
                  ("nya undersökningsomgångar", number(len(changes["waves"])))])],
        [heading("Platser med nytt sedan senast"),
         bullets(_more([f"{name} ({format_date(when)}{', ny plats' if name in changes['new_places'] else ''})"
                        for name, when in changes["places"].items()])
                 or ["Inga nya iakttagelser eller åtgärder."]),
         heading("Åtgärder"),
         note(" · ".join(f"{status}: {number(count)}" for status, count in
                         done["status"].value_counts().reindex(places.ACTION_STATUSES[::-1]).dropna().items())
              or "Inga åtgärder registrerade."),
         heading("Medborgarlöften och undersökningar"),
         bullets(_pledge_progress_lines(data, changes["progress"]) + _wave_lines(changes["waves"])
                 or ["Inga framsteg registrerade och inga nya undersökningsomgångar."])],
    ]
    slide.widths = [2, 3]
    slide.source = ("Nya platser: platser vars första iakttagelse eller åtgärd kom efter förra rådsmötet. "
                    "Undersökningsomgångar från mötesåret eller senare som importerats sedan dess. "
                    "Endast öppet material.")


def _pledge_progress_lines(data: _Data, progress: pd.DataFrame) -> list[str]:
    numbers = dict(zip(data.pledges["id"], zip(data.pledges["year"], data.pledges["number"])))
    lines = []
    for row in progress.itertuples():
        year, nr = numbers.get(row.pledge_id, ("?", "?"))
        amount = f" ({row.amount})" if row.amount != 1 else ""
        lines.append(f"Medborgarlöfte {nr} {year}: {row.description}{amount} ({format_date(row.date)})")
    return _more(lines, 4)


def _wave_lines(waves: pd.DataFrame) -> list[str]:
    return [f"{surveys.SURVEY_BY_ID[s].name if s in surveys.SURVEY_BY_ID else s} {y}, ny omgång"
            for s, y in zip(waves["survey"], waves["year"])]


def _activity(data: _Data, item: Any, slide: Slide) -> None:
    forum = data.forums[data.forums["id"] == item.källa]
    if forum.empty:
        slide.columns = [[text(f"Samverkansaktiviteten {item.källa} finns inte längre i "
                               "samverkansöverenskommelsen.")]]
        return
    row = forum.iloc[0]
    f = cooperation.follow_up(forum, data.meetings, data.on.year, data.on).iloc[0]
    theme = f"{row['theme']} · " if row["theme"] and row["theme"] != row["name"] else ""
    slide.subtitle = f"{theme}Mål: {row['goal']}" if row["goal"] else theme.rstrip(" ·")
    slide.columns = [
        [heading("Vad har vi gjort"), note(f"Senast antecknat {format_date(f.done_date)}" if f.done_date else
                                           "Inget antecknat ännu."), bullets(_lines(f.done))],
        [heading("Hur fortsätter vi"), note(f"Senast antecknat {format_date(f.next_date)}" if f.next_date else
                                            "Inget antecknat ännu."), bullets(_lines(f.next))],
    ]
    held = held_text(int(f.held), _int(f.planned), _int(f.planned_so_far), data.on.year, data.on)
    slide.source = f"Möten: {held}. Källa: aktivitetens mötesanteckningar (öppna)."


def _places(data: _Data, item: Any, slide: Slide) -> None:
    frame = data.places.assign(order=data.places["status"].map(PLACE_STATUS_ORDER).fillna(99))
    latest = cooperation.places_active_since(data.observations, data.actions, None)
    rows = []
    for row in frame.sort_values(["order", "name"]).itertuples():
        followup = row.next_followup if isinstance(row.next_followup, dt.date) else None
        passed = " (passerat)" if followup and followup < data.on else ""
        rows.append([row.name, row.status, format_date(latest.get(row.name)) or "–",
                     (format_date(followup) + passed) if followup else "–"])
    slide.columns = [[table(["Plats", "Status", "Senaste iakttagelse eller åtgärd", "Nästa uppföljning"], rows)]
                     if rows else [text("Inga otrygga platser är registrerade.")]]
    # What an action changed: observations per month before and after it, at its place (open material only).
    if (part := meeting_slide_part(data.observations, data.actions, data.on)) is not None:
        slide.columns.append([heading(part.heading), chart(part.chart_title, part.chart_spec, part.chart_description),
                              bullets(part.lines)])
        slide.widths = [3, 2]
    slide.source = ("Källa: platsregistret med öppna iakttagelser och åtgärder. "
                    "Platsernas lägesbild och tidslinje finns på sidan Karta.")


def _statistics(data: _Data, item: Any, slide: Slide) -> None:
    parts = [p.strip() for p in item.källa.split("/")]
    survey, indicator = surveys.survey_id(parts[0]) or parts[0], parts[1]
    area = parts[2] if len(parts) > 2 else data.area
    about = data.indicators[(data.indicators["survey"] == survey) & (data.indicators["indicator"] == indicator)]
    name = about["name"].iloc[0] if len(about) else indicator
    survey_name = surveys.SURVEY_BY_ID[survey].name if survey in surveys.SURVEY_BY_ID else survey
    selected = data.results[(data.results["survey"] == survey) & (data.results["indicator"] == indicator)]
    years = [int(y) for y in selected["year"].unique() if int(y) <= data.on.year]
    if not years:
        slide.columns = [[text(f"Inga resultat för {name} i {survey_name} ännu.")]]
        return
    trend = build_trend(data.results, TrendSelection(survey, indicator, area, years=(min(years), max(years))),
                        data.min_answers, load_method_breaks())
    # Imported here: Altair weighs 25 MB in every app process, and only the statistics slide draws a chart.
    from .charts import trend_chart, trend_heading

    title, subtitle = trend_heading(trend, survey_name, name)
    figure = trend_chart(trend.frame, title, subtitle, trend.series, trend.city_series, trend.breaks, trend.waves)
    sentences = change_sentences(trend, name)
    explain = [text(line) for line in _lines(item.text)]
    if len(about) and about["definition"].iloc[0]:
        explain.append(note(f"{about['definition'].iloc[0]}."))
    slide.subtitle = f"{survey_name} {trend.waves[0]}–{trend.waves[-1]}"
    slide.columns = [[chart(name, json.loads(figure.to_json()), " ".join(sentences))],
                     [*explain, bullets(sentences)]]
    slide.widths = [3, 2]
    notes = " ".join(trend.notes())
    slide.source = (f"Källa: {survey_name}. Streck: 95 % konfidensintervall (Wilson). Grupper med färre än "
                    f"{data.min_answers} svar redovisas inte (\"..\"). {notes}"
                    + (" Exempeldata." if trend.example else "")).strip()


def _pledges(data: _Data, item: Any, slide: Slide) -> None:
    if data.pledges.empty:
        slide.columns = [[text("Inga medborgarlöften är registrerade.")]]
        return
    year = pledges.default_year(data.pledges["year"], data.on)
    frame = pledges.with_status(data.pledges[data.pledges["year"] == year], data.progress, data.on)
    slide.subtitle = f"Medborgarlöften {year}, status {format_date(data.on)}"
    blocks = [pledge_block(row) for row in frame.itertuples()]
    shown = [s for s in pledges.STATUSES if s in set(frame.loc[frame["year_started"], "status"])]
    if shown:
        blocks.append(note("Status: " + " · ".join(f"{s} – {pledges.STATUS_MEANINGS[s]}" for s in shown) + "."))
    slide.columns = [blocks]
    slide.source = "Källa: medborgarlöftena och de framsteg som registrerats (öppna)."


def _round_table(data: _Data, item: Any, slide: Slide) -> None:
    questions = _lines(item.text) or list(QUESTIONS)
    recorded = [[r.organisation, r.situation, r.changes, r.needs] for r in data.answers.itertuples()]
    slide.columns = [[Block("bullets", {"items": questions, "numbered": True}),
                      answers(recorded) if recorded else note("Inga svar är antecknade än.")]]
    slide.source = f"Svaren antecknas under mötet {format_date(data.on)} och sparas med den låsta lägesbilden."
