"""The per-minute roll-up follows the seconds stored: written with them by `store_aggregates`
(also out of order and on replay), rebuilt from scratch the same, a counter's resets counted."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select

from core.db import transaction
from core.events import Event, EventType
from core.schema import TelemetryMinuteRow
from core.store_telemetry import store_aggregates
from core.telemetry_rollup import roll_up_everything

T0 = datetime(2026, 11, 22, 9, 30, 0, tzinfo=UTC)


def _event(second: datetime, station: str, **values: float) -> Event:
    return Event(
        line="L1",
        station=station,
        type=EventType.TELEMETRY_AGGREGATE,
        time=second,
        payload={
            "second": second.isoformat(),
            "signals": {
                name: {"min": v, "max": v, "mean": v, "last": v, "count": 1}
                for name, v in values.items()
            },
        },
    )


def _minutes(engine: Engine) -> list[tuple]:
    with transaction(engine) as s:
        rows = s.scalars(
            select(TelemetryMinuteRow).order_by(
                TelemetryMinuteRow.station, TelemetryMinuteRow.signal, TelemetryMinuteRow.minute
            )
        ).all()
        return [
            (r.station, r.signal, r.minute, r.readings, r.first_second, r.last_second, r.first,
             r.last, r.rise, r.execute_s, r.line)
            for r in rows
        ]  # fmt: skip


def test_minutes_follow_the_seconds_stored_in_any_order(engine: Engine) -> None:
    # S3's counter: 5, 7, 9 then a reset to 1, 2 in minute one; 4, 6 in minute two.
    counts = [5, 7, 9, 1, 2, 4, 6]
    seconds = [T0 + timedelta(seconds=s) for s in (0, 10, 20, 30, 59, 60, 75)]
    states = [6, 6, 2, 6, 6, 6, 11]
    events = [
        _event(t, "S3", good_count=c, state=st)
        for t, c, st in zip(seconds, counts, states, strict=True)
    ]
    # Minute two late second first, then its first second (before what it holds); minute one
    # in order, then seconds after what it holds, then one among them (recomputed); a replay.
    for batch in ([6], [5], [0, 1], [3, 4], [2]):
        with transaction(engine) as s:
            assert store_aggregates(s, [events[i] for i in batch]) == 2 * len(batch)  # 2 signals
    with transaction(engine) as s:
        assert store_aggregates(s, events) == 0
    one, two = T0, T0 + timedelta(minutes=1)
    end_one, end_two = seconds[4], seconds[6]
    expected = [
        ("S3", "good_count", one, 5, T0, end_one, 5.0, 2.0, 2 + 2 + 1 + 1, 0, "L1"),
        ("S3", "good_count", two, 2, two, end_two, 4.0, 6.0, 2.0, 1, "L1"),  # execute_s: state
        ("S3", "state", one, 5, T0, end_one, 6.0, 6.0, 0 + 2 + 4 + 0, 4, "L1"),
        ("S3", "state", two, 2, two, end_two, 6.0, 11.0, 5.0, 1, "L1"),
    ]
    assert _minutes(engine) == expected
    with transaction(engine) as s:
        assert roll_up_everything(s) == 4
    assert _minutes(engine) == expected


def test_extended_minutes_equal_minutes_rebuilt_from_their_seconds(engine: Engine) -> None:
    """Random batches, mostly in order, some late or replayed: the rows `store_aggregates`
    extended are the rows a rebuild from the stored seconds gives."""
    rng = random.Random(11)
    count, events = 0.0, []
    for i in range(0, 600, 3):
        count = 0.0 if rng.random() < 0.03 else count + rng.choice((0, 1, 2))
        state = rng.choice((2.0, 6.0, 6.0, 11.0))
        for station in ("S1", "S2"):
            events.append(_event(T0 + timedelta(seconds=i), station, good_count=count, state=state))
    batches = [events[i : i + rng.randint(1, 40)] for i in range(0, len(events), 20)]
    late = batches[: len(batches) // 3]
    rng.shuffle(late)  # a third arrives out of order
    batches = late + batches[len(late) :]
    for batch in batches + batches[:5]:  # and some again
        with transaction(engine) as s:
            store_aggregates(s, batch)
    extended = _minutes(engine)
    with transaction(engine) as s:
        roll_up_everything(s)
    assert extended == _minutes(engine) and len(extended) == 2 * 2 * 10
