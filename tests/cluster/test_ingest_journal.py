"""Central ingest keeps the alarm journal and the telemetry table, unchanged by replays."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from cluster.ingest import CentralIngest
from core.db import make_engine
from core.events import Event, EventType, utcnow
from core.schema import AlarmRow, TelemetryAggregateRow
from edge_agents.alarms.engine import AlarmEngine, demo_rules
from edge_agents.alarms.manager import AlarmManager
from edge_agents.packml import PackMLState
from edge_agents.telemetry.aggregate import SecondAggregator


def _alarm_rows(url: str, ids: list[str]) -> list[tuple]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return list(
                conn.execute(
                    select(
                        AlarmRow.key,
                        AlarmRow.state,
                        AlarmRow.active,
                        AlarmRow.acknowledged_by,
                        AlarmRow.returned_at.is_not(None),
                    ).where(AlarmRow.event_id.in_(ids))
                )
            )
    finally:
        engine.dispose()


def test_alarm_events_keep_one_journal_row_through_replays(store_url: str) -> None:
    events: list[Event] = []
    manager = AlarmManager("C1", events.append)
    engine = AlarmEngine(demo_rules(), manager)
    station = f"T{utcnow().timestamp():.0f}"  # keys of this test only, also on a shared store
    engine.on_state(station, int(PackMLState.EXECUTE))
    engine.on_state(station, int(PackMLState.ABORTED))  # a machine fault: alarm raised
    manager.acknowledge(f"{station}.fault", "ana")
    engine.on_state(station, int(PackMLState.EXECUTE))  # repaired: back to normal
    assert [e.type for e in events] == [
        EventType.ALARM_RAISED,
        EventType.ALARM_CHANGED,
        EventType.ALARM_CHANGED,
    ]
    ingest = CentralIngest(store_url)
    try:
        raised = [e.to_dict() for e in events[:1]]
        assert ingest.ship("C1", "n", raised, 0)["stored"] == 1
        ids = [events[0].id]
        assert _alarm_rows(store_url, ids) == [
            (f"{station}.fault", "unacknowledged", True, None, False)
        ]
        everything = [e.to_dict() for e in events]
        ingest.ship("C1", "n", everything, 0)
        after = _alarm_rows(store_url, ids)
        assert after == [(f"{station}.fault", "normal", False, "ana", True)]
        # A replay of the whole batch (lost acknowledgement) changes nothing, not even the
        # raise that an older, replayed event would otherwise re-open.
        assert ingest.ship("C1", "n", everything, 0)["stored"] == 0
        assert _alarm_rows(store_url, ids) == after
    finally:
        ingest.engine.dispose()


def test_telemetry_aggregates_fill_the_table_once_and_bad_ones_stay_events(store_url: str) -> None:
    events: list[Event] = []
    aggregator = SecondAggregator("C1", events.append)
    station = f"T{utcnow().timestamp():.0f}"
    start = utcnow().timestamp() // 1 - 10
    for i in range(30):
        aggregator.add(station, "motor_current", 2.0 + i % 3, start + i / 10)
    aggregator.flush(start + 60)
    assert len(events) == 3
    bad = Event(line="C1", station=station, type=EventType.TELEMETRY_AGGREGATE, payload={})
    ingest = CentralIngest(store_url)
    engine = make_engine(store_url)
    try:
        batch = [e.to_dict() for e in [*events, bad]]
        assert ingest.ship("C1", "n", batch, 0)["stored"] == 4
        assert ingest.ship("C1", "n", batch, 0)["stored"] == 0
        with engine.connect() as conn:
            rows = conn.execute(
                select(TelemetryAggregateRow.second, TelemetryAggregateRow.count).where(
                    TelemetryAggregateRow.station == station
                )
            ).all()
            total = conn.scalar(
                select(func.sum(TelemetryAggregateRow.count)).where(
                    TelemetryAggregateRow.station == station
                )
            )
        assert len(rows) == 3 and total == 30
        assert max(r.second for r in rows) - min(r.second for r in rows) == timedelta(seconds=2)
    finally:
        engine.dispose()
        ingest.engine.dispose()
