"""A backlog's telemetry: the events are stored first, the telemetry tables catch up after, and
end up exactly as if every aggregate had been stored with its batch."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

import cluster.ingest
from cluster.ingest import CentralIngest
from core.db import make_engine, transaction
from core.events import Event, EventType, new_event_id
from core.schema import TelemetryAggregateRow, TelemetryMinuteRow
from core.store_telemetry import pending_aggregates
from tests.cluster.conftest import stored_ids

START = datetime(2026, 11, 22, 6, 0, 50, tzinfo=UTC)


def _aggregates(station: str, seconds: int) -> list[Event]:
    """A station's one-second aggregates across a minute boundary: a counter with a reset, the
    PackML state in and out of Execute, and a speed."""
    events = []
    for s in range(seconds):
        count = float(s * 3 if s < 40 else (s - 40) * 2)  # a reset at 40 s
        state = 6.0 if s % 7 else 5.0
        signals = {
            "cycle_count": {"min": count, "max": count, "mean": count, "last": count, "count": 1},
            "state": {"min": state, "max": state, "mean": state, "last": state, "count": 1},
            "speed": {"min": 1.0, "max": 3.0 + s, "mean": 2.0, "last": 2.5, "count": 10},
        }
        second = START + timedelta(seconds=s)
        payload = {"second": second.isoformat(), "signals": signals}
        events.append(Event("L1", EventType.TELEMETRY_AGGREGATE, payload, station, second))
    return events


def _telemetry(url: str, station: str) -> tuple[list[tuple], list[tuple]]:
    T, M = TelemetryAggregateRow, TelemetryMinuteRow
    engine = make_engine(url)
    with engine.connect() as conn:
        seconds = conn.execute(
            select(T.signal, T.second, T.line, T.min, T.max, T.mean, T.last, T.count)
            .where(T.station == station)
            .order_by(T.signal, T.second)
        ).all()
        minutes = conn.execute(
            select(
                M.signal,
                M.minute,
                M.line,
                M.readings,
                M.first_second,
                M.last_second,
                M.first,
                M.last,
                M.rise,
                M.execute_s,
            )  # fmt: skip
            .where(M.station == station)
            .order_by(M.signal, M.minute)
        ).all()
    engine.dispose()
    return [tuple(r) for r in seconds], [tuple(r) for r in minutes]


def _pending(url: str) -> int:
    engine = make_engine(url)
    with transaction(engine) as session:
        waiting = pending_aggregates(session)
    engine.dispose()
    return waiting


def _catch_up(ingest: CentralIngest, url: str, rounds: int) -> int:
    """Ship empty batches (an uplink's idle polls) until nothing is queued; returns how many."""
    for done in range(1, rounds + 1):
        ingest.ship("L1", "n", [], 0)
        if _pending(url) == 0:
            return done
    raise AssertionError(f"telemetry still queued after {rounds} idle polls")


@pytest.fixture
def small_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    """A backlog of a few dozen events, caught up a few aggregates at a time."""
    monkeypatch.setattr(cluster.ingest, "TELEMETRY_INLINE_MAX", 20)
    monkeypatch.setattr(cluster.ingest, "TELEMETRY_CATCH_UP", 25)


def test_a_backlogs_telemetry_catches_up_to_exactly_what_inline_storing_gives(
    store_url, small_limits
):
    ingest = CentralIngest(store_url)
    inline_station, backlog_station = f"A{new_event_id()[:8]}", f"B{new_event_id()[:8]}"
    inline, backlog = _aggregates(inline_station, 90), _aggregates(backlog_station, 90)
    for start in range(0, len(inline), 10):  # batches a line keeping up sends
        ingest.ship("L1", "n", [e.to_dict() for e in inline[start : start + 10]], 0)
    # The backlog arrives out of order (an outage's tail first) in one batch: stored at once...
    shuffled = backlog[45:] + backlog[:45]
    reply = ingest.ship("L1", "n", [e.to_dict() for e in shuffled], 0)
    assert reply["stored"] == 90
    assert sorted(stored_ids(store_url, "L1")) == sorted(e.id for e in inline + backlog)
    assert _telemetry(store_url, backlog_station) == ([], [])
    assert _pending(store_url) == 90
    # ... its telemetry follows with the idle polls, 25 aggregates each.
    assert _catch_up(ingest, store_url, rounds=10) == 4
    expected = _telemetry(store_url, inline_station)
    assert len(expected[0]) == 3 * 90 and len(expected[1]) == 3 * 3
    assert _telemetry(store_url, backlog_station) == expected
    # A replay of the whole backlog queues nothing and changes nothing.
    assert ingest.ship("L1", "n", [e.to_dict() for e in backlog], 0)["stored"] == 0
    assert _pending(store_url) == 0
    assert _telemetry(store_url, backlog_station) == expected


def test_a_malformed_aggregate_in_a_backlog_stays_an_event_and_leaves_the_queue(
    store_url, small_limits
):
    ingest = CentralIngest(store_url)
    station = f"C{new_event_id()[:8]}"
    backlog = _aggregates(station, 30)
    bad = backlog[7]
    bad.payload["signals"]["speed"]["mean"] = 99.0  # above its max: the table's CHECK
    ingest.ship("L1", "n", [e.to_dict() for e in backlog], 0)
    _catch_up(ingest, store_url, rounds=5)
    seconds, _ = _telemetry(store_url, station)
    stored_seconds = {second for _, second, *_ in seconds}
    assert len(stored_seconds) == 29 and bad.time not in stored_seconds
    assert bad.id in stored_ids(store_url, "L1")


def test_a_failing_catch_up_refuses_no_batch_and_the_queue_waits_for_the_next_poll(
    store_url, small_limits, monkeypatch
):
    ingest = CentralIngest(store_url)
    station = f"D{new_event_id()[:8]}"
    backlog = _aggregates(station, 30)
    ingest.ship("L1", "n", [e.to_dict() for e in backlog], 0)

    def broken(session, limit):  # type: ignore[no-untyped-def]
        raise RuntimeError("disk full")

    monkeypatch.setattr(cluster.ingest, "project_pending", broken)
    beat = Event("L1", EventType.AGENT_HEARTBEAT, {"beat": 1})
    assert ingest.ship("L1", "n", [beat.to_dict()], 0)["stored"] == 1
    assert beat.id in stored_ids(store_url, "L1")
    assert _pending(store_url) == 30
    monkeypatch.undo()
    monkeypatch.setattr(cluster.ingest, "TELEMETRY_CATCH_UP", 25)
    _catch_up(ingest, store_url, rounds=5)
    assert len(_telemetry(store_url, station)[0]) == 3 * 30
