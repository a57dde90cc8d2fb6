"""`atelier up` as a user runs it: free ports, a temporary home, Ctrl-C, nothing left behind."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from cluster.status import line_statuses
from core.db import make_engine
from core.events import EventType
from tests.cluster.conftest import REPO, stored_types, wait_for
from tests.up_process import atelier_up, free_port, free_port_pair, up_env

pytestmark = [pytest.mark.slow, pytest.mark.timeout(400)]


_DELIVER = "from cluster.services import deliver_plan; print(deliver_plan('L1', {'plan_id': 'P9'}))"


def test_up_runs_the_plant_and_ctrl_c_leaves_no_process(tmp_path: Path) -> None:
    home = tmp_path / "home"
    url = os.environ.get("ATELIER_TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'store.db'}"
    env = up_env(home, url)
    with atelier_up(env, tmp_path / "up.err", "--heartbeat", "0.5") as running:
        up = running.proc
        ready = wait_for(running.ready_line, 180, "the ready line")
        assert ready.strip() == f"atelier is up: HMI on http://127.0.0.1:{running.port}"
        token = home / "ray_auth_token"
        assert token.stat().st_mode & 0o777 == 0o600

        engine = make_engine(url)
        wait_for(
            lambda: all(s.online for s in line_statuses(engine, ["C1", "L1"], 10.0)),
            120,
            "both lines' agents online in the store",
        )
        engine.dispose()

        status = subprocess.run(
            [sys.executable, "-m", "cluster.cli.main", "status", "--json"],
            env=env,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert status.returncode == 0, status.stderr
        report = json.loads(status.stdout)
        assert {ln["line"]: ln["online"] for ln in report["lines"]} == {"C1": True, "L1": True}
        assert report["cluster"]["reachable"] is True
        for line in report["lines"]:
            assert line["local"]["links"]["uplink"]["state"] == "connected"
        # The simulators run: machine states and telemetry of both lines reach the store.
        for line in ("C1", "L1"):
            wait_for(
                lambda line=line: (
                    {EventType.MACHINE_STATE, EventType.TELEMETRY_AGGREGATE}
                    <= set(stored_types(url, line))
                ),
                120,
                f"machine states and telemetry of {line} in the store",
            )
        assert (home / "opcua_password").stat().st_mode & 0o777 == 0o600
        (node,) = report["cluster"]["nodes"]
        assert {"central", "line_C1", "line_L1"} <= set(node["resources"])
        assert node["labels"] == {"role": "central"}

        planner = subprocess.run(
            [sys.executable, "-c", _DELIVER],
            env=env,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert planner.returncode == 0, planner.stderr
        assert planner.stdout.strip() == "P9"
        wait_for(lambda: EventType.PLAN_RECEIVED in stored_types(url, "L1"), 60, "plan P9 received")

        wrong = dict(env, RAY_AUTH_MODE="token", RAY_AUTH_TOKEN="not-the-plant-token")
        intruder = subprocess.run(
            [
                sys.executable,
                "-c",
                f"import ray; ray.init(address={report['cluster']['address']!r})",
            ],
            env=wrong,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert intruder.returncode != 0
        assert "token" in intruder.stderr.lower()

        assert len(running.remember_children()) >= 4  # Ray's processes and the agents at least
        up.send_signal(signal.SIGINT)
        assert up.wait(timeout=120) == 0
        wait_for(lambda: not running.leftovers(), 30, "children gone")
        for line in ("C1", "L1"):
            assert EventType.AGENT_STOPPED in stored_types(url, line)
        assert not (home / "cluster.json").exists()


def test_up_with_address_joins_a_cluster_and_leaves_it_running(
    ray_token: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ray.cluster_utils import Cluster

    from cluster.roles import CENTRAL, ROLE_UNITS, line_resource

    home = ray_token.parent  # the home that holds the cluster's token
    # As on a plant's edge PC: the node's Ray processes know the Atelier home (see README).
    monkeypatch.setenv("ATELIER_HOME", str(home))
    node_args = {"num_cpus": 1, "object_store_memory": 100 * 2**20, "include_dashboard": False}
    cluster = Cluster(
        initialize_head=True,
        head_node_args={
            "resources": {CENTRAL: ROLE_UNITS},
            "labels": {"role": CENTRAL},
            **node_args,
        },
    )
    url = os.environ.get("ATELIER_TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'store.db'}"
    up = None
    try:
        line_node = cluster.add_node(
            resources={line_resource("C1"): ROLE_UNITS, line_resource("L1"): ROLE_UNITS},
            labels={"line": "L1"},
            **node_args,
        )
        cluster.wait_for_nodes()
        up = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "cluster.cli.main",
                "up",
                "--address",
                cluster.address,
                "--port",
                str(free_port()),
                "--heartbeat",
                "0.5",
                "--opcua-port-base",
                str(free_port_pair()),
            ],
            env=up_env(home, url),
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=open(tmp_path / "up.err", "wb"),  # noqa: SIM115 - closed with the process
        )
        assert up.stdout is not None
        assert up.stdout.readline().decode().startswith("atelier is up")
        engine = make_engine(url)
        statuses = wait_for(
            lambda: _all_online(engine, ["C1", "L1"]),
            120,
            "both lines online through the joined cluster",
        )
        engine.dispose()
        assert len(statuses) == 2
        assert {s.node_id for s in statuses} == {line_node.node_id}
        up.send_signal(signal.SIGINT)
        assert up.wait(timeout=120) == 0
        assert cluster.head_node.remaining_processes_alive()
        assert line_node.remaining_processes_alive()
    finally:
        if up is not None and up.poll() is None:
            up.kill()
            up.wait()
        cluster.shutdown()


def _all_online(engine, lines: list[str]):  # type: ignore[no-untyped-def]
    statuses = line_statuses(engine, lines, 10.0)
    return statuses if all(s.online for s in statuses) else None
