"""Events into the store in bulk (COPY on PostgreSQL, a driver executemany on SQLite): every
column reads back as written, ids already stored are skipped, a naive time is refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine, select

from core.db import transaction
from core.events import Event, EventType
from core.schema import EventRow
from core.store_events import store_events, store_new_events

T0 = datetime(2026, 11, 22, 9, 30, 0, 250000, tzinfo=UTC)


def test_bulk_insert_reads_back_every_column(engine: Engine) -> None:
    events = [
        Event(line="L1", type=EventType.AGENT_HEARTBEAT, time=T0, payload={"beat": 1}),
        Event(
            line="L1",
            station="S3",
            type=EventType.MACHINE_COUNT,
            time=T0.astimezone(timezone(timedelta(hours=1))),  # the same instant, another zone
            payload={"counter": "good_count", "delta": 2, "note": "quote ' tab \t é", "x": None},
        ),
    ]
    with transaction(engine) as s:
        assert [e.id for e in store_new_events(s, events)] == [e.id for e in events]
    with transaction(engine) as s:
        assert store_events(s, [*events, Event(line="L1", type="andon.called", time=T0)]) == 1
        rows = {r.id: r for r in s.scalars(select(EventRow))}
    for e in events:
        row = rows[e.id]
        assert (row.line, row.station, row.type, row.payload) == (
            e.line,
            e.station,
            e.type,
            e.payload,
        )
        assert row.time == T0 and row.time.tzinfo is not None
        assert row.received_at.tzinfo is not None


def test_a_naive_time_is_refused(engine: Engine) -> None:
    naive = Event(line="L1", type=EventType.AGENT_HEARTBEAT, time=datetime(2026, 11, 22, 9, 30))
    with pytest.raises(Exception, match="naive"), transaction(engine) as s:
        store_events(s, [naive])
