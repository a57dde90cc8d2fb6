"""Per-minute roll-up of the one-second telemetry aggregates (`telemetry_minutes`).

`store_aggregates` rolls up every minute it adds seconds to, in the same transaction, so the
roll-up always matches the seconds stored (also when an outbox replays hours late). Seconds that
follow (or precede) all of a minute's stored ones extend its row; seconds that fall among them
make the minute recomputed from its stored seconds. Readers combine whole minutes from here with the seconds at the edges
of their window and get the same counts and counter rises as from the seconds alone.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import delete, select, tuple_
from sqlalchemy.orm import Session

from core.schema import TelemetryAggregateRow, TelemetryMinuteRow

log = logging.getLogger(__name__)

EXECUTE = 6.0  # PackML state number of Execute (ISA-TR88)
MINUTE = timedelta(minutes=1)
_CHUNK = 200

Reading = tuple[datetime, float, str]  # (second, last value, line)
MinuteKey = tuple[str, str, datetime]  # (station, signal, minute)


def minute_of(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def rise(previous: float | None, value: float) -> float:
    """A counter's rise from one reading to the next: a fall is a reset, so the new value
    counts; the first reading only sets the baseline."""
    if previous is None:
        return 0.0
    return value - previous if value >= previous else value


def summarise(station: str, signal: str, readings: Sequence[Reading]) -> TelemetryMinuteRow:
    """The minute row of one station's signal from its readings in that minute (any order)."""
    ordered = sorted(readings)
    inner = _inner_rise(ordered)
    return TelemetryMinuteRow(
        station=station,
        signal=signal,
        minute=minute_of(ordered[0][0]),
        line=max(line for _, _, line in ordered),
        readings=len(ordered),
        first_second=ordered[0][0],
        last_second=ordered[-1][0],
        first=ordered[0][1],
        last=ordered[-1][1],
        rise=inner,
        execute_s=sum(1 for _, value, _ in ordered if value == EXECUTE),
    )


def roll_up(session: Session, keys: Iterable[MinuteKey]) -> int:
    """Recompute the minute rows of `keys` from the stored seconds (inside the caller's
    transaction); returns how many minutes were written."""
    wanted = sorted(set(keys))
    written = 0
    T, M = TelemetryAggregateRow, TelemetryMinuteRow
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        by_series: dict[tuple[str, str], list[datetime]] = {}
        for station, signal, minute in chunk:
            by_series.setdefault((station, signal), []).append(minute)
        readings: dict[MinuteKey, list[Reading]] = {}
        for (station, signal), minutes in by_series.items():
            rows = session.execute(
                select(T.second, T.last, T.line).where(
                    T.station == station,
                    T.signal == signal,
                    T.second >= min(minutes),
                    T.second < max(minutes) + MINUTE,
                )
            )
            chosen = set(minutes)
            for second, last, line in rows:
                if minute_of(second) in chosen:
                    key = (station, signal, minute_of(second))
                    readings.setdefault(key, []).append((second, last, line))
        session.execute(delete(M).where(tuple_(M.station, M.signal, M.minute).in_(chunk)))
        session.add_all(summarise(k[0], k[1], r) for k, r in readings.items())
        written += len(readings)
    session.flush()
    return written


def _inner_rise(ordered: Sequence[Reading]) -> float:
    total = 0.0
    for (_, before, _), (_, value, _) in zip(ordered, ordered[1:], strict=False):
        total += rise(before, value)
    return total


def _extend(row: TelemetryMinuteRow, new: Sequence[Reading]) -> bool:
    """Add readings that all come after (or all before) the minute's readings to its row;
    False when they fall among them (the minute is then recomputed from its seconds)."""
    ordered = sorted(new)
    inner = _inner_rise(ordered)
    if ordered[0][0] > row.last_second:
        row.rise = row.rise + rise(row.last, ordered[0][1]) + inner
        row.last, row.last_second = ordered[-1][1], ordered[-1][0]
    elif ordered[-1][0] < row.first_second:
        row.rise = inner + rise(ordered[-1][1], row.first) + row.rise
        row.first, row.first_second = ordered[0][1], ordered[0][0]
    else:
        return False
    row.readings += len(ordered)
    row.execute_s += sum(1 for _, value, _ in ordered if value == EXECUTE)
    row.line = max(row.line, *(line for _, _, line in ordered))
    return True


class StoredSecond(NamedTuple):
    """What the roll-up reads of a stored second (ingest inserts plain rows, not ORM objects)."""

    station: str
    signal: str
    second: datetime
    last: float
    line: str


def roll_up_new(session: Session, rows: Iterable[StoredSecond]) -> None:
    """Roll up seconds just stored (and flushed): usually they follow what a minute holds, and
    its row is extended without reading its seconds again; seconds that fall among a minute's
    stored ones (a replay, out of order) make that minute recomputed."""
    M = TelemetryMinuteRow
    new: dict[MinuteKey, list[Reading]] = {}
    minutes: dict[datetime, datetime] = {}  # a batch's signals share their seconds
    for r in rows:
        minute = minutes.get(r.second)
        if minute is None:
            minute = minutes[r.second] = minute_of(r.second)
        new.setdefault((r.station, r.signal, minute), []).append((r.second, r.last, r.line))
    keys = sorted(new)
    again = []
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start : start + _CHUNK]
        existing = {
            (m.station, m.signal, m.minute): m
            for m in session.scalars(
                select(M).where(tuple_(M.station, M.signal, M.minute).in_(chunk))
            )
        }
        for key in chunk:
            row = existing.get(key)
            if row is None:
                session.add(summarise(key[0], key[1], new[key]))
            elif not _extend(row, new[key]):
                again.append(key)
    session.flush()
    if again:
        roll_up(session, again)


def roll_up_everything(session: Session, batch: int = 50_000) -> int:
    """Roll up every stored second again, from scratch (the migration that adds the table runs
    this once; so do stores seeded with seconds directly, as tests and benchmarks are)."""
    T = TelemetryAggregateRow
    session.execute(delete(TelemetryMinuteRow))
    query = (
        select(T.station, T.signal, T.second, T.last, T.line)
        .order_by(T.station, T.signal, T.second)
        .execution_options(yield_per=batch)
    )
    current: MinuteKey | None = None
    readings: list[Reading] = []
    pending: list[TelemetryMinuteRow] = []
    written = 0
    for station, signal, second, last, line in session.execute(query):
        key = (station, signal, minute_of(second))
        if key != current:
            if current is not None:
                pending.append(summarise(current[0], current[1], readings))
            current, readings = key, []
        readings.append((second, last, line))
        if len(pending) >= 1000:
            session.add_all(pending)
            session.flush()
            written += len(pending)
            pending = []
    if current is not None:
        pending.append(summarise(current[0], current[1], readings))
    session.add_all(pending)
    session.flush()
    written += len(pending)
    log.info("rolled up %d station-signal minutes", written)
    return written
