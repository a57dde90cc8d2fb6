"""Telemetry into the store: the one-second aggregates the edge agents send as events."""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, delete, func, select
from sqlalchemy.orm import Session

from core.db import insert_rows
from core.errors import InputError
from core.events import Event, EventType
from core.schema import EventRow, TelemetryAggregateRow, TelemetryPendingRow
from core.telemetry_rollup import StoredSecond, roll_up_new

log = logging.getLogger(__name__)

# Seconds further apart than this are looked up in separate windows (a straggler from an old
# outage must not make one lookup read hours of a line's telemetry).
_WINDOW_GAP = timedelta(seconds=60)

AggregateKey = tuple[str, str, datetime]


def aggregate_values(event: Event) -> list[dict[str, Any]]:
    """Rows (as column values) of one `telemetry.aggregate` event: payload `{"second": ISO time,
    "signals": {signal: {"min", "max", "mean", "last", "count"}}}`, from the event's line and
    station. Raises InputError naming the event when it cannot be stored as telemetry."""
    if event.type != EventType.TELEMETRY_AGGREGATE or event.station is None:
        raise InputError(f"event {event.id} is not a station's telemetry aggregate")
    try:
        second = datetime.fromisoformat(event.payload["second"])
        signals = dict(event.payload["signals"])
        rows: list[dict[str, Any]] = [
            {
                "station": event.station,
                "signal": str(name),
                "second": second,
                "line": event.line,
                "min": float(values["min"]),
                "max": float(values["max"]),
                "mean": float(values["mean"]),
                "last": float(values["last"]),
                "count": int(values["count"]),
            }
            for name, values in signals.items()
        ]
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"event {event.id}: malformed telemetry aggregate ({exc!r})") from exc
    if second.tzinfo is None:
        raise InputError(f"event {event.id}: aggregate second {second} has no time zone")
    for row in rows:
        # The table's CHECKs, said here per event: one bad row must not fail a whole batch.
        # (A NaN fails the comparison; a mean between finite bounds is finite.)
        low, high = row["min"], row["max"]
        if not (math.isfinite(low) and math.isfinite(high) and math.isfinite(row["last"])):
            raise InputError(f"event {event.id}: {row['signal']} has a value that is no number")
        if not low <= row["mean"] <= high or row["count"] < 1:
            raise InputError(
                f"event {event.id}: {row['signal']} mean not within min and max, or count below 1"
            )
    return rows


def store_aggregates(session: Session, events: Sequence[Event]) -> int:
    """Store the aggregates of `events` whose (station, signal, second) is not stored yet, and
    roll up the minutes they fall in; returns how many rows were added. Runs inside the
    caller's transaction."""
    return store_aggregate_values(session, [r for e in events for r in aggregate_values(e)])


def store_aggregate_values(session: Session, rows: Sequence[dict[str, Any]]) -> int:
    """Insert rows from `aggregate_values` whose key is not stored yet, in one bulk insert,
    and roll up the minutes they fall in."""
    unique = {(r["station"], r["signal"], r["second"]): r for r in rows}
    if not unique:
        return 0
    present = _present(session, list(unique.values()))
    new = [r for k, r in unique.items() if k not in present]
    if new:
        insert_rows(session, cast(Table, TelemetryAggregateRow.__table__), new)
        roll_up_new(
            session, [StoredSecond(r["station"], r["signal"], r["second"], r["last"], r["line"])
                      for r in new]
        )  # fmt: skip
    return len(new)


def queue_aggregates(session: Session, events: Sequence[Event]) -> int:
    """Queue the `telemetry.aggregate` events among `events` (stored in this transaction) for
    `project_pending`; returns how many were queued."""
    ids = [{"event_id": e.id} for e in events if e.type == EventType.TELEMETRY_AGGREGATE]
    insert_rows(session, cast(Table, TelemetryPendingRow.__table__), ids)
    return len(ids)


def project_pending(session: Session, limit: int) -> int:
    """Store the seconds of up to `limit` queued aggregates, oldest first, and take them off
    the queue, in the caller's transaction; returns how many left the queue. A malformed
    aggregate is logged and stays a plain event, as when stored directly."""
    P, E = TelemetryPendingRow, EventRow
    queued = session.execute(
        select(P.seq, E.id, E.line, E.station, E.type, E.time, E.payload)
        .join(E, E.id == P.event_id, isouter=True)
        .order_by(P.seq)
        .limit(limit)
    ).all()
    if not queued:
        return 0
    rows: list[dict[str, Any]] = []
    for seq, event_id, line, station, kind, time, payload in queued:
        if event_id is None:
            log.error("telemetry queue entry %d names an event that is not stored; dropped", seq)
            continue
        try:
            event = Event(line, kind, payload, station=station, time=time, id=event_id)
            rows.extend(aggregate_values(event))
        except InputError as exc:
            log.error("line %s: %s; kept as an event only", line, exc)
    store_aggregate_values(session, rows)
    seqs = [q.seq for q in queued]
    for start in range(0, len(seqs), 900):
        session.execute(delete(P).where(P.seq.in_(seqs[start : start + 900])))
    return len(queued)


def pending_aggregates(session: Session) -> int:
    """Aggregates stored as events whose seconds are not in the telemetry tables yet."""
    return int(session.scalar(select(func.count()).select_from(TelemetryPendingRow)) or 0)


def _present(session: Session, rows: list[dict[str, Any]]) -> set[AggregateKey]:
    """Keys already stored: one range lookup per line and window of nearby seconds (index
    `line, second`), instead of one row-value comparison per key."""
    t = TelemetryAggregateRow
    present: set[AggregateKey] = set()
    by_line: dict[str, set[datetime]] = {}
    for r in rows:
        by_line.setdefault(r["line"], set()).add(r["second"])
    for line, seconds in by_line.items():
        for low, high in _windows(sorted(seconds)):
            found = session.execute(
                select(t.station, t.signal, t.second).where(
                    t.line == line, t.second >= low, t.second <= high
                )
            )
            present.update((s, g, when) for s, g, when in found)
    return present


def _windows(seconds: list[datetime]) -> list[tuple[datetime, datetime]]:
    windows = [(seconds[0], seconds[0])]
    for second in seconds[1:]:
        low, high = windows[-1]
        if second - high > _WINDOW_GAP:
            windows.append((second, second))
        else:
            windows[-1] = (low, second)
    return windows
