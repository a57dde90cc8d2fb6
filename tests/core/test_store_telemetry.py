"""One-second aggregates from edge events are stored once per station, signal and second."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select

from core.db import transaction
from core.errors import InputError
from core.events import Event, EventType
from core.schema import TelemetryAggregateRow
from core.store_telemetry import store_aggregates

T0 = datetime(2026, 11, 22, 9, 30, 0, tzinfo=UTC)


def _event(second: datetime, station: str = "S3", **signals: dict[str, float]) -> Event:
    return Event(
        line="L1",
        station=station,
        type=EventType.TELEMETRY_AGGREGATE,
        time=second,
        payload={"second": second.isoformat(), "signals": signals},
    )


SPEED = {"min": 3000.0, "max": 3400.0, "mean": 3210.5, "last": 3300.0, "count": 10}
CURRENT = {"min": 1.1, "max": 1.4, "mean": 1.2, "last": 1.3, "count": 10}


def test_aggregates_are_stored_once(engine: Engine) -> None:
    first = [_event(T0, speed=SPEED, motor_current=CURRENT), _event(T0, station="S4", speed=SPEED)]
    with transaction(engine) as s:
        assert store_aggregates(s, first) == 3
    later = [*first, _event(T0 + timedelta(seconds=1), speed=SPEED)]
    with transaction(engine) as s:
        assert store_aggregates(s, later) == 1
    with transaction(engine) as s:
        rows = s.scalars(
            select(TelemetryAggregateRow).order_by(
                TelemetryAggregateRow.station,
                TelemetryAggregateRow.second,
                TelemetryAggregateRow.signal,
            )
        ).all()
    assert [(r.station, r.signal, r.second) for r in rows] == [
        ("S3", "motor_current", T0),
        ("S3", "speed", T0),
        ("S3", "speed", T0 + timedelta(seconds=1)),
        ("S4", "speed", T0),
    ]
    assert (rows[1].mean, rows[1].last, rows[1].count, rows[1].line) == (3210.5, 3300.0, 10, "L1")


@pytest.mark.parametrize(
    "payload",
    [
        {"signals": {"speed": SPEED}},
        {"second": "yesterday", "signals": {"speed": SPEED}},
        {"second": "2026-11-22T09:30:00", "signals": {"speed": SPEED}},
        {"second": T0.isoformat(), "signals": {"speed": {"min": 1.0}}},
        {"second": T0.isoformat(), "signals": ["speed"]},
    ],
    ids=["no-second", "bad-second", "naive-second", "missing-field", "signals-list"],
)
def test_malformed_aggregates_are_refused_whole(engine: Engine, payload: dict) -> None:
    bad = Event(line="L1", station="S3", type=EventType.TELEMETRY_AGGREGATE, payload=payload)
    with pytest.raises(InputError, match=bad.id), transaction(engine) as s:
        store_aggregates(s, [_event(T0, speed=SPEED), bad])
    with transaction(engine) as s:
        assert s.scalars(select(TelemetryAggregateRow)).all() == []
