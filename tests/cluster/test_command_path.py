"""Operators' actions reach the line's agent over the real path (issue 6 item 5, issue 7 item 1):
HMI action -> command row in the store -> central ingest's reply -> the line's uplink (real local
Ray) -> the agent process's inbox -> its execution -> its events back to the store, where the
operator page reads them. A command whose acknowledgement was lost is delivered again and
applied once."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, update

from cluster.plan_versions import payload
from core.commands import queue_command
from core.db import make_engine, transaction
from core.events import EventType
from core.plans import published_plan
from core.schema import EventRow, LineCommandRow
from edge_agents.outbox import Outbox
from hmi.operator.actions import Acting, operate, scan_bundle
from hmi.operator.line_view import line_view
from hmi.operator.station import find_station
from tests.cluster.conftest import REPO, agent_env, local_ray_for, wait_for
from tests.hmi.operator_store import add_plan
from tests.hmi.pages_store import add_people
from tests.hmi.test_operator_page import OLGA

pytestmark = pytest.mark.timeout(300)


@pytest.fixture(scope="module")
def local_ray(ray_token: Path) -> Iterator[None]:
    with local_ray_for("L1"):
        yield


def _agent(home: Path, outbox: Path) -> subprocess.Popen[bytes]:
    args = ["edge", "run", "--line", "L1", "--no-devices", "--heartbeat", "0.5"]
    return subprocess.Popen(
        [sys.executable, "-m", "cluster.cli.main", *args, "--outbox", str(outbox)],
        env=agent_env(home),
        cwd=REPO,
    )


def _line_events(engine, kind: str) -> list[EventRow]:  # type: ignore[no-untyped-def]
    with transaction(engine) as s:
        rows = s.scalars(select(EventRow).where(EventRow.line == "L1", EventRow.type == kind)).all()
        s.expunge_all()
        return [r for r in rows if "plan_id" in r.payload]  # the agent's, not the HMI's record


def _undelivered(engine) -> int:  # type: ignore[no-untyped-def]
    with transaction(engine) as s:
        rows = s.scalars(select(LineCommandRow.id).where(LineCommandRow.delivered_at.is_(None)))
        return len(list(rows))


def test_hmi_actions_reach_the_agent_and_its_events_come_back(
    local_ray: None, db_url: str, tmp_path: Path
) -> None:
    import ray

    from cluster.services import start_central, start_uplink

    engine = make_engine(db_url)
    add_people(engine)
    add_plan(engine)
    outbox_file = tmp_path / "outbox" / "L1.sqlite"
    box = Outbox(outbox_file)
    ingest = start_central(db_url)
    uplink = start_uplink("L1", str(outbox_file), poll_s=0.1, max_backoff_s=1.0)
    agent = _agent(tmp_path, outbox_file)
    olga = Acting(OLGA, "olga")
    try:
        with transaction(engine) as s:
            plan = published_plan(s, "sewing:L1")
            assert plan is not None
            published = payload(plan)
            station = find_station(s, "S3")
        ray.get(ingest.publish_plan.remote("L1", published["plan_id"], published))
        wait_for(lambda: _line_events(engine, EventType.PLAN_RECEIVED), 60, "plan.received")

        with transaction(engine) as s:
            operate(s, olga, station, "B-101", "COLLAR", "start")
        wait_for(lambda: _line_events(engine, EventType.OPERATION_STARTED), 60, "agent started")
        with transaction(engine) as s:
            operate(s, olga, station, "B-101", "COLLAR", "pause")
            operate(s, olga, station, "B-101", "COLLAR", "start")
            operate(s, olga, station, "B-101", "COLLAR", "finish")
            scan_bundle(s, olga, station, "B-102")
            # The HMI's view lagging the line's: finishing work the line never started.
            queue_command(s, "L1", "S3", "finish", "B-103", "COLLAR", "olga")
        wait_for(lambda: _line_events(engine, EventType.COMMAND_REFUSED), 60, "the refusal")
        assert _undelivered(engine) == 0
        (refused,) = _line_events(engine, EventType.COMMAND_REFUSED)
        assert (
            "cannot finish bundle B-103 operation COLLAR at station S3: it is queued"
            in (refused.payload["reason"])
        )

        # The acknowledgement of the first command lost: it is delivered again, applied once.
        with transaction(engine) as s:
            first = s.scalars(select(LineCommandRow.id).order_by(LineCommandRow.seq)).first()
            s.execute(
                update(LineCommandRow).where(LineCommandRow.id == first).values(delivered_at=None)
            )
        wait_for(lambda: _undelivered(engine) == 0, 60, "the command delivered again")
        agent.send_signal(signal.SIGTERM)
        assert agent.wait(timeout=30) == 0
        wait_for(lambda: box.depth() == 0, 60, "outbox drained")

        by_command = {}
        for kind in (
            EventType.OPERATION_STARTED,
            EventType.OPERATION_PAUSED,
            EventType.OPERATION_FINISHED,
            EventType.BUNDLE_SCANNED,
            EventType.COMMAND_REFUSED,
        ):
            for e in _line_events(engine, kind):
                by_command.setdefault(e.payload["command_id"], []).append((e.time, e.type))
        with transaction(engine) as s:
            sent = list(s.scalars(select(LineCommandRow.id).order_by(LineCommandRow.seq)))
        assert box.command_ids() == sent  # each command once in the inbox, in order
        applied = [sorted(by_command[c])[-1][1] for c in sent]
        assert applied == [
            "operation.started",
            "operation.paused",
            "operation.started",
            "operation.finished",
            "operation.started",  # the scan started B-102, as a scanner's would
            "command.refused",
        ]
        assert len(by_command[first]) == 1  # applied once, though delivered twice
        with transaction(engine) as s:
            view = line_view(s, "S3", limit=20)
        assert view.waiting == 0
        assert [(f.type, f.bundle) for f in view.facts[:2]] == [
            ("command.refused", "B-103"),
            ("operation.started", "B-102"),
        ]
    finally:
        if agent.poll() is None:
            agent.kill()
            agent.wait()
        ray.get(uplink.stop.remote())
        ray.kill(uplink, no_restart=True)
        ray.kill(ingest, no_restart=True)
        box.close()
        engine.dispose()
