"""Reading whole minutes from the roll-up and the seconds at the edges gives the same counter
rises, state counts and keys as reading every second (the pages' queries before the roll-up,
kept here as the reference), for windows on and off minute boundaries, with gaps and resets."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import case, func, insert, select

from core.db import transaction
from core.schema import TelemetryAggregateRow as T
from core.telemetry_rollup import EXECUTE, roll_up_everything
from hmi.counters import counter_rises, state_counts, telemetry_keys
from hmi.quality.pchart import inspected_per_period

T0 = datetime(2026, 11, 22, 6, 0, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
WINDOWS = [
    (T0, T0 + 3 * HOUR),  # everything, on minute boundaries
    (T0 + timedelta(seconds=17), T0 + timedelta(minutes=47, seconds=3)),
    (T0 + timedelta(minutes=59, seconds=30), T0 + timedelta(hours=1, seconds=20)),  # < 1 min
    (T0 + timedelta(minutes=5, seconds=59), T0 + timedelta(minutes=6, seconds=1)),
    (T0 + timedelta(minutes=20), T0 + timedelta(minutes=95, seconds=31)),  # across the gap
]


def _old_rises(session, signal, since, until, stations):
    """The LAG query the pages ran over every second before the roll-up."""
    previous = func.lag(T.last).over(partition_by=T.station, order_by=T.second)
    query = select(T.station, T.second, T.last, previous.label("previous")).where(
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
    return select(sub.c.station, sub.c.second, rise.label("rise")).subquery()


@pytest.fixture
def seeded(engine):
    """Three stations, two hours of seconds with a 20-minute gap in the middle, counters that
    reset now and then, states that change; readings missing here and there."""
    rng = random.Random(7)
    rows = []
    for station, line in (("S1", "L1"), ("S2", "L1"), ("C1", "C1")):
        count = 0.0
        state = 6.0
        for i in range(2 * 3600 + 40 * 60):
            if 50 * 60 <= i < 70 * 60 or rng.random() < 0.05:
                continue  # the gap, and lost seconds
            second = T0 + timedelta(seconds=i)
            count = 0.0 if rng.random() < 0.002 else count + rng.choice((0, 0, 1, 2))
            if rng.random() < 0.01:
                state = rng.choice((2.0, 5.0, 6.0, 6.0, 11.0))
            for signal, value in (("cycle_count", count), ("state", state)):
                rows.append(
                    {
                        "station": station,
                        "signal": signal,
                        "second": second,
                        "line": line,
                        "min": value,
                        "max": value,
                        "mean": value,
                        "last": value,
                        "count": 1,
                    }
                )
    with transaction(engine) as s:
        s.execute(insert(T), rows)
        roll_up_everything(s)
    return engine


@pytest.mark.parametrize("since, until", WINDOWS)
def test_rises_and_states_match_every_second(seeded, since, until):
    with transaction(seeded) as s:
        for stations in ([], ["S1", "C1"]):
            old = _old_rises(s, "cycle_count", since, until, stations)
            expected = dict(
                s.execute(select(old.c.station, func.sum(old.c.rise)).group_by(old.c.station)).all()
            )
            got: dict[str, float] = {}
            for station, _, amount in counter_rises(s, "cycle_count", since, until, stations):
                got[station] = got.get(station, 0.0) + amount
            assert got == pytest.approx(expected)
        expected_states = {
            station: (line, n, int(execute))
            for station, line, n, execute in s.execute(
                select(
                    T.station,
                    func.max(T.line),
                    func.count(),
                    func.sum(case((T.last == EXECUTE, 1), else_=0)),
                )
                .where(T.signal == "state", T.second >= since, T.second < until)
                .group_by(T.station)
            )
        }
        assert state_counts(s, since, until, ["S1", "S2", "C1"]) == expected_states


def test_p_chart_periods_and_keys_match_every_second(seeded):
    since, until = T0 + timedelta(minutes=7, seconds=13), T0 + 3 * HOUR
    with transaction(seeded) as s:
        old = _old_rises(s, "cycle_count", since, until, [])
        expected: dict[datetime, float] = {}
        for second, amount in s.execute(select(old.c.second, old.c.rise)):
            hour = second.replace(minute=0, second=0, microsecond=0)
            expected[hour] = expected.get(hour, 0.0) + amount
        assert inspected_per_period(s, [], since, until, HOUR) == {
            hour: int(round(total)) for hour, total in expected.items()
        }
        keys = telemetry_keys(s)
        distinct = sorted((a, b) for a, b in s.execute(select(T.station, T.signal).distinct()))
    assert (
        keys
        == distinct
        == [(st, sg) for st in ("C1", "S1", "S2") for sg in ("cycle_count", "state")]
    )
