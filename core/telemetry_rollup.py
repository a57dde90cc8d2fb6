"""Per-minute roll-up of the one-second telemetry aggregates (`telemetry_minutes`).

`store_aggregates` rolls up every minute it adds seconds to, in the same transaction, so the
roll-up always matches the seconds stored (also when an outbox replays hours late). A minute is
recomputed from its stored seconds, never patched, so a second arriving out of order changes
nothing but that minute. Readers combine whole minutes from here with the seconds at the edges
of their window and get the same counts and counter rises as from the seconds alone.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

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
    inner = 0.0
    for (_, before, _), (_, value, _) in zip(ordered, ordered[1:], strict=False):
        inner += rise(before, value)
    return TelemetryMinuteRow(
        station=station,
        signal=signal,
        minute=minute_of(ordered[0][0]),
        line=max(line for _, _, line in ordered),
        readings=len(ordered),
        first_second=ordered[0][0],
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
