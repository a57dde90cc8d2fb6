"""Sensor trends and OEE per station from the one-second telemetry aggregates.

OEE here is computed over the chosen window, not over a shift:
    availability = seconds in Execute (PackML state 6) / seconds with a state reading
    quality      = good pieces / (good + scrap pieces), from the counters' rises
    performance  = needs each station's ideal cycle time, which the store does not hold, so
                   it (and with it OEE) is only shown where the line reports an `oee` signal.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.schema import TelemetryAggregateRow

EXECUTE = 6  # PackML state number of Execute (ISA-TR88)
MAX_POINTS = 600  # per station in a trend; more would only blur the chart and slow the page
T = TelemetryAggregateRow


def signals(session: Session) -> list[str]:
    return sorted(session.scalars(select(T.signal).distinct()))


def stations(session: Session) -> list[str]:
    return sorted(session.scalars(select(T.station).distinct()))


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


def _rises(values: list[float]) -> int:
    """Pieces counted by a counter's readings in order (a fall is a reset to that value)."""
    total = 0.0
    for before, after in zip(values, values[1:], strict=False):
        total += after - before if after >= before else after
    return int(round(total))


def oee_by_station(session: Session, since: datetime, until: datetime) -> list[StationOee]:
    wanted = ("state", "good_count", "scrap_count", "oee")
    query = (
        select(T.station, T.line, T.signal, T.last)
        .where(T.signal.in_(wanted), T.second >= since, T.second < until)
        .order_by(T.station, T.second)
    )
    series: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    line_of: dict[str, str] = {}
    for station, line, signal, last in session.execute(query):
        series[station][signal].append(last)
        line_of[station] = line
    result = []
    for station in sorted(series):
        s = series[station]
        states = s.get("state", [])
        result.append(
            StationOee(
                station=station,
                line=line_of[station],
                observed_s=len(states),
                execute_s=sum(1 for v in states if int(v) == EXECUTE),
                good=_rises(s.get("good_count", [])),
                scrap=_rises(s.get("scrap_count", [])),
                reported_oee=s["oee"][-1] if s.get("oee") else None,
            )
        )
    return result
