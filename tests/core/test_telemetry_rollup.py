"""The per-minute roll-up follows the seconds stored: written with them by `store_aggregates`
(also out of order and on replay), rebuilt from scratch the same, a counter's resets counted."""

from __future__ import annotations

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
            (r.station, r.signal, r.minute, r.readings, r.first_second, r.first, r.last, r.rise,
             r.execute_s, r.line)
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
    # The second minute's seconds first, then the first minute's, then everything again.
    with transaction(engine) as s:
        store_aggregates(s, events[5:])
    with transaction(engine) as s:
        store_aggregates(s, events[:5])
    with transaction(engine) as s:
        assert store_aggregates(s, events) == 0
    one, two = T0, T0 + timedelta(minutes=1)
    expected = [
        ("S3", "good_count", one, 5, T0, 5.0, 2.0, 2 + 2 + 1 + 1, 0, "L1"),
        ("S3", "good_count", two, 2, two, 4.0, 6.0, 2.0, 1, "L1"),  # execute_s: state only
        ("S3", "state", one, 5, T0, 6.0, 6.0, 0 + 2 + 4 + 0, 4, "L1"),
        ("S3", "state", two, 2, two, 6.0, 11.0, 5.0, 1, "L1"),
    ]
    assert _minutes(engine) == expected
    with transaction(engine) as s:
        assert roll_up_everything(s) == 4
    assert _minutes(engine) == expected
