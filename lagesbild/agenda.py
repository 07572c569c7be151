"""The council meeting's data: its agenda (data, not code) and the round-the-table answers.

The slide model that the presenter page, the PowerPoint and the PDF handout render from it lives in
lagesbild.views.deck.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Engine, delete, func, insert, select

from . import audit, auth, db, schema, surveys
from .audit import Actor
from .config import DATA_DIR
from .privacy import personal_data
from .db import atomic
from .problems import Problem, raise_if
from .tabular import read_table

AGENDA_FILE = DATA_DIR / "dagordning.csv"

# What each kind of agenda item shows; the Swedish ids are what the agenda file and the editor use.
KINDS = {
    "titel": "titelbild med rådets namn, mötesdatum och texten",
    "dagordning": "dagordningens rubriker",
    "text": "egen text: en punkt per rad; en kort rad som slutar med kolon är en underrubrik",
    "organisation": "chefsamråd, råd och beredningsgrupp med hållna och planerade möten",
    "sedan_senast": "det som hänt sedan föregående rådsmöte",
    "aktivitet": "en samverkansaktivitet: vad har vi gjort, hur fortsätter vi (källa: aktivitetens id)",
    "platser": "de otrygga platserna med status och nästa uppföljning",
    "statistik": "en indikator med 95 % konfidensintervall (källa: undersökning/indikator eller "
                 "undersökning/indikator/område)",
    "medborgarloften": "medborgarlöftena och hur långt arbetet har kommit",
    "laget_runt": "laget runt: de tre frågorna (en per rad) och organisationernas svar",
}
# What the editor shows for each kind: a label a person reads, not the id the file stores.
KIND_LABELS = {"titel": "Titelbild", "dagordning": "Dagordning", "text": "Egen text", "organisation": "Organisation",
               "sedan_senast": "Sedan senaste mötet", "aktivitet": "Samverkansaktivitet", "platser": "Otrygga platser",
               "statistik": "Statistik", "medborgarloften": "Medborgarlöften", "laget_runt": "Laget runt"}
AGENDA_FIELDS = schema.AGENDA_ITEM.fields({"typ": tuple(KINDS)})
# The deck's three questions; the answers are stored in this order (situation, changes, needs).
QUESTIONS = (
    "Vad upplever ni för situation för er verksamhet och era brukare avseende trygghet och säkerhet?",
    "Förändringar/utveckling?",
    "Vad behöver stadsdelsförvaltningen och kommunpolisen jobba med nästa år?",
)


# --------------------------------------------------------------------------- the agenda

def check_agenda(file_name: str, frame: pd.DataFrame) -> list[Problem]:
    """Every problem with an agenda: repeated numbers, missing or malformed sources, personal data."""
    problems = []
    seen: dict[int, int] = {}
    for row in frame.itertuples(index=False):
        if row.nr in seen:
            problems.append(Problem(file_name, f"nummer {row.nr} finns redan på rad {seen[row.nr]}", row.rad, "nr"))
        seen.setdefault(row.nr, row.rad)
        source = (row.källa or "").strip()
        if row.typ == "aktivitet" and not source:
            problems.append(Problem(file_name, "ange samverkansaktivitetens id, t.ex. klara", row.rad, "källa"))
        if row.typ == "statistik":
            parts = source.split("/")
            if len(parts) not in (2, 3) or not all(p.strip() for p in parts):
                problems.append(Problem(file_name, f'"{source}" är inte undersökning/indikator '
                                                   "(t.ex. medborgarundersokningen/trygg_kvall)", row.rad, "källa"))
            elif surveys.survey_id(parts[0]) is None:
                problems.append(Problem(file_name, f'okänd undersökning "{parts[0]}"', row.rad, "källa"))
        if row.typ == "laget_runt" and len(_lines(row.text)) not in (0, len(QUESTIONS)):
            problems.append(Problem(file_name, f"skriv de {len(QUESTIONS)} frågorna, en per rad "
                                               "(eller lämna tomt för rådets frågor)", row.rad, "text"))
        for column in ("rubrik", "text"):
            problems += [Problem(file_name, reason, row.rad, column)
                         for reason in personal_data(getattr(row, column) or "")]
    if frame.empty:
        problems.append(Problem(file_name, "dagordningen har inga punkter"))
    return problems


def read_agenda(file_name: str, data: bytes) -> pd.DataFrame:
    """A validated agenda: nr, typ, rubrik, källa and text per item."""
    frame = read_table(file_name, data, AGENDA_FIELDS)
    raise_if(check_agenda(file_name, frame))
    return frame


def store_agenda(conn, frame: pd.DataFrame, dataset_id: int | None, file_name: str) -> None:
    """Replace the agenda inside the caller's transaction; every activity must be a known one."""
    forums = {fid for (fid,) in conn.execute(select(db.forum.c.id).where(db.forum.c.kind == "aktivitet"))}
    raise_if([Problem(file_name, f'okänd samverkansaktivitet "{row.källa}" (kända: {", ".join(sorted(forums))})',
                      row.rad, "källa")
              for row in frame.itertuples(index=False) if row.typ == "aktivitet" and row.källa.strip() not in forums])
    conn.execute(delete(db.agenda_item))
    conn.execute(insert(db.agenda_item), [dict(
        position=int(r.nr), kind=r.typ, title=r.rubrik.strip(), source=(r.källa or "").strip(),
        text=(r.text or "").strip(), dataset_id=dataset_id) for r in frame.itertuples(index=False)])


def load_agenda(engine: Engine) -> pd.DataFrame:
    """The agenda in order: nr, typ, rubrik, källa, text."""
    t = db.agenda_item
    with engine.connect() as conn:
        result = conn.execute(select(*schema.AGENDA_ITEM.selected_as_files(t)).order_by(t.c.position))
        return pd.DataFrame(result.all(), columns=list(result.keys()))


def save_agenda(engine: Engine, frame: pd.DataFrame, *, by: Actor) -> None:
    """Check an edited agenda (rows numbered from 1 as in the editor) and store it in one transaction."""
    auth.require(by.role, "redigera")
    name = "dagordningen"
    edited = frame.reset_index(drop=True).copy()
    edited.insert(0, "rad", range(1, len(edited) + 1))
    problems = []
    for row in edited.itertuples(index=False):
        if pd.isna(row.nr) or int(row.nr) != row.nr or row.nr < 1:
            problems.append(Problem(name, "ange ett heltal från 1", row.rad, "nr"))
        if row.typ not in KINDS:
            problems.append(Problem(name, f"välj en av {', '.join(KIND_LABELS.get(k, k) for k in KINDS)}", row.rad,
                                    "typ"))
        if not str(row.rubrik or "").strip():
            problems.append(Problem(name, "värde saknas", row.rad, "rubrik"))
    raise_if(problems)
    edited["nr"] = edited["nr"].astype(int)
    for column in ("rubrik", "källa", "text"):
        edited[column] = edited[column].fillna("").astype(str)
    raise_if(check_agenda(name, edited))
    with atomic(engine) as conn:
        before = _agenda_rows(conn)
        store_agenda(conn, edited.sort_values("nr"), None, name)
        audit.record(conn, by, db.agenda_item, None, "ändrad", {"dagordning": before}, {"dagordning": _agenda_rows(conn)})
        db.bump_version(conn)


def _agenda_rows(conn) -> list[dict]:
    t = db.agenda_item
    return [dict(row) for row in conn.execute(select(t.c.position, t.c.kind, t.c.title, t.c.source, t.c.text)
                                              .order_by(t.c.position)).mappings()]


def load_default_agenda(engine: Engine, *, by: Actor) -> int:
    """Store the agenda in data/dagordning.csv (for a database made before agendas existed); returns items."""
    auth.require(by.role, "redigera")
    frame = read_agenda(AGENDA_FILE.name, AGENDA_FILE.read_bytes())
    with atomic(engine) as conn:
        dataset_id = db.add_dataset(conn, "dagordning", AGENDA_FILE.name, len(frame))
        store_agenda(conn, frame, dataset_id, AGENDA_FILE.name)
        audit.record(conn, by, db.dataset, dataset_id, "import", None,
                     {"slag": "dagordning", "fil": AGENDA_FILE.name, "rader": len(frame)})
        db.bump_version(conn)
    return len(frame)


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


# --------------------------------------------------------------------------- laget runt

def add_answer(engine: Engine, meeting_date: dt.date, organisation: str, situation: str, changes: str,
               needs: str, now: dt.datetime, *, by: Actor) -> int:
    """Record one organisation's answers and return the id; raises InputError naming every field at fault."""
    auth.require(by.role, "registrera")
    form = "formuläret"
    values = {"organisation": (organisation or "").strip(), "situation": (situation or "").strip(),
              "förändringar": (changes or "").strip(), "behov": (needs or "").strip()}
    problems = []
    if not values["organisation"]:
        problems.append(Problem(form, "skriv organisationens namn", None, "organisation"))
    if not any(values[k] for k in ("situation", "förändringar", "behov")):
        problems.append(Problem(form, "skriv svaret på minst en av frågorna", None, "situation"))
    problems += [Problem(form, reason, None, column)
                 for column, text in values.items() for reason in personal_data(text)]
    raise_if(problems)
    with atomic(engine) as conn:
        new_id = conn.execute(insert(db.round_answer).values(
            meeting_date=meeting_date, organisation=values["organisation"], situation=values["situation"],
            changes=values["förändringar"], needs=values["behov"], recorded_at=now.replace(microsecond=0))
                              ).inserted_primary_key[0]
        audit.record(conn, by, db.round_answer, new_id, "ny", None, audit.row_values(conn, db.round_answer, new_id))
        db.bump_version(conn)
    return int(new_id)


def load_answers(engine: Engine, meeting_date: dt.date) -> pd.DataFrame:
    """The answers recorded at one meeting, in the order they were given."""
    t = db.round_answer
    with engine.connect() as conn:
        rows = conn.execute(select(t.c.id, t.c.organisation, t.c.situation, t.c.changes, t.c.needs, t.c.recorded_at)
                            .where(t.c.meeting_date == meeting_date, t.c.removed_at.is_(None)).order_by(t.c.id)).all()
    return pd.DataFrame(rows, columns=["id", "organisation", "situation", "changes", "needs", "recorded_at"])


def delete_answer(engine: Engine, answer_id: int, *, by: Actor) -> None:
    """Remove one recorded answer (a slip of the pen during the meeting); an administrator can restore it."""
    audit.remove(engine, "round_answer", answer_id, by)


# --------------------------------------------------------------------------- what the meeting reports on

def load_survey_waves(engine: Engine) -> pd.DataFrame:
    """Each survey and year with the date its results were last imported: survey, year, imported_at."""
    r, d = db.survey_result, db.dataset
    with engine.connect() as conn:
        rows = conn.execute(select(r.c.survey, r.c.year, func.max(d.c.imported_at))
                            .select_from(r.join(d)).group_by(r.c.survey, r.c.year)
                            .order_by(r.c.survey, r.c.year)).all()
    return pd.DataFrame(rows, columns=["survey", "year", "imported_at"])
