"""Event-path benchmark: durable appends at the line, and outbox-to-store throughput via Ray."""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

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


def _events(n: int) -> list[Event]:
    return [
        Event(line="L1", type=EventType.TELEMETRY_AGGREGATE, payload={"i": i}) for i in range(n)
    ]


def run_event_path_bench(
    events: int = 20_000,
    appends: int = 1_000,
    batch_size: int = 500,
    store_url: str | None = None,
    on_progress: Progress | None = None,
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

        batch = _events(events)
        for i in range(0, events, 1000):
            box.append(batch[i : i + 1000])
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
            start = time.perf_counter()
            uplink = start_uplink("L1", str(box.path), batch_size=batch_size, poll_s=0.05)
            ship_s = _drain(box, events, start, "shipping", progress)
            box.requeue_shipped()
            engine = make_engine(url)
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
    )


def _drain(box, total: int, start: float, stage: str, progress: Progress) -> float:  # type: ignore[no-untyped-def]
    while (depth := box.depth()) > 0:
        progress(stage, total - depth, total)
        time.sleep(0.05)
    progress(stage, total, total)
    return time.perf_counter() - start


def _count(engine) -> int:  # type: ignore[no-untyped-def]
    from sqlalchemy import func, select

    from core.schema import EventRow

    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(EventRow)) or 0)
