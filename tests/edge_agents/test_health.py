"""The agent's /health and /metrics endpoints, and an agent process killed with SIGKILL."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select

from core.db import make_engine, transaction
from core.errors import InputError
from core.events import Event, EventType
from core.schema import EventRow
from core.store_events import store_events
from edge_agents.agent import LineAgent
from edge_agents.health import HealthServer, take_snapshot
from edge_agents.outbox import Outbox
from edge_agents.outbox_guard import OutboxLimits
from tests.cluster.conftest import REPO, store_url, stored_ids, wait_for
from tests.edge_agents.conftest import free_port

__all__ = ["store_url"]  # the store fixture, shared with the cluster tests

pytestmark = pytest.mark.timeout(120)


def _samples(text: str, name: str) -> dict[tuple[tuple[str, str], ...], float]:
    for family in text_string_to_metric_families(text):
        if family.name == name:
            return {tuple(sorted(s.labels.items())): s.value for s in family.samples}
    raise AssertionError(f"metric {name} not in the scrape")


@pytest.fixture
def agent(tmp_path: Path) -> Iterator[LineAgent]:
    with Outbox(tmp_path / "L1.sqlite") as box:
        yield LineAgent("L1", box, limits=OutboxLimits(max_events=100))


def test_health_and_metrics_answer_from_the_agent_state(agent: LineAgent) -> None:
    for beat in range(3):
        agent.emit(Event(line="L1", type=EventType.AGENT_HEARTBEAT, payload={"beat": beat}))
    agent.emit(Event(line="L1", type=EventType.LINK_STATE, payload={"name": "opcua", "state": "connected"}))  # fmt: skip
    agent.emit(Event(line="L1", type=EventType.LINK_STATE, payload={"name": "cam1", "state": "down"}))  # fmt: skip
    server = HealthServer(agent, port=free_port())
    server.snapshot = take_snapshot(agent)
    server.start()
    try:
        base = f"http://127.0.0.1:{server.port}"
        health = httpx.get(f"{base}/health", timeout=5)
        assert health.status_code == 200
        body = health.json()
        assert body["line"] == "L1" and body["status"] == "ok"
        assert body["outbox"] == {"depth": 5, "state": "ok"}
        assert body["links"] == {"opcua": "connected", "cam1": "down"}

        text = httpx.get(f"{base}/metrics", timeout=5).text
        assert _samples(text, "atelier_agent_outbox_depth") == {(("line", "L1"),): 5.0}
        appended = _samples(text, "atelier_agent_events_appended")
        key = (("line", "L1"), ("type", "agent.heartbeat"))
        assert appended[key] == 3.0
        links = _samples(text, "atelier_agent_link_up")
        assert links[(("line", "L1"), ("link", "opcua"), ("state", "connected"))] == 1.0
        assert links[(("line", "L1"), ("link", "cam1"), ("state", "down"))] == 0.0

        # A full outbox degrades the agent: the health check fails so a supervisor sees it.
        # Plan facts are never thinned, so these keep it full.
        for n in range(200):
            agent.emit(Event(line="L1", type=EventType.PLAN_RECEIVED, payload={"plan_id": n}))
        assert agent.guard.check() == "full"
        server.snapshot = take_snapshot(agent)
        degraded = httpx.get(f"{base}/health", timeout=5)
        assert degraded.status_code == 503
        assert degraded.json()["status"] == "degraded"
        state = _samples(httpx.get(f"{base}/metrics", timeout=5).text, "atelier_agent_outbox_state")
        assert state[(("line", "L1"), ("state", "full"))] == 1.0

        # A snapshot nobody refreshes means the agent loop is stuck.
        server.stale_s = 0.0
        stalled = httpx.get(f"{base}/health", timeout=5)
        assert stalled.status_code == 503 and stalled.json()["status"] == "stalled"
    finally:
        server.stop()


def test_port_in_use_is_a_clear_error(agent: LineAgent) -> None:
    first = HealthServer(agent, port=free_port())
    try:
        with pytest.raises(
            InputError, match=f"cannot serve agent metrics on 127.0.0.1:{first.port}"
        ):
            HealthServer(agent, port=first.port)
    finally:
        first.stop()


def _start_agent(env: dict[str, str], outbox: Path, port: int, log: Path) -> subprocess.Popen:
    args = ["edge", "run", "--line", "L1", "--no-devices", "--heartbeat", "0.05"]
    args += ["--outbox", str(outbox), "--metrics-port", str(port)]
    with open(log, "ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "cluster.cli.main", *args], env=env, cwd=REPO,
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip


def _healthy(port: int) -> dict | None:
    try:
        answer = httpx.get(f"http://127.0.0.1:{port}/health", timeout=2)
    except httpx.TransportError:
        return None
    return answer.json() if answer.status_code == 200 else None


def _scraped_depth(port: int) -> float:
    scrape = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    return _samples(scrape, "atelier_agent_outbox_depth")[(("line", "L1"),)]


def _ids(path: Path) -> list[str]:
    with Outbox(path) as box:
        return box.all_ids()


@pytest.mark.e2e
def test_agent_killed_with_sigkill_loses_and_repeats_nothing(
    tmp_path: Path, store_url: str
) -> None:
    env = dict(os.environ, ATELIER_HOME=str(tmp_path / "home"), PYTHONPATH=str(REPO))
    outbox, log = tmp_path / "L1.sqlite", tmp_path / "agent.log"
    procs: list[subprocess.Popen] = []
    try:
        port = free_port()
        procs.append(_start_agent(env, outbox, port, log))
        wait_for(lambda: _healthy(port), 30, "the first agent's /health")
        wait_for(lambda: len(_ids(outbox)) >= 40, 30, "40 events from the first agent")
        committed = _ids(outbox)  # every id here is on disk before the kill
        os.killpg(procs[0].pid, signal.SIGKILL)
        assert procs[0].wait(timeout=10) == -signal.SIGKILL

        with sqlite3.connect(outbox) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)

        port = free_port()
        procs.append(_start_agent(env, outbox, port, log))
        wait_for(lambda: _healthy(port), 30, "the restarted agent's /health")
        wait_for(lambda: len(_ids(outbox)) >= len(committed) + 20, 30, "the restarted agent")
        # The restarted process's own scrape: nothing was shipped, so the depth covers both runs.
        wait_for(lambda: _scraped_depth(port) >= len(committed) + 20, 10, "the scraped depth")
        procs[1].send_signal(signal.SIGTERM)
        assert procs[1].wait(timeout=30) == 0, log.read_text()[-2000:]
    finally:
        for proc in procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()

    with sqlite3.connect(outbox) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    engine = make_engine(store_url)
    with Outbox(outbox) as box:
        written = box.all_ids()
        while batch := box.unshipped(limit=500):
            with transaction(engine) as session:
                store_events(session, batch)
            box.mark_shipped([e.id for e in batch])
        # Shipping again (an uplink retry after a lost acknowledgement) must add nothing.
        box.requeue_shipped()
        with transaction(engine) as session:
            assert store_events(session, box.unshipped(limit=100_000)) == 0
    engine.dispose()

    stored = stored_ids(store_url, "L1")
    assert len(written) == len(set(written))
    assert set(committed) <= set(stored), "events committed before the kill were lost"
    assert sorted(stored) == sorted(written)
    engine = make_engine(store_url)
    with engine.connect() as conn:
        kinds = Counter(conn.scalars(select(EventRow.type).where(EventRow.line == "L1")))
    engine.dispose()
    assert kinds[EventType.AGENT_STARTED] == 2
    assert kinds[EventType.AGENT_STOPPED] == 1  # the killed run could not say goodbye


def test_edge_run_refuses_a_bad_or_busy_metrics_port(home: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from cluster.cli.main import build_app

    runner, app = CliRunner(), build_app()
    path = tmp_path / "L1.sqlite"
    args = ["edge", "run", "--line", "L1", "--no-devices", "--outbox", str(path)]
    bad = runner.invoke(app, [*args, "--metrics-port", "70000"])
    assert isinstance(bad.exception, InputError)
    assert "--metrics-port must be 0 (off) or a port number, got 70000" in str(bad.exception)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        busy = runner.invoke(app, [*args, "--metrics-port", str(port)])
    assert isinstance(busy.exception, InputError)
    assert f"cannot serve agent metrics on 127.0.0.1:{port}" in str(busy.exception)
    assert _ids(path) == []  # refused before the agent started: no agent.started written
