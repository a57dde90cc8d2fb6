"""Telemetry into the store: the one-second aggregates the edge agents send as events."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from core.errors import InputError
from core.events import Event, EventType
from core.schema import TelemetryAggregateRow
from core.telemetry_rollup import roll_up_new

log = logging.getLogger(__name__)

_FIELDS = ("min", "max", "mean", "last", "count")


def aggregate_rows(event: Event) -> list[TelemetryAggregateRow]:
    """Rows of one `telemetry.aggregate` event: payload `{"second": ISO time, "signals":
    {signal: {"min", "max", "mean", "last", "count"}}}`, from the event's line and station."""
    if event.type != EventType.TELEMETRY_AGGREGATE or event.station is None:
        raise InputError(f"event {event.id} is not a station's telemetry aggregate")
    try:
        second = datetime.fromisoformat(event.payload["second"])
        signals = dict(event.payload["signals"])
        rows = [
            TelemetryAggregateRow(
                station=event.station,
                signal=str(name),
                second=second,
                line=event.line,
                min=float(values["min"]),
                max=float(values["max"]),
                mean=float(values["mean"]),
                last=float(values["last"]),
                count=int(values["count"]),
            )
            for name, values in signals.items()
        ]
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"event {event.id}: malformed telemetry aggregate ({exc!r})") from exc
    if second.tzinfo is None:
        raise InputError(f"event {event.id}: aggregate second {second} has no time zone")
    return rows


def store_aggregates(session: Session, events: Sequence[Event]) -> int:
    """Store the aggregates of `events` whose (station, signal, second) is not stored yet, and
    roll up the minutes they fall in; returns how many rows were added. Runs inside the
    caller's transaction."""
    rows = {(r.station, r.signal, r.second): r for e in events for r in aggregate_rows(e)}
    if not rows:
        return 0
    keys = list(rows)
    present: set[tuple[str, str, datetime]] = set()
    for start in range(0, len(keys), 300):
        chunk = keys[start : start + 300]
        cols = (
            TelemetryAggregateRow.station,
            TelemetryAggregateRow.signal,
            TelemetryAggregateRow.second,
        )
        found = session.execute(select(*cols).where(tuple_(*cols).in_(chunk)))
        present.update((s, g, t) for s, g, t in found)
    new = [r for k, r in rows.items() if k not in present]
    session.add_all(new)
    session.flush()
    roll_up_new(session, new)
    return len(new)
