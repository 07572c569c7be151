"""Locked lägesbilder for the minutes: the slide model exactly as shown, with its date and SHA-256."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine, insert, select

from . import audit, auth, db
from .audit import Actor
from .views.deck import Deck
from .formatting import date as format_date
from .db import atomic


@dataclass(frozen=True)
class Snapshot:
    """A stored lägesbild: when it was locked, its hash, the deck as stored and whether it still matches."""

    id: int
    meeting_date: dt.date
    locked_at: dt.datetime
    sha256: str
    deck: Deck
    intact: bool  # the stored content still hashes to the stored SHA-256

    def describe(self) -> str:
        """One Swedish line for the slide and the handout: what this is and how to check it."""
        check = "" if self.intact else " VARNING: innehållet stämmer inte längre med kontrollsumman."
        return (f"Låst lägesbild från rådsmötet {format_date(self.meeting_date)}, låst "
                f"{self.locked_at.strftime('%Y-%m-%d %H:%M')}. Kontrollsumma (SHA-256) {self.sha256[:16]}…{check}")


def content_hash(content: str) -> str:
    """SHA-256 in hex of the stored JSON text."""
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def lock(engine: Engine, deck: Deck, now: dt.datetime, *, by: Actor) -> int:
    """Store the deck as shown, with its hash; returns the snapshot's id."""
    auth.require(by.role, "låsa_lägesbild")
    content = deck.to_json()
    with atomic(engine) as conn:
        result = conn.execute(insert(db.snapshot).values(
            meeting_date=deck.meeting_date, locked_at=now.replace(microsecond=0), content=content,
            sha256=content_hash(content)))
        audit.record(conn, by, db.snapshot, result.inserted_primary_key[0], "låst", None,
                     {"meeting_date": deck.meeting_date, "sha256": content_hash(content)})
        db.bump_version(conn)
    return int(result.inserted_primary_key[0])


def load_snapshot(engine: Engine, snapshot_id: int) -> Snapshot | None:
    """A stored lägesbild, or None if there is no such snapshot."""
    t = db.snapshot
    with engine.connect() as conn:
        row = conn.execute(select(t.c.id, t.c.meeting_date, t.c.locked_at, t.c.sha256, t.c.content)
                           .where(t.c.id == snapshot_id)).first()
    if row is None:
        return None
    return Snapshot(row.id, row.meeting_date, row.locked_at, row.sha256, Deck.from_dict(json.loads(row.content)),
                    content_hash(row.content) == row.sha256)


def list_snapshots(engine: Engine) -> pd.DataFrame:
    """Every locked lägesbild, newest first: id, meeting_date, locked_at, sha256."""
    t = db.snapshot
    with engine.connect() as conn:
        rows = conn.execute(select(t.c.id, t.c.meeting_date, t.c.locked_at, t.c.sha256)
                            .order_by(t.c.locked_at.desc(), t.c.id.desc())).all()
    return pd.DataFrame(rows, columns=["id", "meeting_date", "locked_at", "sha256"])
