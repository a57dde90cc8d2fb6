"""p-chart of the defect rate: defective items over items inspected per period, with the
centre line p-bar and control limits p-bar +/- 3 sigma that vary with each period's n.

The items inspected per period are the increase of the stations' `cycle_count` counter in the
telemetry aggregates; periods without that telemetry are left out (a rate needs its n).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from core.errors import InputError
from hmi.counters import all_stations, counter_rises
from hmi.quality.defects import REAL, Defect

COUNTER = "cycle_count"


@dataclass(frozen=True)
class PPoint:
    period: datetime
    n: int  # items inspected
    defective: int
    p: float
    centre: float
    lcl: float
    ucl: float

    @property
    def out_of_control(self) -> bool:
        return self.p > self.ucl or self.p < self.lcl


def period_start(t: datetime, period: timedelta) -> datetime:
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    return epoch + ((t - epoch) // period) * period


def p_chart(defective: dict[datetime, int], inspected: dict[datetime, int]) -> list[PPoint]:
    """One point per period with inspected items; p-bar is pooled over all of them."""
    periods = sorted(p for p, n in inspected.items() if n > 0)
    for p in periods:
        if defective.get(p, 0) > inspected[p]:
            raise InputError(
                f"p-chart period {p:%Y-%m-%d %H:%M}: {defective[p]} defective items but only "
                f"{inspected[p]} inspected"
            )
    total_n = sum(inspected[p] for p in periods)
    if total_n == 0:
        return []
    pbar = sum(defective.get(p, 0) for p in periods) / total_n
    points = []
    for p in periods:
        n = inspected[p]
        sigma = math.sqrt(pbar * (1 - pbar) / n)
        points.append(
            PPoint(
                period=p,
                n=n,
                defective=defective.get(p, 0),
                p=defective.get(p, 0) / n,
                centre=pbar,
                lcl=max(0.0, pbar - 3 * sigma),
                ucl=min(1.0, pbar + 3 * sigma),
            )
        )
    return points


def defective_per_period(defects: list[Defect], period: timedelta) -> dict[datetime, int]:
    counts: dict[datetime, int] = defaultdict(int)
    for d in defects:
        if d.status in REAL:
            counts[period_start(d.time, period)] += 1
    return dict(counts)


def inspected_per_period(
    session: Session,
    stations: list[str],
    since: datetime,
    until: datetime,
    period: timedelta,
) -> dict[datetime, int]:
    """Items through the stations per period: the rises of their cycle counters (whole minutes
    from the roll-up, periods being whole hours or days), summed per period."""
    totals: dict[datetime, float] = {}
    for _, second, amount in counter_rises(
        session, COUNTER, since, until, stations or all_stations(session)
    ):
        bucket = period_start(second, period)
        totals[bucket] = totals.get(bucket, 0.0) + amount
    return {b: int(round(total)) for b, total in totals.items()}
