"""Plan execution on the line: queues, scans, counts, late and down deviations, restarts."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from typer.testing import CliRunner

from cluster.cli.main import build_app
from core.errors import InputError
from core.events import Event, EventType
from edge_agents.agent import LineAgent
from edge_agents.execution.queues import planned_operations, station_queues
from edge_agents.execution.state import FINISHED, QUEUED, RUNNING, ExecutionState
from edge_agents.execution.watch import ExecutionWatch
from edge_agents.outbox import Outbox
from edge_agents.packml import PackMLState
from tests.edge_agents.conftest import wait_until

T0 = datetime(2026, 11, 22, 6, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def _a(bundle: str, op: str, station: str, start_min: int, end_min: int) -> dict:
    return {
        "bundle": bundle,
        "order_id": f"O-{bundle}",
        "operation": op,
        "station": station,
        "start": (T0 + timedelta(minutes=start_min)).isoformat(),
        "end": (T0 + timedelta(minutes=end_min)).isoformat(),
    }


# Published order is not start order on purpose: queues must sort by planned start.
PLAN = {
    "plan_id": "sewing:L1:v3",
    "assignments": [
        _a("B2", "collar", "S1", 20, 30),
        _a("B1", "collar", "S1", 0, 10),
        _a("B1", "sleeve", "S2", 10, 25),
        _a("B3", "collar", "S1", 10, 20),
        _a("B2", "sleeve", "S2", 30, 40),
    ],
}


def _of(box: Outbox, kind: str) -> list[Event]:
    return [e for e in box.unshipped(limit=100_000) if e.type == kind]


@pytest.fixture
def box(tmp_path):
    with Outbox(tmp_path / "L1.sqlite") as box:
        yield box


def test_plan_becomes_station_queues_in_planned_start_order(box):
    queues = station_queues(planned_operations("P", PLAN))
    assert [(o.bundle, o.operation) for o in queues["S1"]] == [
        ("B1", "collar"),
        ("B3", "collar"),
        ("B2", "collar"),
    ]
    assert [o.bundle for o in queues["S2"]] == ["B1", "B2"]
    state = ExecutionState(box, "L1", Clock())
    assert state.load_plan("P", PLAN) == 5
    assert [op.bundle for op in state.queue("S1")] == ["B1", "B3", "B2"]
    assert all(op.status == QUEUED for op in state.queue("S2"))
    received = _of(box, EventType.PLAN_RECEIVED)[-1]
    assert received.payload["stations"] == ["S1", "S2"]


def test_bad_plan_is_refused_naming_the_entry_and_changes_nothing(box):
    state = ExecutionState(box, "L1", Clock())
    state.load_plan("P", PLAN)
    bad = {"assignments": [_a("B9", "hem", "S1", 0, 5), {"bundle": "B8", "station": "S1"}]}
    with pytest.raises(InputError, match=r"assignment 1: missing operation, start, end"):
        state.load_plan("P2", bad)
    backwards = {"assignments": [_a("B9", "hem", "S1", 10, 5)]}
    with pytest.raises(InputError, match="end .* before start"):
        state.load_plan("P3", backwards)
    assert state.plan_id == "P"
    assert [op.bundle for op in state.queue("S1")] == ["B1", "B3", "B2"]


def test_scan_starts_then_finishes_and_machine_counts_confirm(box):
    clock = Clock()
    state = ExecutionState(box, "L1", clock)
    watch = ExecutionWatch(state)
    state.load_plan("P", PLAN)
    scan = Event(line="L1", station="S1", type=EventType.BUNDLE_SCANNED, payload={"bundle": "B1"})
    watch.on_event(scan)
    assert state.record("B1", "collar").status == RUNNING
    count = {"counter": "good_count", "delta": 12, "value": 112}
    watch.on_event(Event(line="L1", station="S1", type=EventType.MACHINE_COUNT, payload=count))
    scrap = {"counter": "scrap_count", "delta": 1, "value": 3}
    watch.on_event(Event(line="L1", station="S1", type=EventType.MACHINE_COUNT, payload=scrap))
    clock.now += timedelta(minutes=8)
    watch.on_event(Event(line="L1", station="S1", type=EventType.BUNDLE_SCANNED,
                         payload={"bundle": "B1"}))  # fmt: skip
    op = state.record("B1", "collar")
    assert (op.status, op.good, op.scrap) == (FINISHED, 12, 1)
    assert op.finished_at == T0 + timedelta(minutes=8)
    started = _of(box, EventType.OPERATION_STARTED)[0]
    assert (started.station, started.payload["bundle"], started.payload["source"]) == (
        "S1",
        "B1",
        "scan",
    )
    finished = _of(box, EventType.OPERATION_FINISHED)[0]
    assert finished.payload["confirmed"] is True and finished.payload["machine_good"] == 12
    assert finished.payload["late"] is False
    assert _of(box, EventType.OPERATION_SCRAPPED)[0].payload["pieces"] == 1
    assert [o.bundle for o in state.queue("S1")] == ["B3", "B2"]
    # A bundle the plan has nothing for at this station is reported, not run.
    watch.on_event(Event(line="L1", station="S1", type=EventType.BUNDLE_SCANNED,
                         payload={"bundle": "B1"}))  # fmt: skip
    assert _of(box, EventType.SCAN_UNPLANNED)[0].payload["bundle"] == "B1"


def test_local_api_refuses_actions_that_do_not_fit(box):
    state = ExecutionState(box, "L1", Clock())
    state.load_plan("P", PLAN)
    with pytest.raises(InputError, match="cannot finish bundle B1 operation collar .* queued"):
        state.finish("S1", "B1", "collar")
    with pytest.raises(InputError, match="planned at station S1"):
        state.start("S2", "B1", "collar")
    with pytest.raises(InputError, match="not in plan P"):
        state.start("S1", "B7", "collar")
    state.start("S1", "B3", "collar")
    state.scrap("S1", "B3", "collar", reason="torn")
    scrapped = _of(box, EventType.OPERATION_SCRAPPED)[0]
    assert scrapped.payload["reason"] == "torn" and scrapped.payload["source"] == "operator"
    assert [o.bundle for o in state.queue("S1")] == ["B1", "B2"]


def test_late_detection_with_injectable_clock_reports_once(box):
    clock = Clock()
    state = ExecutionState(box, "L1", clock)
    watch = ExecutionWatch(state)
    state.load_plan("P", PLAN)
    state.start("S1", "B1", "collar")
    clock.now = T0 + timedelta(minutes=10)
    watch.tick()
    assert _of(box, EventType.OPERATION_LATE) == []  # at its planned end, not past it
    clock.now = T0 + timedelta(minutes=15)
    watch.tick()
    watch.tick()
    late = _of(box, EventType.OPERATION_LATE)
    assert [(e.payload["bundle"], e.payload["operation"]) for e in late] == [("B1", "collar")]
    assert late[0].payload["late_s"] == 300.0 and late[0].payload["status"] == RUNNING
    clock.now = T0 + timedelta(minutes=26)
    watch.tick()
    late = _of(box, EventType.OPERATION_LATE)
    assert {e.payload["bundle"] + "/" + e.payload["operation"] for e in late} == {
        "B1/collar",
        "B3/collar",
        "B1/sleeve",
    }


def test_station_down_raises_replan_with_its_open_bundles(box):
    clock = Clock()
    state = ExecutionState(box, "L1", clock)
    watch = ExecutionWatch(state, link_stations={"opcua opc.tcp://l1": ["S2"]}, link_down_s=30)
    state.load_plan("P", PLAN)
    state.start("S1", "B1", "collar")
    state.finish("S1", "B1", "collar")
    aborted = {"state": int(PackMLState.ABORTED), "state_name": "ABORTED"}
    watch.on_event(Event(line="L1", station="S1", type=EventType.MACHINE_STATE, payload=aborted))
    watch.on_event(Event(line="L1", station="S1", type=EventType.MACHINE_STATE, payload=aborted))
    replans = _of(box, EventType.REPLAN_REQUESTED)
    assert len(replans) == 1
    assert replans[0].payload["station"] == "S1" and replans[0].station == "S1"
    assert replans[0].payload["bundles"] == ["B3", "B2"]  # B1 is done there
    assert "ABORTED" in _of(box, EventType.STATION_DOWN)[0].payload["reason"]
    idle = {"state": int(PackMLState.IDLE), "state_name": "IDLE"}
    watch.on_event(Event(line="L1", station="S1", type=EventType.MACHINE_STATE, payload=idle))
    assert len(_of(box, EventType.STATION_UP)) == 1
    # The machine link of S2 lost: down only once it stays lost longer than link_down_s.
    lost = {"link": "opcua opc.tcp://l1", "state": "reconnecting"}
    watch.on_event(Event(line="L1", type=EventType.LINK_STATE, payload=lost))
    clock.now += timedelta(seconds=30)
    watch.tick()
    assert len(_of(box, EventType.REPLAN_REQUESTED)) == 1
    clock.now += timedelta(seconds=1)
    watch.tick()
    replans = _of(box, EventType.REPLAN_REQUESTED)
    assert replans[-1].payload["station"] == "S2" and replans[-1].payload["bundles"] == ["B1", "B2"]
    back = {"link": "opcua opc.tcp://l1", "state": "connected"}
    watch.on_event(Event(line="L1", type=EventType.LINK_STATE, payload=back))
    assert _of(box, EventType.STATION_UP)[-1].station == "S2"


def test_execution_state_survives_a_restart(tmp_path):
    path = tmp_path / "L1.sqlite"
    clock = Clock()
    with Outbox(path) as box:
        state = ExecutionState(box, "L1", clock)
        watch = ExecutionWatch(state)
        state.load_plan("P", PLAN)
        state.start("S1", "B1", "collar")
        state.count("S1", "good_count", 5)
        watch.station_down("S2", "machine STOPPED")
    with Outbox(path) as box:
        state = ExecutionState(box, "L1", clock)
        watch = ExecutionWatch(state)
        assert state.plan_id == "P"
        op = state.record("B1", "collar")
        assert (op.status, op.good, op.started_at) == (RUNNING, 5, T0)
        assert watch.down_reason("S2") == "machine STOPPED"
        watch.station_down("S2", "machine STOPPED")  # same outage: not reported again
        assert len(_of(box, EventType.REPLAN_REQUESTED)) == 1
        state.finish("S1", "B1", "collar")
        # A newer plan keeps what happened and replaces what is still queued.
        newer = {"assignments": [_a("B1", "collar", "S1", 0, 10), _a("B4", "hem", "S1", 5, 9)]}
        state.load_plan("P2", newer)
        assert state.record("B1", "collar").status == FINISHED
        assert state.record("B3", "collar") is None
        assert [o.bundle for o in state.queue("S1")] == ["B4"]


def test_agent_executes_the_newest_delivered_plan_and_scans(tmp_path):
    box = Outbox(tmp_path / "L1.sqlite")
    clock = Clock()
    agent = LineAgent("L1", box, heartbeat_s=0.05, poll_s=0.02, clock=clock)

    async def scenario() -> None:
        stop = asyncio.Event()
        run = asyncio.create_task(agent.run(stop))
        box.put_plan("old", {"assignments": [_a("B9", "hem", "S1", 0, 5)]})
        box.put_plan("P", PLAN)
        await wait_until(lambda: agent.execution.plan_id == "P", 10, "plan P executed")
        box.put_plan("broken", {"assignments": [{"bundle": "B5"}]})
        await wait_until(lambda: len(_of(box, EventType.PLAN_RECEIVED)) >= 3, 10, "refusal")
        box.put_plan("cut:C1:v1", {"markers": [{"name": "M1"}]})
        await wait_until(lambda: len(_of(box, EventType.PLAN_RECEIVED)) >= 4, 10, "cut plan")
        agent.emit(Event(line="L1", station="S1", type=EventType.BUNDLE_SCANNED,
                         payload={"bundle": "B1"}))  # fmt: skip
        stop.set()
        await run

    asyncio.run(scenario())
    assert agent.execution.record("B1", "collar").status == RUNNING
    assert agent.execution.record("B9", "hem") is None
    received = _of(box, EventType.PLAN_RECEIVED)
    assert received[0].payload == {"plan_id": "old", "superseded_by": "P"}
    assert "assignment 0: missing station, operation" in received[2].payload["error"]
    assert received[3].payload == {"plan_id": "cut:C1:v1", "markers": 1, "executed": False}
    assert agent.execution.plan_id == "P"  # a refused plan leaves the last good one running
    box.close()


def test_edge_queue_command_shows_the_plan(tmp_path):
    path = tmp_path / "L1.sqlite"
    runner = CliRunner()
    app = build_app()
    missing = runner.invoke(app, ["edge", "queue", "--line", "L1", "--outbox", str(path)])
    assert isinstance(missing.exception, InputError)
    assert "no outbox for line 'L1'" in str(missing.exception)
    with Outbox(path) as box:
        state = ExecutionState(box, "L1", Clock())
        state.load_plan("sewing:L1:v3", PLAN)
        state.start("S1", "B3", "collar")
    shown = runner.invoke(app, ["edge", "queue", "--line", "L1", "--outbox", str(path)])
    assert shown.exit_code == 0, shown.output
    rows = [line for line in shown.output.splitlines() if " B" in line]
    assert [r.split()[3] for r in rows] == ["B1", "B3", "B2", "B1", "B2"]
    assert "running" in rows[1] and "plan sewing:L1:v3" in shown.output


def test_real_scanner_on_a_pty_drives_the_agents_plan(tmp_path):
    from edge_agents.serial.scanner import ScannerLink
    from edge_agents.simulators.serial_devices import ScannerSim

    box = Outbox(tmp_path / "L1.sqlite")
    agent = LineAgent("L1", box, heartbeat_s=1.0, poll_s=0.02, clock=Clock())
    sim = ScannerSim(tmp_path / "scanner-S1")
    sim.plug()
    debounce_clock = [100.0]
    link = ScannerLink("scanner-S1", str(sim.port.path), 9600, "L1", agent.emit, "S1",
                       clock=lambda: debounce_clock[0])  # fmt: skip

    async def run_link(_emit) -> None:  # type: ignore[no-untyped-def]
        await link.run()

    agent.add_task("scanner-S1", run_link)
    ops = {"assignments": [_a("BND-1", "collar", "S1", 0, 10), _a("BND-2", "collar", "S1", 5, 9)]}

    async def scenario() -> None:
        stop = asyncio.Event()
        run = asyncio.create_task(agent.run(stop))
        try:
            box.put_plan("P", ops)
            await wait_until(lambda: agent.execution.plan_id == "P", 10, "plan executed")
            await wait_until(lambda: link.status.state == "connected", 10, "scanner port open")
            sim.scan("BND-1")
            await wait_until(lambda: _of(box, EventType.OPERATION_STARTED), 10, "started")
            debounce_clock[0] += 10  # the next scan is not a double scan
            sim.scan("BND-1")
            await wait_until(lambda: _of(box, EventType.OPERATION_FINISHED), 10, "finished")
        finally:
            stop.set()
            await run
            sim.unplug()

    asyncio.run(scenario())
    finished = _of(box, EventType.OPERATION_FINISHED)[0]
    assert (finished.station, finished.payload["bundle"], finished.payload["source"]) == (
        "S1",
        "BND-1",
        "scan",
    )
    assert [o.bundle for o in agent.execution.queue("S1")] == ["BND-2"]
    box.close()
