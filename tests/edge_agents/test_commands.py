"""Operators' commands from the HMI applied by the line's execution: in order, once per command
id (also when delivered twice or after a restart), with the events a scanner would produce, and
refusals that say why."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from core.events import Event, EventType
from edge_agents.agent import LineAgent
from edge_agents.execution.commands import CommandRunner
from edge_agents.execution.state import FINISHED, PAUSED, QUEUED, RUNNING, ExecutionState
from edge_agents.execution.watch import ExecutionWatch
from edge_agents.outbox import Outbox
from tests.edge_agents.conftest import wait_until
from tests.edge_agents.test_execution import PLAN, Clock

_n = 0


def command(kind: str, bundle: str, operation: str | None = "collar", **extra: Any) -> dict:
    """A command as the centre sends it (`core.commands.Command.to_dict()`)."""
    global _n
    _n += 1
    return {
        "id": f"cmd-{_n}",
        "line": "L1",
        "station": "S1",
        "kind": kind,
        "bundle": bundle,
        "operation": operation,
        "user": "olga",
        "created_at": datetime(2026, 11, 22, 6, 0, tzinfo=UTC).isoformat(),
        "payload": {},
    } | extra


def events(box: Outbox) -> list[Event]:
    return box.unshipped(limit=100_000)


def of(box: Outbox, kind: str) -> list[Event]:
    return [e for e in events(box) if e.type == kind]


@pytest.fixture
def box(tmp_path):
    with Outbox(tmp_path / "L1.sqlite") as box:
        yield box


@pytest.fixture
def state(box):
    state = ExecutionState(box, "L1", Clock())
    state.load_plan("P", PLAN)
    return state


def test_start_pause_resume_finish_in_order_each_once(box, state):
    clock = state.clock
    runner = CommandRunner(state)
    given = [command("start", "B1"), command("pause", "B1"), command("start", "B1")]
    assert box.put_commands(given) == 3
    assert runner.apply_pending() == 3
    op = state.record("B1", "collar")
    assert op.status == RUNNING and op.started_at is not None
    kinds = [e.type for e in events(box) if e.payload.get("command_id")]
    assert kinds == ["operation.started", "operation.paused", "operation.started"]
    resumed = of(box, EventType.OPERATION_STARTED)[-1]
    assert resumed.payload["resumed"] is True
    assert (resumed.payload["source"], resumed.payload["user"]) == ("hmi", "olga")
    assert resumed.payload["command_id"] == given[2]["id"] and resumed.station == "S1"
    # Delivered again (the acknowledgement to the centre was lost): stored once, applied once.
    assert box.put_commands(given) == 0
    assert runner.apply_pending() == 0
    assert len([e for e in events(box) if e.payload.get("command_id")]) == 3
    clock.now += timedelta(minutes=3)
    box.put_commands([command("finish", "B1")])
    runner.apply_pending()
    op = state.record("B1", "collar")
    assert op.status == FINISHED and op.finished_at == clock.now
    finished = of(box, EventType.OPERATION_FINISHED)[0]
    assert finished.payload["late"] is False and finished.payload["source"] == "hmi"
    assert box.command_ids() == [c["id"] for c in given] + ["cmd-4"]


def test_machine_counts_confirm_an_operation_the_hmi_started(box, state):
    watch = ExecutionWatch(state)
    runner = CommandRunner(state)
    box.put_commands([command("start", "B1")])
    runner.apply_pending()
    count = {"counter": "good_count", "delta": 7, "value": 107}
    watch.on_event(Event(line="L1", station="S1", type=EventType.MACHINE_COUNT, payload=count))
    box.put_commands([command("pause", "B1")])
    runner.apply_pending()
    # Counts while paused go nowhere: the machine is not working on the bundle for the plan.
    watch.on_event(Event(line="L1", station="S1", type=EventType.MACHINE_COUNT, payload=count))
    box.put_commands([command("start", "B1"), command("finish", "B1")])
    runner.apply_pending()
    finished = of(box, EventType.OPERATION_FINISHED)[0]
    assert finished.payload["machine_good"] == 7 and finished.payload["confirmed"] is True


def test_impossible_commands_are_refused_with_the_reason_and_change_nothing(box, state):
    runner = CommandRunner(state)
    box.put_commands(
        [
            command("finish", "B1"),  # never started
            command("pause", "B1"),  # not running
            command("start", "B1", station="S2"),  # planned at S1
            command("start", "B7"),  # not in the plan
            command("start", "B1", line="C1"),  # another line's
            command("rethread", "B1"),  # no such command
            command("start", "B1", operation=None),  # no operation
        ]
    )
    assert runner.apply_pending() == 7
    assert box.pending_commands() == []
    refused = of(box, EventType.COMMAND_REFUSED)
    reasons = [e.payload["reason"] for e in refused]
    assert "cannot finish bundle B1 operation collar at station S1: it is queued" in reasons[0]
    assert "cannot pause bundle B1 operation collar at station S1: it is queued" in reasons[1]
    assert "planned at station S1" in reasons[2]
    assert "not in plan P" in reasons[3]
    assert "is for line C1" in reasons[4]
    assert "kind 'rethread' is not one of start, pause, finish, scrap, scan" in reasons[5]
    assert "a start needs the operation" in reasons[6]
    assert [e.payload["command_id"] for e in refused] == [f"cmd-{_n - 6 + i}" for i in range(7)]
    assert refused[0].station == "S1" and refused[2].station == "S2"
    assert state.record("B1", "collar").status == QUEUED
    assert of(box, EventType.OPERATION_STARTED) == []


def test_an_hmi_scan_acts_as_a_scanner_scan(box, state):
    runner = CommandRunner(state)
    box.put_commands([command("scan", "B1", operation=None)])
    runner.apply_pending()
    kinds = [e.type for e in events(box) if e.payload.get("command_id")]
    assert kinds == ["bundle.scanned", "operation.started"]
    assert state.record("B1", "collar").status == RUNNING
    box.put_commands([command("pause", "B1"), command("scan", "B1", operation=None)])
    runner.apply_pending()  # a scan resumes paused work, as a scanner's would
    assert state.record("B1", "collar").status == RUNNING
    box.put_commands([command("scan", "B1", operation=None)])
    runner.apply_pending()
    assert state.record("B1", "collar").status == FINISHED
    box.put_commands([command("scan", "B9", operation=None)])
    runner.apply_pending()
    unplanned = of(box, EventType.SCAN_UNPLANNED)[0]
    assert unplanned.payload["bundle"] == "B9" and unplanned.payload["user"] == "olga"
    scans = of(box, EventType.BUNDLE_SCANNED)
    assert [s.payload["source"] for s in scans] == ["hmi"] * 4


def test_scrap_from_paused_with_the_operators_reason(box, state):
    runner = CommandRunner(state)
    box.put_commands(
        [
            command("start", "B3"),
            command("pause", "B3"),
            command("scrap", "B3", payload={"reason": "oil stain"}),
        ]
    )
    runner.apply_pending()
    assert state.record("B3", "collar").status == "scrapped"
    scrapped = of(box, EventType.OPERATION_SCRAPPED)[0]
    assert scrapped.payload["reason"] == "oil stain" and scrapped.payload["source"] == "hmi"
    assert state.record("B3", "collar").status != PAUSED


def test_the_running_agent_applies_commands_after_the_plan_they_came_with(tmp_path):
    async def scenario() -> None:
        box = Outbox(tmp_path / "L1.sqlite")
        agent = LineAgent("L1", box, heartbeat_s=60, poll_s=0.02)
        stop = asyncio.Event()
        run = asyncio.create_task(agent.run(stop))
        # As the uplink writes them: the plan, then the commands of the same reply.
        box.put_plan("P", PLAN)
        box.put_commands([command("start", "B1"), command("finish", "B1")])
        await wait_until(
            lambda: bool(of(box, EventType.OPERATION_FINISHED)), 10, "the finish applied"
        )
        stop.set()
        await run
        box.close()
        # A restarted agent on the same outbox applies nothing twice.
        box = Outbox(tmp_path / "L1.sqlite")
        agent = LineAgent("L1", box, heartbeat_s=60, poll_s=0.02)
        stop = asyncio.Event()
        run = asyncio.create_task(agent.run(stop))
        box.put_commands([command("start", "B3")])
        await wait_until(
            lambda: agent.execution.record("B3", "collar").status == RUNNING, 10, "B3 started"
        )
        stop.set()
        await run
        kinds = [e.type for e in events(box) if e.payload.get("command_id")]
        assert kinds == ["operation.started", "operation.finished", "operation.started"]
        box.close()

    asyncio.run(scenario())
