"""Idempotent ingest of events into the store: a replay after an outage adds nothing twice."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from core.events import Event, utcnow
from core.schema import EventRow


def store_events(session: Session, events: Sequence[Event]) -> int:
    """Insert the events whose id is not stored yet; returns how many were new.

    Runs inside the caller's transaction. Portable across SQLite and PostgreSQL: ids already
    present are looked up first, in chunks, rather than relying on dialect-specific upserts.
    """
    if not events:
        return 0
    received_at = utcnow()
    unique = {e.id: e for e in events}
    ids = list(unique)
    present: set[str] = set()
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        present.update(session.scalars(select(EventRow.id).where(EventRow.id.in_(chunk))))
    new = [e for i, e in unique.items() if i not in present]
    if new:
        # One executemany, not one ORM object per event: ingest is the centre's hot path.
        session.execute(
            insert(EventRow),
            [
                {
                    "id": e.id,
                    "line": e.line,
                    "station": e.station,
                    "type": e.type,
                    "time": e.time,
                    "payload": e.payload,
                    "received_at": received_at,
                }
                for e in new
            ],
        )
    return len(new)
