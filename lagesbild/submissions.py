"""Partners' submissions: stored apart, reviewed by an editor, and only then published as an ordinary observation.

Nothing but the review queue and the submitter's own list reads these tables, so nothing unreviewed can
reach a map, a count, a slide or an export. Publishing goes through places.add_observation.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import (Boolean, Column, Date, DateTime, Float, ForeignKey, Integer, LargeBinary, String, Table,
                        Text, func, insert, select, update)

# Module objects only (no `from … import name`): migrations imports this module while audit may still be loading.
from . import audit, auth, db, photos
from .db import atomic
from .privacy import personal_data
from .problems import InputError, Problem, raise_if

FORM = "formuläret"
STATUSES = ("inskickad", "publicerad", "avvisad")
KINDS = ("iakttagelse", "trygghetsvandring", "laget_runt")
ROUND = "laget_runt"
ROUND_FIELDS = {"situation": "läget", "changes": "förändringar", "needs": "behov"}

submission = Table(
    "submission", db.metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("organisation", String(200), nullable=False),
    Column("submitted_by", String(200), nullable=False),
    Column("submitted_at", DateTime, nullable=False),
    Column("status", String(12), nullable=False),
    Column("reason", Text, nullable=False, default=""),
    Column("confidentiality", String(10)),
    Column("reviewed_by", String(200)),
    Column("reviewed_at", DateTime),
    # A laget-runt answer (kind laget_runt) has no stops: the organisation's answers for one council meeting.
    Column("meeting_date", Date),
    Column("situation", Text),
    Column("changes", Text),
    Column("needs", Text),
    Column("version", Integer, nullable=False, default=1, server_default="1"),
)

submission_stop = Table(
    "submission_stop", db.metadata,
    Column("id", Integer, primary_key=True),
    Column("submission_id", ForeignKey("submission.id"), nullable=False),
    Column("position", Integer, nullable=False),
    # A place name from the list, or a name the partner typed for a spot the phone located.
    Column("place", String(200), nullable=False),
    Column("lat", Float),
    Column("lon", Float),
    Column("seen_on", Date, nullable=False),
    Column("seen_at", String(5), nullable=False, default=""),
    Column("category", String(60), nullable=False),
    Column("description", Text, nullable=False),
    Column("observation_id", ForeignKey("observation.id")),
)

photo = Table(
    "photo", db.metadata,
    Column("id", Integer, primary_key=True),
    Column("stop_id", ForeignKey("submission_stop.id"), nullable=False),
    # JPEG bytes without EXIF, kept in the database so that backups hold them.
    Column("content", LargeBinary, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("published", Boolean, nullable=False, default=False, server_default="0"),
)
TABLES = (submission, submission_stop, photo)


def create_tables(conn) -> None:
    """Create the three submission tables where they are missing (schema migration)."""
    for table in TABLES:
        table.create(conn, checkfirst=True)


@dataclass(frozen=True)
class Stop:
    """One thing seen: at a listed place, or at the phone's position with a name the partner gives."""

    place: str
    category: str
    description: str
    seen_on: dt.date | None
    seen_at: str = ""
    lat: float | None = None
    lon: float | None = None
    photos: tuple[tuple[str, bytes], ...] = field(default=(), repr=False)


def _stop_problems(stop: Stop, number: int | None, today: dt.date) -> tuple[list[Problem], list[bytes]]:
    from . import places  # here, not at the top: places needs audit, which may still be loading
    def where(column: str):
        return lambda message: Problem(FORM if number is None else f"{FORM}, stopp {number}", message, None, column)

    problems = [where("plats")("välj en plats i listan eller använd din position och skriv ett namn")
                ] if not stop.place.strip() else []
    if not stop.description.strip():
        problems.append(where("beskrivning")("skriv vad du såg"))
    for column, text in (("plats", stop.place), ("beskrivning", stop.description)):
        problems += [where(column)(reason) for reason in personal_data(text)]
    if stop.category not in places.CATEGORIES:
        problems.append(where("kategori")(f"välj en kategori ({', '.join(places.CATEGORIES)})"))
    if stop.seen_on is None:
        problems.append(where("datum")("värde saknas"))
    elif stop.seen_on > today:
        problems.append(where("datum")(f"{stop.seen_on.isoformat()} har inte inträffat än"))
    if stop.seen_at and not _is_clock(stop.seen_at):
        problems.append(where("klockslag")(f'"{stop.seen_at}" är inget klockslag; skriv till exempel 21:30'))
    problems += places._point_problems(stop.lat, stop.lon, required=False)
    if len(stop.photos) > photos.MAX_PHOTOS:
        problems.append(where("bilder")(f"högst {photos.MAX_PHOTOS} bilder per iakttagelse"))
    prepared = []
    for name, data in stop.photos[:photos.MAX_PHOTOS]:
        try:
            prepared.append(photos.prepare(name, data))
        except InputError as error:
            problems += error.problems
    return problems, prepared


def check_stop(stop: Stop, today: dt.date) -> None:
    """Raise InputError naming every problem with one stop (photos included), before it joins a walk."""
    raise_if(_stop_problems(stop, None, today)[0])


def _is_clock(text: str) -> bool:
    try:
        dt.time.fromisoformat(text.replace(".", ":"))
    except ValueError:
        return False
    return len(text) == 5


def submit(engine, organisation: str, stops: list[Stop], kind: str = "iakttagelse",
           today: dt.date | None = None, *, by: "audit.Actor") -> int:
    """Store a submission (one observation or a walk with several stops) as inskickad; returns its id."""
    auth.require(by.role, "skicka_in")
    today = today or dt.date.today()
    organisation = (organisation or "").strip()
    problems = [] if organisation else [Problem(FORM, "skriv vilken organisation du rapporterar för", None,
                                                "organisation")]
    problems += [Problem(FORM, reason, None, "organisation") for reason in personal_data(organisation)]
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    if not stops:
        problems.append(Problem(FORM, "lägg till minst en iakttagelse"))
    prepared = []
    for number, stop in enumerate(stops, start=1):
        found, ready = _stop_problems(stop, number if len(stops) > 1 else None, today)
        problems += found
        prepared.append(ready)
    raise_if(problems)
    now = dt.datetime.now().replace(microsecond=0)
    with atomic(engine) as conn:
        new_id = conn.execute(insert(submission).values(
            kind=kind, organisation=organisation, submitted_by=by.name, submitted_at=now, status="inskickad",
            reason="")).inserted_primary_key[0]
        for position, (stop, images) in enumerate(zip(stops, prepared), start=1):
            stop_id = conn.execute(insert(submission_stop).values(
                submission_id=new_id, position=position, place=stop.place.strip(), lat=stop.lat, lon=stop.lon,
                seen_on=stop.seen_on, seen_at=stop.seen_at.replace(".", ":"), category=stop.category,
                description=stop.description.strip())).inserted_primary_key[0]
            for image in images:
                conn.execute(insert(photo).values(stop_id=stop_id, content=image, created_at=now))
        audit.record(conn, by, submission, new_id, "ny", None, _summary(conn, new_id))
        db.bump_version(conn)
    return int(new_id)


def submit_round_answer(engine, meeting_date: dt.date | None, organisation: str, answers: dict[str, str], *,
                        by: "audit.Actor") -> int:
    """Store the organisation's laget-runt answer (situation, changes, needs) as inskickad; returns its id."""
    auth.require(by.role, "skicka_in")
    organisation = (organisation or "").strip()
    answers = {key: (answers.get(key) or "").strip() for key in ROUND_FIELDS}
    problems = [] if organisation else [Problem(FORM, "skriv vilken organisation du svarar för", None,
                                                "organisation")]
    if meeting_date is None:
        problems.append(Problem(FORM, "värde saknas", None, "Datum"))
    if not any(answers.values()):
        problems.append(Problem(FORM, "skriv svaret på minst en av frågorna", None, "läget"))
    problems += [Problem(FORM, reason, None, column) for column, text in
                 [("organisation", organisation), *((ROUND_FIELDS[k], v) for k, v in answers.items())]
                 for reason in personal_data(text)]
    raise_if(problems)
    with atomic(engine) as conn:
        new_id = conn.execute(insert(submission).values(
            kind=ROUND, organisation=organisation, submitted_by=by.name, status="inskickad", reason="",
            submitted_at=dt.datetime.now().replace(microsecond=0), meeting_date=meeting_date, **answers)
                              ).inserted_primary_key[0]
        audit.record(conn, by, submission, new_id, "ny", None, _summary(conn, new_id))
        db.bump_version(conn)
    return int(new_id)


def _summary(conn, submission_id: int) -> dict:
    # The trail keeps texts and counts, never photo bytes.
    row = audit.row_values(conn, submission, submission_id)
    stops = conn.execute(select(submission_stop).where(submission_stop.c.submission_id == submission_id)
                         .order_by(submission_stop.c.position)).mappings().all()
    row["stopp"] = [{k: v for k, v in stop.items() if k != "submission_id"} for stop in stops]
    row["bilder"] = len(conn.execute(select(photo.c.id).join(submission_stop)
                                     .where(submission_stop.c.submission_id == submission_id)).all())
    return row


_COLUMNS = ["id", "stop_id", "position", "kind", "organisation", "submitted_by", "submitted_at", "status", "reason",
            "confidentiality", "place", "lat", "lon", "seen_on", "seen_at", "category", "description",
            "observation_id", "photos", "version", "meeting_date", "situation", "changes", "needs"]


def _stops(conn, *conditions) -> pd.DataFrame:
    s, t = submission, submission_stop
    count = (select(photo.c.stop_id, func.count().label("n"))
             .group_by(photo.c.stop_id).subquery())
    query = (select(s.c.id, t.c.id, t.c.position, s.c.kind, s.c.organisation, s.c.submitted_by, s.c.submitted_at,
                    s.c.status, s.c.reason, s.c.confidentiality, t.c.place, t.c.lat, t.c.lon, t.c.seen_on,
                    t.c.seen_at, t.c.category, t.c.description, t.c.observation_id, count.c.n, s.c.version,
                    s.c.meeting_date, s.c.situation, s.c.changes, s.c.needs)
             .select_from(s.outerjoin(t).outerjoin(count, count.c.stop_id == t.c.id)).where(*conditions)
             .order_by(s.c.submitted_at.desc(), s.c.id.desc(), t.c.position))
    frame = pd.DataFrame([tuple(row) for row in conn.execute(query)], columns=_COLUMNS)
    frame["photos"] = frame["photos"].fillna(0).astype(int)
    # A laget-runt answer reads like a stop: the meeting as its place, the answers as what was seen.
    rounds = frame["kind"] == ROUND
    frame.loc[rounds, "place"] = [f"Laget runt {d}" for d in frame.loc[rounds, "meeting_date"]]
    frame.loc[rounds, "category"] = "laget runt"
    frame.loc[rounds, "seen_on"] = frame.loc[rounds, "meeting_date"]
    frame.loc[rounds, "seen_at"] = ""
    frame.loc[rounds, "description"] = [
        " ".join(f"{ROUND_FIELDS[k].capitalize()}: {row[k]}" for k in ROUND_FIELDS if row[k])
        for _, row in frame[rounds].iterrows()]
    return frame


def load_own(engine, by: "audit.Actor") -> pd.DataFrame:
    """The person's own submissions, one row per stop, newest first, with status and any rejection reason."""
    auth.require(by.role, "skicka_in")
    with engine.connect() as conn:
        return _stops(conn, submission.c.submitted_by == by.name)


def load_queue(engine, by: "audit.Actor") -> pd.DataFrame:
    """Every submission waiting for review, one row per stop, newest first; for editors."""
    auth.require(by.role, "registrera")
    with engine.connect() as conn:
        return _stops(conn, submission.c.status == "inskickad")


def load_photos(engine, stop_id: int, by: "audit.Actor") -> list[bytes]:
    """The stop's photos (JPEG): for editors, and for the person who sent them."""
    with engine.connect() as conn:
        owner = conn.execute(select(submission.c.submitted_by).join(submission_stop)
                             .where(submission_stop.c.id == stop_id)).scalar()
        if owner != by.name:
            auth.require(by.role, "registrera")
        return [bytes(b) for (b,) in conn.execute(select(photo.c.content).where(photo.c.stop_id == stop_id)
                                                  .order_by(photo.c.id))]


def _waiting(conn, submission_id: int, version: int | None = None) -> dict:
    row = audit.row_values(conn, submission, submission_id)
    if row is None or row["status"] != "inskickad":
        raise InputError([Problem(FORM, f"inskick {submission_id} finns inte eller är redan granskat")])
    if version is not None and row["version"] != version:
        raise audit.StaleEdit([Problem(FORM, "inskicket har ändrats av någon annan sedan du öppnade det. Ingenting "
                                             "har sparats: läs in sidan igen.")])
    return row


def correct(engine, stop_id: int, place: str, category: str, description: str, seen_on: dt.date | None,
            seen_at: dt.time | None, today: dt.date | None = None, *, by: "audit.Actor") -> None:
    """Correct a waiting stop before it is published: place (merge with a listed place), category, text, date, time."""
    auth.require(by.role, "redigera")
    today = today or dt.date.today()
    with atomic(engine) as conn:
        stop = audit.row_values(conn, submission_stop, stop_id)
        if stop is None:
            raise InputError([Problem(FORM, f"stopp {stop_id} finns inte")])
        before = _waiting(conn, stop["submission_id"]) and _summary(conn, stop["submission_id"])
        clock = seen_at.strftime("%H:%M") if seen_at else ""
        fixed = Stop(place, category, description, seen_on, clock, stop["lat"], stop["lon"])
        raise_if(_stop_problems(fixed, None, today)[0])
        conn.execute(update(submission_stop).where(submission_stop.c.id == stop_id).values(
            place=place.strip(), category=category, description=description.strip(), seen_on=seen_on, seen_at=clock))
        conn.execute(update(submission).where(submission.c.id == stop["submission_id"])
                     .values(version=submission.c.version + 1))
        audit.record(conn, by, submission, stop["submission_id"], "ändrad", before,
                     _summary(conn, stop["submission_id"]))
        db.bump_version(conn)


def publish(engine, submission_id: int, confidentiality: str, new_place_area: str = "", show_photos: bool = False,
            today: dt.date | None = None, *, by: "audit.Actor") -> list[int]:
    """Publish every stop as an ordinary observation (öppen or intern); returns the observation ids.

    A stop at a place not in the list becomes a new place at the phone's position in `new_place_area`.
    """
    from . import places  # here, not at the top: places needs audit, which may still be loading
    auth.require(by.role, "registrera")
    with engine.connect() as conn:
        row = _waiting(conn, submission_id)
    if row["kind"] == ROUND:
        return [_publish_round_answer(engine, row, by)]
    with engine.connect() as conn:
        stops = conn.execute(select(submission_stop).where(submission_stop.c.submission_id == submission_id)
                             .order_by(submission_stop.c.position)).mappings().all()
        known = {name.casefold(): name for (name,) in conn.execute(
            select(db.place.c.name).where(db.place.c.removed_at.is_(None)))}
    if confidentiality not in places.CONFIDENTIALITY:
        raise InputError([Problem(FORM, "välj öppen eller intern", None, "sekretess")])
    new = [s for s in stops if s["place"].casefold() not in known]
    unplaceable = [s for s in new if s["lat"] is None or not new_place_area.strip()]
    raise_if([Problem(FORM, f'platsen "{s["place"]}" finns inte i listan: slå ihop med en befintlig plats eller '
                            + ("ange område för en ny plats" if s["lat"] is not None else
                               "välj en plats (inskicket saknar position)"), None, "plats") for s in unplaceable])
    for stop in new:
        places.add_place(engine, stop["place"], stop["lat"], stop["lon"], new_place_area.strip(), None, "ny",
                         stop["category"], today=today, by=by)
        known[stop["place"].casefold()] = stop["place"]
    observation_ids = []
    for stop in stops:
        observation_ids.append(places.add_observation(
            engine, known[stop["place"].casefold()], stop["seen_on"], stop["category"], row["organisation"],
            stop["description"], confidentiality, stop["lat"], stop["lon"], today=today, by=by,
            time=stop["seen_at"] or None))
    with atomic(engine) as conn:
        before = _summary(conn, submission_id)
        for stop, observation_id in zip(stops, observation_ids):
            conn.execute(update(submission_stop).where(submission_stop.c.id == stop["id"])
                         .values(observation_id=observation_id))
            conn.execute(update(photo).where(photo.c.stop_id == stop["id"]).values(published=show_photos))
        _review(conn, submission_id, "publicerad", "", confidentiality, by)
        audit.record(conn, by, submission, submission_id, "ändrad", before, _summary(conn, submission_id))
        db.bump_version(conn)
    return observation_ids


def _publish_round_answer(engine, row: dict, by) -> int:
    from . import agenda  # here, not at the top: agenda needs audit, which may still be loading

    answer_id = agenda.add_answer(engine, row["meeting_date"], row["organisation"], row["situation"], row["changes"],
                                  row["needs"], dt.datetime.now(), by=by)
    with atomic(engine) as conn:
        before = _summary(conn, row["id"])
        _review(conn, row["id"], "publicerad", "", None, by)
        audit.record(conn, by, submission, row["id"], "ändrad", before, _summary(conn, row["id"]))
        db.bump_version(conn)
    return answer_id


def reject(engine, submission_id: int, reason: str, *, by: "audit.Actor") -> None:
    """Reject a waiting submission with a reason the submitter reads on their own list."""
    auth.require(by.role, "registrera")
    reason = (reason or "").strip()
    problems = [] if reason else [Problem(FORM, "skriv varför inskicket avvisas; den som skickade in ser det",
                                          None, "skäl")]
    raise_if(problems + [Problem(FORM, r, None, "skäl") for r in personal_data(reason)])
    with atomic(engine) as conn:
        _waiting(conn, submission_id)
        before = _summary(conn, submission_id)
        _review(conn, submission_id, "avvisad", reason, None, by)
        audit.record(conn, by, submission, submission_id, "ändrad", before, _summary(conn, submission_id))
        db.bump_version(conn)


def _review(conn, submission_id: int, status: str, reason: str, confidentiality: str | None, by) -> None:
    conn.execute(update(submission).where(submission.c.id == submission_id).values(
        status=status, reason=reason, confidentiality=confidentiality, reviewed_by=by.name,
        reviewed_at=dt.datetime.now().replace(microsecond=0), version=submission.c.version + 1))
