"""The edge agent: lifecycle, heartbeats, plans from the inbox, link changes, supervision."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from core.events import Event, EventType
from edge_agents.agent import LineAgent
from edge_agents.outbox import Outbox

REPO = Path(__file__).resolve().parents[2]


def _types(box: Outbox) -> list[str]:
    return [e.type for e in box.unshipped(limit=10_000)]


async def _until(condition, timeout_s: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "condition not met before the deadline"
        await asyncio.sleep(0.02)


def test_agent_lifecycle_heartbeats_plans_and_links(tmp_path):
    box = Outbox(tmp_path / "L1.sqlite")
    agent = LineAgent("L1", box, heartbeat_s=0.05, poll_s=0.02)

    async def scenario() -> None:
        stop = asyncio.Event()
        run = asyncio.create_task(agent.run(stop))
        await _until(lambda: _types(box).count(EventType.AGENT_HEARTBEAT) >= 3)
        box.put_plan("P7", {"bundles": ["B1"]})
        await _until(lambda: EventType.PLAN_RECEIVED in _types(box))
        box.set_link("uplink", "reconnecting", "centre gone")
        await _until(lambda: EventType.LINK_STATE in _types(box))
        stop.set()
        await run

    asyncio.run(scenario())
    events = box.unshipped(limit=10_000)
    types = [e.type for e in events]
    assert types[0] == EventType.AGENT_STARTED
    assert types[-1] == EventType.AGENT_STOPPED
    beats = [e.payload["beat"] for e in events if e.type == EventType.AGENT_HEARTBEAT]
    assert beats == list(range(1, len(beats) + 1))
    plan = next(e for e in events if e.type == EventType.PLAN_RECEIVED)
    assert plan.payload["plan_id"] == "P7"
    link = next(e for e in events if e.type == EventType.LINK_STATE)
    assert link.payload["link"] == "uplink" and link.payload["state"] == "reconnecting"
    assert all(e.line == "L1" for e in events)
    box.close()


def test_a_failing_task_is_restarted_and_others_keep_running(tmp_path):
    box = Outbox(tmp_path / "L1.sqlite")
    agent = LineAgent("L1", box, heartbeat_s=0.05, poll_s=0.02)
    calls = {"n": 0}

    async def flaky(emit) -> None:  # type: ignore[no-untyped-def]
        calls["n"] += 1
        emit(Event(line="L1", type=EventType.LINK_STATE, payload={"link": "s1", "try": calls["n"]}))
        raise ConnectionError("device gone")

    agent.add_task("flaky", flaky)

    async def scenario() -> None:
        stop = asyncio.Event()
        run = asyncio.create_task(agent.run(stop))
        await _until(lambda: calls["n"] >= 2, timeout_s=10)
        await _until(lambda: _types(box).count(EventType.AGENT_HEARTBEAT) >= 2)
        stop.set()
        await run

    asyncio.run(scenario())
    task = next(t for t in agent._tasks if t.name == "flaky")
    assert task.restarts >= 1
    assert _types(box)[-1] == EventType.AGENT_STOPPED
    box.close()


def _env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["ATELIER_HOME"] = str(tmp_path)
    env["PYTHONPATH"] = str(REPO)
    return env


def test_agent_process_stops_cleanly_on_sigterm(tmp_path):
    outbox = tmp_path / "outbox" / "L1.sqlite"
    proc = subprocess.Popen(
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
        ],
        env=_env(tmp_path),
        cwd=REPO,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, "agent exited early"
            assert time.monotonic() < deadline, "no heartbeats before the deadline"
            if outbox.exists():
                with Outbox(outbox) as box:
                    if _types(box).count(EventType.AGENT_HEARTBEAT) >= 2:
                        break
            time.sleep(0.1)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    with Outbox(outbox) as box:
        types = _types(box)
        assert types[0] == EventType.AGENT_STARTED and types[-1] == EventType.AGENT_STOPPED
        stopped = box.unshipped(limit=10_000)[-1]
        assert json.loads(json.dumps(stopped.payload))["uptime_s"] >= 0


def test_unknown_line_is_a_clear_error(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "cluster.cli.main", "edge", "run", "--line", "L9"],
        env=_env(tmp_path),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "line 'L9' is not in the factory file" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "outbox" / "L9.sqlite").exists()


def test_events_emitted_together_are_written_at_the_end_of_the_block_in_order(tmp_path):
    with Outbox(tmp_path / "L1.sqlite") as box:
        agent = LineAgent("L1", box)
        burst = [Event(line="L1", type=EventType.MACHINE_STATE, payload={"n": n}) for n in range(5)]
        with agent.together():
            for event in burst[:3]:
                agent.emit(event)
            with agent.together():  # nested: written with the outer block
                agent.emit(burst[3])
            assert box.depth() == 0  # nothing on disk before the block ends
        assert [e.id for e in box.unshipped()] == [e.id for e in burst[:4]]
        # A block that fails still writes what was emitted before the failure.
        try:
            with agent.together():
                agent.emit(burst[4])
                raise RuntimeError("device loop broke")
        except RuntimeError:
            pass
        assert [e.id for e in box.unshipped()] == [e.id for e in burst]
        assert agent.appended == {EventType.MACHINE_STATE: 5}
        # Outside a block every event is on disk when emit returns.
        single = Event(line="L1", type=EventType.ANDON_CALLED)
        agent.emit(single)
        assert box.unshipped(limit=10)[-1].id == single.id
