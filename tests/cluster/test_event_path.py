"""The event path on a real local Ray: agent process -> outbox -> uplink -> central ingest.

Covers item 9: with the centre gone the agent keeps writing; after it returns every event is
stored exactly once; a full replay adds nothing; plans come back into the agent's inbox.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.events import Event, EventType
from edge_agents.outbox import Outbox
from tests.cluster.conftest import (
    REPO,
    agent_env,
    agent_row,
    local_ray_for,
    stored_ids,
    stored_types,
    wait_for,
)

pytestmark = pytest.mark.timeout(300)


@pytest.fixture(scope="module")
def local_ray(ray_token: Path) -> Iterator[None]:
    with local_ray_for("L1"):
        yield


def _start_agent(home: Path, outbox: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cluster.cli.main",
            "edge",
            "run",
            "--line",
            "L1",
            "--heartbeat",
            "0.1",
            "--outbox",
            str(outbox),
        ],
        env=agent_env(home),
        cwd=REPO,
    )


def test_centre_gone_agent_keeps_writing_and_every_event_arrives_once(
    local_ray: None, store_url: str, tmp_path: Path
) -> None:
    import ray

    from cluster.services import deliver_plan, start_central, start_uplink

    outbox_file = tmp_path / "outbox" / "L1.sqlite"
    box = Outbox(outbox_file)
    ingest = start_central(store_url)
    uplink = start_uplink("L1", str(outbox_file), poll_s=0.1, max_backoff_s=1.0)
    agent = _start_agent(tmp_path, outbox_file)
    try:
        wait_for(lambda: len(stored_ids(store_url, "L1")) >= 5, 90, "first events in the store")
        row = agent_row(store_url, "L1")
        assert row is not None and row.last_heartbeat is not None
        assert row.node_id == ray.get(uplink.node_id.remote())

        deliver_plan("L1", {"plan_id": "P1", "bundles": ["B1", "B2"]})
        wait_for(lambda: "P1" in box.plan_ids(), 30, "plan P1 in the agent's inbox")
        wait_for(
            lambda: EventType.PLAN_RECEIVED in stored_types(store_url, "L1"),
            30,
            "plan.received in the store",
        )

        ray.kill(ingest, no_restart=True)
        wait_for(lambda: box.links().get("uplink", ("",))[0] == "reconnecting", 30, "reconnecting")
        during_outage = len(stored_ids(store_url, "L1"))
        wait_for(lambda: box.depth() >= 30, 60, "the agent writing while the centre is gone")
        assert agent.poll() is None
        assert len(stored_ids(store_url, "L1")) == during_outage

        ingest = start_central(store_url)
        # A malformed event (station too long for the store) must not block the line.
        bad = Event(line="L1", type=EventType.ANDON_CALLED, station="S" * 40)
        box.append([bad])
        # Nor a row whose text is not JSON at all (the outbox ships texts as they are).
        box._write("INSERT INTO outbox (id, body) VALUES (?, ?)", [("e-garbled", '{"id": "e-')])
        wait_for(lambda: box.links()["uplink"][0] == "connected", 60, "uplink connected again")
        wait_for(
            lambda: agent_row(store_url, "L1").links["uplink"]["state"] == "connected",  # type: ignore[union-attr]
            60,
            "the centre seeing the uplink connected again",
        )
        agent.send_signal(signal.SIGTERM)
        assert agent.wait(timeout=30) == 0
        wait_for(lambda: box.depth() == 0, 60, "outbox drained")

        rejected = dict(box.rejected())
        assert rejected.keys() == {bad.id, "e-garbled"}
        assert rejected[bad.id] == "station longer than 32 characters"
        assert rejected["e-garbled"].startswith("not an event: JSONDecodeError")
        written = [i for i in box.all_ids() if i not in rejected]
        stored = stored_ids(store_url, "L1")
        assert len(stored) == len(written) == len(set(written))
        assert set(stored) == set(written)
        row = agent_row(store_url, "L1")
        assert row is not None and row.events_shipped == len(written) and row.outbox_depth == 0
        assert row.links["uplink"]["state"] == "connected"
        types = stored_types(store_url, "L1")
        assert {EventType.AGENT_STARTED, EventType.AGENT_STOPPED, EventType.LINK_STATE} <= set(
            types
        )

        # A full replay (as after a lost reply) adds nothing and counts nothing twice.
        box.requeue_shipped()
        wait_for(lambda: box.depth() == 0, 60, "replay shipped")
        assert sorted(stored_ids(store_url, "L1")) == sorted(written)
        assert agent_row(store_url, "L1").events_shipped == len(written)  # type: ignore[union-attr]
    finally:
        if agent.poll() is None:
            agent.kill()
            agent.wait()
        ray.get(uplink.stop.remote())
        ray.kill(uplink, no_restart=True)
        ray.kill(ingest, no_restart=True)
        box.close()
