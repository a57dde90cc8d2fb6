"""A published plan survives a restart of the ingest actor (issue 6, item 8): it waits in the
store, not in the actor's memory, so the restarted actor hands it to the line's uplink, and the
agent (a real process) takes it exactly once, also after the centre restarted again."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from core.db import make_engine, transaction
from core.events import EventType
from core.schema import EventRow
from edge_agents.outbox import Outbox
from tests.cluster.conftest import REPO, agent_env, local_ray_for, wait_for

pytestmark = pytest.mark.timeout(300)

PLAN_ID = "cut:C1:v7"
PLAN = {"plan_id": PLAN_ID, "version": 7, "markers": [{"name": "M1", "plies": 12}]}


@pytest.fixture(scope="module")
def local_ray(ray_token: Path) -> Iterator[None]:
    with local_ray_for("C1"):
        yield


def _received(engine) -> list[EventRow]:  # type: ignore[no-untyped-def]
    with transaction(engine) as s:
        rows = s.scalars(
            select(EventRow).where(EventRow.line == "C1", EventRow.type == EventType.PLAN_RECEIVED)
        ).all()
        s.expunge_all()
        return [r for r in rows if r.payload.get("plan_id") == PLAN_ID]


def _beats(engine) -> int:  # type: ignore[no-untyped-def]
    with transaction(engine) as s:
        rows = s.scalars(
            select(EventRow.id).where(
                EventRow.line == "C1", EventRow.type == EventType.AGENT_HEARTBEAT
            )
        )
        return len(list(rows))


def test_a_plan_waiting_when_the_ingest_restarts_arrives_once(
    local_ray: None, db_url: str, tmp_path: Path
) -> None:
    import ray

    from cluster.services import start_central, start_uplink

    engine = make_engine(db_url)
    outbox_file = tmp_path / "outbox" / "C1.sqlite"
    box = Outbox(outbox_file)
    ingest = start_central(db_url)
    uplink = agent = None
    try:
        ray.get(ingest.publish_plan.remote("C1", PLAN_ID, PLAN))
        assert ray.get(ingest.pending_plans.remote("C1")) == [PLAN_ID]
        # The actor dies before any uplink took the plan; Ray restarts it (max_restarts=-1)
        # with nothing in its memory.
        old_pid = _pid(ingest)
        ray.kill(ingest, no_restart=False)
        wait_for(lambda: _pid(ingest) not in (None, old_pid), 60, "the ingest actor restarted")
        assert ray.get(ingest.pending_plans.remote("C1")) == [PLAN_ID]

        uplink = start_uplink("C1", str(outbox_file), poll_s=0.1, max_backoff_s=1.0)
        args = ["edge", "run", "--line", "C1", "--no-devices", "--heartbeat", "0.5"]
        agent = subprocess.Popen(
            [sys.executable, "-m", "cluster.cli.main", *args, "--outbox", str(outbox_file)],
            env=agent_env(tmp_path),
            cwd=REPO,
        )
        wait_for(lambda: _received(engine), 60, "plan.received from the agent")
        wait_for(lambda: not ray.get(ingest.pending_plans.remote("C1")), 30, "delivery noted")

        # The whole centre restarts after delivery: the plan is not handed out again.
        ray.kill(ingest, no_restart=True)
        ingest = start_central(db_url)
        assert ray.get(ingest.pending_plans.remote("C1")) == []
        beats = _beats(engine)
        wait_for(lambda: _beats(engine) >= beats + 4, 60, "heartbeats through the new ingest")
        agent.send_signal(signal.SIGTERM)
        assert agent.wait(timeout=30) == 0
        wait_for(lambda: box.depth() == 0, 60, "outbox drained")

        assert box.plan_ids() == [PLAN_ID]  # one copy in the inbox
        (received,) = _received(engine)  # taken once by the agent
        assert received.payload == {"plan_id": PLAN_ID, "markers": 1, "executed": False}
    finally:
        if agent is not None and agent.poll() is None:
            agent.kill()
            agent.wait()
        if uplink is not None:
            ray.get(uplink.stop.remote())
            ray.kill(uplink, no_restart=True)
        ray.kill(ingest, no_restart=True)
        box.close()
        engine.dispose()


def _pid(actor) -> int | None:  # type: ignore[no-untyped-def]
    """The actor's process id, None while it does not answer (being restarted)."""
    import os

    import ray
    from ray.exceptions import RayError

    try:
        return int(ray.get(actor.__ray_call__.remote(lambda _self: os.getpid()), timeout=5))
    except RayError:
        return None
