"""Counter telemetry in the database: how much a counter rose, reading by reading."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Subquery, case, func, select
from sqlalchemy.orm import Session

from core.schema import TelemetryAggregateRow


def counter_rises(signal: str, since: datetime, until: datetime, stations: list[str]) -> Subquery:
    """A subquery of (station, line, second, rise) for a counter: each reading's rise over the
    station's previous one (a fall is a reset, so the new value counts; the first reading only
    sets the baseline). Computed in the database with LAG, on SQLite and PostgreSQL alike."""
    T = TelemetryAggregateRow
    previous = func.lag(T.last).over(partition_by=T.station, order_by=T.second)
    query = select(T.station, T.line, T.second, T.last, previous.label("previous")).where(
        T.signal == signal, T.second >= since, T.second < until
    )
    if stations:
        query = query.where(T.station.in_(stations))
    sub = query.subquery()
    rise = case(
        (sub.c.previous.is_(None), 0.0),
        (sub.c.last >= sub.c.previous, sub.c.last - sub.c.previous),
        else_=sub.c.last,
    )
    return select(sub.c.station, sub.c.line, sub.c.second, rise.label("rise")).subquery()


def all_stations(session: Session) -> list[str]:
    """Every station with telemetry. Naming them lets the database seek its (station, signal,
    second) key per station instead of scanning every row for a signal."""
    return sorted(session.scalars(select(TelemetryAggregateRow.station).distinct()))
