"""The outbox's bound while the centre is gone: high-water alarm, thinning, order on return."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from cluster.ingest import CentralIngest
from core.db import make_engine
from core.events import Event, EventType
from core.schema import EventRow
from edge_agents.outbox import Outbox
from edge_agents.outbox_guard import LINK, OutboxGuard, OutboxLimits
from tests.cluster.conftest import store_url

__all__ = ["store_url"]

LIMITS = OutboxLimits(max_events=100, high_water=0.8, low_water=0.6, thin_to=0.9, check_every=1)


def _fact(n: int, station: str) -> Event:
    return Event(line="L1", station=station, type=EventType.OPERATION_STARTED,
                 payload={"bundle": f"B{n}", "operation": "collar", "n": n})  # fmt: skip


def _telemetry(n: int, station: str) -> Event:
    return Event(line="L1", station=station, type=EventType.TELEMETRY_AGGREGATE,
                 payload={"second": n, "signals": {}})  # fmt: skip


def _emit(box: Outbox, guard: OutboxGuard, events: list[Event]) -> None:
    for e in events:
        box.append([e])
        guard.after_append()


def _of(box: Outbox, kind: str) -> list[Event]:
    return [e for e in box.unshipped(limit=100_000) if e.type == kind]


def test_limits_are_checked():
    with pytest.raises(ValidationError, match="low_water < high_water"):
        OutboxLimits(high_water=0.5, low_water=0.6)
    with pytest.raises(ValidationError, match="max_events"):
        OutboxLimits(max_events=0)


def test_high_water_alarm_before_the_bound_and_clear_after(tmp_path):
    with Outbox(tmp_path / "L1.sqlite") as box:
        guard = OutboxGuard(box, "L1", LIMITS)
        _emit(box, guard, [_fact(n, "S1") for n in range(79)])
        assert guard.state == "ok" and _of(box, EventType.ALARM_RAISED) == []
        _emit(box, guard, [_fact(79, "S1")])
        raised = _of(box, EventType.ALARM_RAISED)
        assert [a.payload["key"] for a in raised] == ["outbox.high_water"]
        assert raised[0].payload["priority"] == "high" and raised[0].payload["active"] is True
        assert box.links()[LINK][0] == "high_water"
        _emit(box, guard, [_fact(n, "S1") for n in range(80, 90)])
        assert len(_of(box, EventType.ALARM_RAISED)) == 1  # raised once, not per event
        # The centre is back: the uplink ships; the alarm clears only below low water.
        box.mark_shipped([e.id for e in box.unshipped(limit=30)])
        assert guard.check() == "high_water"
        box.mark_shipped([e.id for e in box.unshipped(limit=10)])
        assert guard.check() == "ok"
        cleared = _of(box, EventType.ALARM_CHANGED)
        assert cleared[-1].payload["key"] == "outbox.high_water"
        assert cleared[-1].payload["active"] is False
        assert box.links()[LINK][0] == "ok"


def test_at_the_bound_telemetry_is_thinned_and_facts_never_dropped(tmp_path):
    with Outbox(tmp_path / "L1.sqlite") as box:
        guard = OutboxGuard(box, "L1", LIMITS)
        facts = [_fact(n, "S1") for n in range(60)]
        telemetry = [_telemetry(n, "S1") for n in range(60)]
        _emit(box, guard, [e for pair in zip(telemetry, facts, strict=True) for e in pair])
        kept = {e.id for e in box.unshipped(limit=100_000)}
        assert {e.id for e in facts} <= kept  # every fact is still there
        assert box.depth() <= LIMITS.max_events
        thinned = _of(box, EventType.OUTBOX_THINNED)
        assert thinned and sum(guard.thinned.values()) == guard.thinned["telemetry.aggregate"]
        gone = [e for e in telemetry if e.id not in kept]
        assert len(gone) == guard.thinned["telemetry.aggregate"]
        assert gone == telemetry[: len(gone)]  # the oldest went first
        # Only facts left to keep: the outbox grows past its bound and says so, critically.
        _emit(box, guard, [_fact(n, "S2") for n in range(60, 120)])
        assert len(_of(box, EventType.OPERATION_STARTED)) == 120
        assert guard.state == "full" and box.depth() > LIMITS.max_events
        critical = [
            a for a in _of(box, EventType.ALARM_RAISED) if a.payload["key"] == "outbox.full"
        ]
        assert len(critical) == 1 and critical[0].payload["priority"] == "critical"


def test_after_an_outage_every_fact_arrives_once_in_order_per_station(tmp_path, store_url):
    with Outbox(tmp_path / "L1.sqlite") as box:
        guard = OutboxGuard(box, "L1", LIMITS)
        emitted: list[Event] = []
        for n in range(90):
            station = f"S{n % 3 + 1}"
            emitted += [_telemetry(n, station), _fact(n, station)]
        _emit(box, guard, emitted)
        ingest = CentralIngest(store_url)
        shipped: list[Event] = []
        try:
            while batch := box.unshipped(limit=17):
                result = ingest.ship("L1", "node-1", [e.to_dict() for e in batch], box.depth())
                if not shipped:  # the first acknowledgement is lost: the batch goes again
                    again = ingest.ship("L1", "node-1", [e.to_dict() for e in batch], 0)
                    assert again["stored"] == 0 and result["stored"] == len(batch)
                box.mark_shipped([e.id for e in batch])
                shipped += batch
            engine = make_engine(store_url)
            with engine.connect() as conn:
                stored = conn.execute(select(EventRow.id).where(EventRow.line == "L1")).all()
            engine.dispose()
        finally:
            ingest.engine.dispose()
        assert sorted(i for (i,) in stored) == sorted(e.id for e in shipped)
        facts = [e for e in emitted if e.type == EventType.OPERATION_STARTED]
        for station in ("S1", "S2", "S3"):
            sent = [e.id for e in shipped if e.station == station and e in facts]
            assert sent == [e.id for e in facts if e.station == station]
            ticks = [e.payload["second"] for e in shipped
                     if e.station == station and e.type == EventType.TELEMETRY_AGGREGATE]  # fmt: skip
            assert ticks == sorted(ticks)
