"""Telemetry in the database for the pages: which stations and signals report, how much a
counter rose, and how many state readings were in Execute, over a window.

Whole minutes are read from the per-minute roll-up (`telemetry_minutes`, one row per station,
signal and minute) and only the seconds at the window's edges from the one-second aggregates,
so a page with 50 stations reads a few thousand rows instead of every second; the results are
the same as from the seconds alone (tests/hmi/test_counters.py compares them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func, select, text
from sqlalchemy.orm import Session

from core.schema import TelemetryAggregateRow, TelemetryMinuteRow
from core.telemetry_rollup import EXECUTE, rise

T, M = TelemetryAggregateRow, TelemetryMinuteRow
_MINUTE = timedelta(minutes=1)
_Part = tuple[str, datetime, float, float, float]  # station, first second, first, last, rise in

# Each distinct (station, signal) of the seconds' key by index seeks (a "skip scan"), instead
# of reading every row of the index; the same SQL runs on SQLite and PostgreSQL.
_KEYS = text(
    """
WITH RECURSIVE
stations(station) AS (
  SELECT MIN(station) FROM telemetry_aggregates
  UNION ALL
  SELECT (SELECT MIN(t.station) FROM telemetry_aggregates t WHERE t.station > s.station)
  FROM stations s WHERE s.station IS NOT NULL
),
k(station, signal) AS (
  SELECT s.station, (SELECT MIN(t.signal) FROM telemetry_aggregates t WHERE t.station = s.station)
  FROM stations s WHERE s.station IS NOT NULL
  UNION ALL
  SELECT k.station, (
    SELECT MIN(t.signal) FROM telemetry_aggregates t
    WHERE t.station = k.station AND t.signal > k.signal
  )
  FROM k WHERE k.signal IS NOT NULL
)
SELECT station, signal FROM k WHERE signal IS NOT NULL ORDER BY station, signal
"""
)


def telemetry_keys(session: Session) -> list[tuple[str, str]]:
    """Every (station, signal) with telemetry, sorted."""
    return [(station, signal) for station, signal in session.execute(_KEYS)]


def all_stations(session: Session) -> list[str]:
    """Every station with telemetry. Naming them lets the database seek its (station, signal,
    second) key per station instead of scanning every row for a signal."""
    return sorted({station for station, _ in telemetry_keys(session)})


@dataclass(frozen=True)
class _Split:
    """A window as whole minutes [first_minute, end_minute) and the seconds around them."""

    seconds: tuple[tuple[datetime, datetime], ...]
    first_minute: datetime
    end_minute: datetime


def split(since: datetime, until: datetime) -> _Split:
    floor = since.replace(second=0, microsecond=0)
    first = floor if floor == since else floor + _MINUTE
    end = until.replace(second=0, microsecond=0)
    if first >= end:
        return _Split(((since, until),), first, first)
    edges = tuple((a, b) for a, b in ((since, first), (end, until)) if a < b)
    return _Split(edges, first, end)


def counter_rises(
    session: Session, signal: str, since: datetime, until: datetime, stations: list[str]
) -> list[tuple[str, datetime, float]]:
    """(station, second, rise) per reading of a counter in [since, until), a whole minute
    counting as one reading at its first second: each reading's rise over the station's
    previous one in the window (a fall is a reset, so the new value counts; the first reading
    only sets the baseline)."""
    window = split(since, until)
    parts: list[_Part] = []
    for a, b in window.seconds:
        query = select(T.station, T.second, T.last).where(
            T.signal == signal, T.second >= a, T.second < b
        )
        if stations:
            query = query.where(T.station.in_(stations))
        parts += [(s, t, v, v, 0.0) for s, t, v in session.execute(query)]
    if window.first_minute < window.end_minute:
        minutes = select(M.station, M.first_second, M.first, M.last, M.rise).where(
            M.signal == signal, M.minute >= window.first_minute, M.minute < window.end_minute
        )
        if stations:
            minutes = minutes.where(M.station.in_(stations))
        parts += [(s, t, a, z, r) for s, t, a, z, r in session.execute(minutes)]
    parts.sort(key=lambda p: (p[0], p[1]))
    out = []
    previous: tuple[str, float] | None = None
    for station, second, first, last, inner in parts:
        before = previous[1] if previous is not None and previous[0] == station else None
        out.append((station, second, rise(before, first) + inner))
        previous = (station, last)
    return out


def state_counts(
    session: Session, since: datetime, until: datetime, stations: list[str]
) -> dict[str, tuple[str, int, int]]:
    """Per station: (line, state readings, readings in Execute) in [since, until)."""
    window = split(since, until)
    out: dict[str, tuple[str, int, int]] = {}

    def add(station: str, line: str, readings: int, execute: int) -> None:
        was = out.get(station)
        if was is not None:
            line, readings, execute = max(line, was[0]), readings + was[1], execute + was[2]
        out[station] = (line, readings, execute)

    for a, b in window.seconds:
        rows = session.execute(
            select(
                T.station,
                func.max(T.line),
                func.count(),
                func.sum(case((T.last == EXECUTE, 1), else_=0)),
            )
            .where(T.signal == "state", T.station.in_(stations), T.second >= a, T.second < b)
            .group_by(T.station)
        )
        for station, line, n, execute in rows:
            add(station, line, int(n), int(execute or 0))
    if window.first_minute < window.end_minute:
        rows = session.execute(
            select(M.station, func.max(M.line), func.sum(M.readings), func.sum(M.execute_s))
            .where(
                M.signal == "state",
                M.station.in_(stations),
                M.minute >= window.first_minute,
                M.minute < window.end_minute,
            )
            .group_by(M.station)
        )
        for station, line, n, execute in rows:
            add(station, line, int(n), int(execute or 0))
    return out
