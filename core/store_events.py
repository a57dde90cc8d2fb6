"""Idempotent ingest of events into the store: a replay after an outage adds nothing twice."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from sqlalchemy import String, Table, any_, bindparam, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from core.db import insert_rows
from core.events import Event, utcnow
from core.schema import EventRow

# Ids per `IN (...)` lookup: within SQLite's and PostgreSQL's bound-parameter limits.
_LOOKUP_CHUNK = 900


def store_events(session: Session, events: Sequence[Event]) -> int:
    """Insert the events whose id is not stored yet; returns how many were new.

    Runs inside the caller's transaction. Portable across SQLite and PostgreSQL: ids already
    present are looked up first, in chunks, rather than relying on dialect-specific upserts.
    """
    return len(store_new_events(session, events))


def store_new_events(session: Session, events: Sequence[Event]) -> list[Event]:
    """Like `store_events`, returning the events that were new (in batch order), so that side
    work (the alarm journal) is applied once without a second lookup."""
    if not events:
        return []
    received_at = utcnow()
    unique = {e.id: e for e in events}
    ids = list(unique)
    present = _stored_ids(session, ids)
    new = [e for i, e in unique.items() if i not in present]
    if new:
        # One bulk insert (COPY on PostgreSQL), no ORM objects: the centre's hot path.
        insert_rows(
            session,
            cast(Table, EventRow.__table__),
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
    return new


def _stored_ids(session: Session, ids: list[str]) -> set[str]:
    """The ids among `ids` already stored: on PostgreSQL one `= ANY(array)` query (a single
    parameter, so the driver prepares it once), elsewhere `IN` lookups of 900 ids."""
    if session.get_bind().dialect.name == "postgresql":
        wanted = bindparam("ids", type_=postgresql.ARRAY(String))
        query = select(EventRow.id).where(EventRow.id == any_(wanted))
        return set(session.scalars(query, {"ids": ids}))
    present: set[str] = set()
    for start in range(0, len(ids), _LOOKUP_CHUNK):
        chunk = ids[start : start + _LOOKUP_CHUNK]
        present.update(session.scalars(select(EventRow.id).where(EventRow.id.in_(chunk))))
    return present
