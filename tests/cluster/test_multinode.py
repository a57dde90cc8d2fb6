"""Item 13 on a real multi-node Ray cluster (`ray.cluster_utils.Cluster`, token auth on).

A head with the `central` role and one node per line; each line's uplink runs on its own line's
node; a line's node is removed while its agent keeps writing, then added back, and every event
of both lines ends up stored exactly once.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from cluster.roles import CENTRAL, NAMESPACE, ROLE_UNITS, line_resource
from edge_agents.outbox import Outbox
from tests.cluster.conftest import REPO, agent_env, agent_row, stored_ids, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

_NODE = {"num_cpus": 1, "object_store_memory": 100 * 2**20, "include_dashboard": False}


def _line_node(cluster: Any, line: str) -> Any:
    return cluster.add_node(
        resources={line_resource(line): ROLE_UNITS}, labels={"line": line}, **_NODE
    )


def _node_of(actor: Any) -> str | None:
    import ray
    from ray.exceptions import RayError

    try:
        return ray.get(actor.node_id.remote(), timeout=10)
    except RayError:  # restarting, or still pending until its node is back
        return None


def _agent(home: Path, line: str, outbox: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cluster.cli.main",
            "edge",
            "run",
            "--line",
            line,
            "--heartbeat",
            "0.1",
            "--outbox",
            str(outbox),
        ],
        env=agent_env(home),
        cwd=REPO,
    )


def test_line_node_lost_and_back_every_event_once(
    ray_token: Path, store_url: str, tmp_path: Path
) -> None:
    import ray
    from ray.cluster_utils import Cluster

    from cluster.services import start_central, start_uplink

    cluster = Cluster(
        initialize_head=True,
        head_node_args={"resources": {CENTRAL: ROLE_UNITS}, "labels": {"role": CENTRAL}, **_NODE},
    )
    agents: dict[str, subprocess.Popen[bytes]] = {}
    boxes = {ln: Outbox(tmp_path / "outbox" / f"{ln}.sqlite") for ln in ("L1", "C1")}
    try:
        nodes = {ln: _line_node(cluster, ln) for ln in ("L1", "C1")}
        cluster.wait_for_nodes()
        ray.init(address=cluster.address, namespace=NAMESPACE, log_to_driver=False)
        labels = {n["NodeID"]: n["Labels"] for n in ray.nodes() if n["Alive"]}
        assert labels[nodes["L1"].node_id]["line"] == "L1"
        assert labels[cluster.head_node.node_id]["role"] == CENTRAL

        ingest = start_central(store_url)
        assert ray.get(ingest.node_id.remote(), timeout=120) == cluster.head_node.node_id
        uplinks = {
            ln: start_uplink(ln, str(boxes[ln].path), poll_s=0.1, max_backoff_s=1.0)
            for ln in ("L1", "C1")
        }
        for ln in ("L1", "C1"):
            assert ray.get(uplinks[ln].node_id.remote(), timeout=120) == nodes[ln].node_id
            agents[ln] = _agent(tmp_path, ln, boxes[ln].path)
        for ln in ("L1", "C1"):
            wait_for(lambda ln=ln: len(stored_ids(store_url, ln)) >= 5, 90, f"{ln} events stored")

        cluster.remove_node(nodes["L1"])
        depth_at_loss = boxes["L1"].depth()
        l2_at_loss = len(stored_ids(store_url, "C1"))
        wait_for(lambda: boxes["L1"].depth() >= depth_at_loss + 30, 90, "L1 writing while cut off")
        wait_for(lambda: len(stored_ids(store_url, "C1")) >= l2_at_loss + 10, 90, "C1 unaffected")
        assert agents["L1"].poll() is None

        nodes["L1"] = _line_node(cluster, "L1")
        cluster.wait_for_nodes()
        wait_for(
            lambda: _node_of(uplinks["L1"]) == nodes["L1"].node_id, 180, "L1 uplink on the new node"
        )
        for ln in ("L1", "C1"):
            agents[ln].send_signal(signal.SIGTERM)
            assert agents[ln].wait(timeout=30) == 0
        for ln in ("L1", "C1"):
            wait_for(lambda ln=ln: boxes[ln].depth() == 0, 120, f"{ln} outbox drained")
            written = boxes[ln].all_ids()
            stored = stored_ids(store_url, ln)
            assert len(stored) == len(written) and set(stored) == set(written), ln
            row = agent_row(store_url, ln)
            assert row is not None and row.events_shipped == len(written)
        assert agent_row(store_url, "L1").node_id == nodes["L1"].node_id  # type: ignore[union-attr]
    finally:
        for proc in agents.values():
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        for box in boxes.values():
            box.close()
        ray.shutdown()
        cluster.shutdown()
