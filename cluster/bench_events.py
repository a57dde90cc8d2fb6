"""Event-path benchmark: durable appends at the line, and outbox-to-store throughput via Ray."""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from core.events import Event, EventType

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]


@dataclass
class EventPathResult:
    appends: int
    append_per_s: float
    events: int
    ship_s: float
    ship_per_s: float
    replay_s: float
    replay_new: int
    telemetry_catch_up_s: float  # after shipping: until every aggregate is in the telemetry tables


_STATIONS = 30
_SIGNALS = ("speed", "cycle_count", "good_count", "motor_current", "needle_temperature", "state")


MIXES = ("line", "facts")


def _events(n: int, mix: str = "line") -> list[Event]:
    """What a line of 30 sewing machines writes (`line`): per 100 events 90 one-second
    telemetry aggregates (6 signals each, so 6 telemetry rows), 8 counter moves, 1 PackML state
    change and 1 heartbeat; and one alarm raised and changed per 1,000. `facts`: the same with
    counter moves instead of aggregates (the event path without the telemetry table)."""
    start = datetime(2026, 11, 22, 6, 0, tzinfo=UTC)
    events: list[Event] = []
    for i in range(n):
        station = f"L1-M{i % _STATIONS + 1:03d}"
        when = start + timedelta(seconds=i // _STATIONS)
        kind = i % 100
        payload: dict[str, Any]
        if i % 1000 in (998, 999):
            events.append(_alarm(station, when, raised=i % 1000 == 998))
        elif kind < 90 and mix == "line":
            signals = {
                name: {"min": 1.0, "max": 3.0, "mean": 2.0, "last": 2.5, "count": 10}
                for name in _SIGNALS
            }
            second = when.isoformat()
            payload = {"second": second, "signals": signals}
            events.append(Event("L1", EventType.TELEMETRY_AGGREGATE, payload, station, when))
        elif kind < 98:
            payload = {"counter": "good_count", "value": i, "delta": 1, "machine": station}
            events.append(Event("L1", EventType.MACHINE_COUNT, payload, station, when))
        elif kind == 98:
            payload = {"state": 6, "state_name": "EXECUTE", "previous": 5, "machine": station}
            events.append(Event("L1", EventType.MACHINE_STATE, payload, station, when))
        else:
            payload = {"beat": i, "uptime_s": 1.0, "outbox_depth": n - i, "outbox_state": "ok"}
            events.append(Event("L1", EventType.AGENT_HEARTBEAT, payload, None, when))
    return events


def _alarm(station: str, when: datetime, raised: bool) -> Event:
    key = f"{station}.needle_temperature.HI"
    payload = {"key": key, "station": station, "priority": "medium", "value": 77.0,
               "state": "unacknowledged" if raised else "returned_unacknowledged",
               "active": raised, "message": f"needle_temperature HI limit 75 at {station}"}  # fmt: skip
    kind = EventType.ALARM_RAISED if raised else EventType.ALARM_CHANGED
    return Event("L1", kind, payload, station, when)


def run_event_path_bench(
    events: int = 20_000,
    appends: int = 1_000,
    batch_size: int = 5_000,
    store_url: str | None = None,
    on_progress: Progress | None = None,
    mix: str = "line",
) -> EventPathResult:
    """Time `appends` one-event durable appends, then ship `events` through a local Ray."""
    import ray

    from cluster.roles import CENTRAL, NAMESPACE, ROLE_UNITS, line_resource
    from cluster.services import start_central, start_uplink
    from cluster.store import prepare_store
    from cluster.token import enable_token_auth, ensure_token
    from core.db import make_engine
    from edge_agents.outbox import Outbox

    progress = on_progress or (lambda stage, done, total: None)
    with tempfile.TemporaryDirectory(prefix="atelier-bench-") as tmp:
        work = Path(tmp)
        url = store_url or f"sqlite:///{work / 'store.db'}"
        prepare_store(url)
        with Outbox(work / "appends.sqlite") as scratch:
            start = time.perf_counter()
            for i, event in enumerate(_events(appends), 1):
                scratch.append([event])
                if i % 100 == 0:
                    progress("durable appends", i, appends)
            append_per_s = appends / (time.perf_counter() - start)
        box = Outbox(work / "L1.sqlite")
        batch = _events(events, mix)
        enable_token_auth(ensure_token(work))
        ray.init(
            address="local",  # a new instance, even where another Ray runs
            num_cpus=1,
            resources={CENTRAL: ROLE_UNITS, line_resource("L1"): ROLE_UNITS},
            object_store_memory=200 * 2**20,
            include_dashboard=False,
            namespace=NAMESPACE,
            log_to_driver=False,
        )
        try:
            ingest = start_central(url)
            ray.get(ingest.ping.remote())
            uplink = start_uplink("L1", str(box.path), batch_size=batch_size, poll_s=0.05)
            ray.get(uplink.status.remote())  # its worker is up: startup is not shipping time
            box.append(batch)  # one transaction: the backlog appears at once, as after an outage
            start = time.perf_counter()
            ship_s = _drain(box, events, start, "shipping", progress)
            engine = make_engine(url)
            catch_up_s = _catch_up(engine, progress)
            box.requeue_shipped()
            before = _count(engine)
            start = time.perf_counter()
            replay_s = _drain(box, box.depth(), start, "replay", progress)
            replay_new = _count(engine) - before
            engine.dispose()
            ray.get(uplink.stop.remote())
        finally:
            ray.shutdown()
            box.close()
    return EventPathResult(
        appends=appends,
        append_per_s=append_per_s,
        events=events,
        ship_s=ship_s,
        ship_per_s=events / ship_s,
        replay_s=replay_s,
        replay_new=replay_new,
        telemetry_catch_up_s=catch_up_s,
    )


def _drain(box, total: int, start: float, stage: str, progress: Progress) -> float:  # type: ignore[no-untyped-def]
    while (depth := box.depth()) > 0:
        progress(stage, total - depth, total)
        time.sleep(0.01)  # a run lasts about a second: the poll must not add to it
    progress(stage, total, total)
    return time.perf_counter() - start


def _catch_up(engine, progress: Progress) -> float:  # type: ignore[no-untyped-def]
    """Seconds until the aggregates queued behind the backlog are in the telemetry tables
    (the uplink's idle polls project them, `cluster.ingest`)."""
    from core.db import transaction
    from core.store_telemetry import pending_aggregates

    start = time.perf_counter()
    first = None
    while True:
        with transaction(engine) as session:
            waiting = pending_aggregates(session)
        first = waiting if first is None else first
        progress("telemetry catch-up", first - waiting, first)
        if waiting == 0:
            return time.perf_counter() - start
        time.sleep(0.05)


def _count(engine) -> int:  # type: ignore[no-untyped-def]
    from sqlalchemy import func, select

    from core.schema import EventRow

    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(EventRow)) or 0)
