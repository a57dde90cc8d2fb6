"""Sensor trends and OEE per station from the one-second telemetry aggregates.

OEE here is computed over the chosen window, not over a shift:
    availability = seconds in Execute (PackML state 6) / seconds with a state reading
    quality      = good pieces / (good + scrap pieces), from the counters' rises
    performance  = needs each station's ideal cycle time, which the line's agent has (factory
                   file); it and OEE are shown as the line reports them, the last `performance`
                   and `oee` signals in the window (the agent's shift OEE).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.schema import TelemetryAggregateRow
from hmi.counters import all_stations, counter_rises, state_counts, telemetry_keys

EXECUTE = 6  # PackML state number of Execute (ISA-TR88)
REPORTED = ("oee", "performance")  # OEE factors the line's agent computes and reports
MAX_POINTS = 600  # per station in a trend; more would only blur the chart and slow the page
T = TelemetryAggregateRow


def signals(session: Session) -> list[str]:
    return sorted({signal for _, signal in telemetry_keys(session)})


def stations(session: Session) -> list[str]:
    return all_stations(session)


def trend(
    session: Session, signal: str, station_ids: list[str], since: datetime, until: datetime
) -> pd.DataFrame:
    """Mean of `signal` per station (columns) over time (index), resampled to at most
    MAX_POINTS rows."""
    query = select(T.second, T.station, T.mean).where(
        T.signal == signal, T.second >= since, T.second < until
    )
    if station_ids:
        query = query.where(T.station.in_(station_ids))
    rows = session.execute(query).all()
    if not rows:
        return pd.DataFrame()
    frame = pd.DataFrame(rows, columns=["time", "station", "value"])
    wide = frame.pivot_table(index="time", columns="station", values="value", aggfunc="mean")
    step = max(1, int((until - since).total_seconds() // MAX_POINTS))
    if step > 1:
        wide = wide.resample(timedelta(seconds=step)).mean()
    return wide.sort_index()


@dataclass(frozen=True)
class StationOee:
    station: str
    line: str
    observed_s: int
    execute_s: int
    good: int
    scrap: int
    reported_oee: float | None  # the line's own OEE, last value in the window
    reported_performance: float | None = None  # the line's own performance, likewise

    @property
    def downtime_s(self) -> int:
        """Seconds with a state reading other than Execute."""
        return self.observed_s - self.execute_s

    @property
    def availability(self) -> float | None:
        return self.execute_s / self.observed_s if self.observed_s else None

    @property
    def quality(self) -> float | None:
        made = self.good + self.scrap
        return self.good / made if made else None


def oee_by_station(
    session: Session, since: datetime, until: datetime, stations: list[str] | None = None
) -> list[StationOee]:
    """Per station (every station with telemetry, or those named), counted and summed from
    whole minutes of the roll-up and the seconds at the window's edges, so a page with many
    stations reads a few rows per station."""
    known = all_stations(session) if stations is None else stations
    window = (T.station.in_(known), T.second >= since, T.second < until)
    states = state_counts(session, since, until, known)
    made: dict[tuple[str, str], float] = {}
    for signal in ("good_count", "scrap_count"):
        for station, _, amount in counter_rises(session, signal, since, until, known):
            made[(station, signal)] = made.get((station, signal), 0.0) + amount
    reported = {signal: _last_in_window(session, signal, window) for signal in REPORTED}
    # A station's line comes with its state readings; only one without them needs a look.
    unknown = sorted(({s for s, _ in made} | set(reported["oee"])) - set(states))
    lines = (
        dict(
            session.execute(
                select(T.station, func.max(T.line))
                .where(T.station.in_(unknown), T.second >= since, T.second < until)
                .group_by(T.station)
            ).all()
        )
        if unknown
        else {}
    )
    result = []
    for station in sorted(set(states) | {s for s, _ in made} | set(reported["oee"])):
        line, observed, execute = states.get(station, (lines.get(station, ""), 0, 0))
        result.append(
            StationOee(
                station=station,
                line=line,
                observed_s=int(observed),
                execute_s=int(execute or 0),
                good=int(round(made.get((station, "good_count"), 0))),
                scrap=int(round(made.get((station, "scrap_count"), 0))),
                reported_oee=reported["oee"].get(station),
                reported_performance=reported["performance"].get(station),
            )
        )
    return result


def _last_in_window(session: Session, signal: str, window: tuple) -> dict[str, float]:
    """Per station, the last value of `signal` in the window (what the line reported last)."""
    latest = (
        select(T.station, func.max(T.second).label("second"))
        .where(T.signal == signal, *window)
        .group_by(T.station)
        .subquery()
    )
    rows = session.execute(
        select(T.station, T.last)
        .join(latest, (T.station == latest.c.station) & (T.second == latest.c.second))
        .where(T.signal == signal)
    ).all()
    return {station: last for station, last in rows}
