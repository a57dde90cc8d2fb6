"""The agent with its devices: real simulators, a real agent process, the real central ingest."""

from __future__ import annotations

import os
import signal
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from cluster.ingest import CentralIngest
from cluster.simulation import prepare_simulation
from core.config.loader import load_factory
from core.db import make_engine
from core.events import Event, EventType, utcnow
from core.schema import AlarmRow, LineAgentRow, TelemetryAggregateRow
from edge_agents.opcua.ports import PORT_BASE_ENV, with_port_base
from edge_agents.outbox import Outbox, outbox_path
from tests.cluster.conftest import REPO, processes, start_cli, store_url, wait_for
from tests.edge_agents.conftest import free_port

__all__ = ["processes", "store_url"]  # fixtures shared with the cluster tests

pytestmark = pytest.mark.timeout(180)


@pytest.fixture
def plant_env(tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAY_AUTH")}
    env.update(ATELIER_HOME=str(home), PYTHONPATH=str(REPO), ATELIER_OPCUA_PASSWORD="")
    env[PORT_BASE_ENV] = str(free_port())
    return env


def _outbox_events(path: Path) -> list[Event]:
    if not path.exists():
        return []
    with Outbox(path) as box:
        return box.unshipped(limit=100_000)


def _links(events: list[Event]) -> dict[str, str]:
    return {e.payload["link"]: e.payload["state"] for e in events if e.type == EventType.LINK_STATE}


def test_agent_runs_the_line_devices_into_the_store(
    plant_env: dict[str, str], processes: list, store_url: str, tmp_path: Path
) -> None:
    home = Path(plant_env["ATELIER_HOME"])
    plant = load_factory(None)
    plant_env |= prepare_simulation(plant, home, plant_env, lambda _msg: None)
    assert (home / "opcua_password").stat().st_mode & 0o777 == 0o600
    assert plant_env["ATELIER_OPCUA_PASSWORD"] == (home / "opcua_password").read_text()
    started = utcnow() - timedelta(seconds=1)

    # Many faults so that an alarm is raised within seconds.
    sim_args = ("simulate", "opcua", "--line", "C1", "--faults-per-hour", "4000")
    start_cli(processes, plant_env, tmp_path / "sim.log", *sim_args)
    start_cli(processes, plant_env, tmp_path / "serial.log", "simulate", "serial", "--line", "C1",
           "--scan-every", "0.5")  # fmt: skip
    agent = start_cli(processes, plant_env, tmp_path / "agent.log",
                   "edge", "run", "--line", "C1", "--heartbeat", "0.5")  # fmt: skip
    path = outbox_path("C1", home)
    url = with_port_base(plant, int(plant_env[PORT_BASE_ENV])).line("C1").stations[0].opcua.url

    def seen() -> bool:
        events = _outbox_events(path)
        types = {e.type for e in events}
        links = _links(events)
        assert agent.poll() is None, (tmp_path / "agent.log").read_text()[-3000:]
        return (
            {EventType.MACHINE_STATE, EventType.TELEMETRY_AGGREGATE, EventType.ALARM_RAISED}
            <= types
            and "bundle.scanned" in types
            and links.get(f"opcua {url}") == "connected"
            and links.get("bundle_scanner scanner-cut") == "connected"
        )

    wait_for(seen, 90, "machine states, aggregates, an alarm, scans and connected links")
    agent.send_signal(signal.SIGINT)
    assert agent.wait(timeout=30) == 0

    events = _outbox_events(path)
    links = _links(events)
    # No model in this home: the camera says so and the agent kept running.
    camera = [e for e in events if e.type == EventType.LINK_STATE and e.payload["kind"] == "camera"]
    assert camera and "no inspection model" in camera[0].payload["last_error"]
    with Outbox(path) as box:
        assert box.links()[f"opcua {url}"][0] == "down"  # the agent stopped: links went down

    ingest = CentralIngest(store_url)
    batch = [e.to_dict() for e in events]
    first = ingest.ship("C1", "node-1", batch, 0)
    engine = make_engine(store_url)
    try:
        counts = _table_counts(engine, started, {e.id for e in events})
        assert counts["telemetry"] >= 1 and counts["alarms"] >= 1
        again = ingest.ship("C1", "node-1", batch, 0)  # a replay after a lost acknowledgement
        assert first["stored"] == len(events) and again["stored"] == 0
        assert _table_counts(engine, started, {e.id for e in events}) == counts
        with engine.connect() as conn:
            row_links = conn.scalar(select(LineAgentRow.links).where(LineAgentRow.line == "C1"))
        assert row_links[f"opcua {url}"]["state"] == links[f"opcua {url}"]
    finally:
        engine.dispose()
        ingest.engine.dispose()


def _table_counts(engine, since, event_ids: set[str]) -> dict[str, object]:  # noqa: ANN001
    """Telemetry rows of C1 since the test began; alarm rows opened by this run's events."""
    with engine.connect() as conn:
        telemetry = conn.scalar(
            select(func.count()).where(
                TelemetryAggregateRow.line == "C1", TelemetryAggregateRow.second >= since
            )
        )
        alarms = conn.execute(
            select(AlarmRow.key, AlarmRow.state).where(AlarmRow.event_id.in_(event_ids))
        ).all()
    return {"telemetry": telemetry, "alarms": len(alarms), "states": sorted(alarms)}


def test_a_missing_password_is_reported_once_and_the_agent_keeps_running(
    plant_env: dict[str, str], processes: list, tmp_path: Path
) -> None:
    home = Path(plant_env["ATELIER_HOME"])
    plant_env |= prepare_simulation(load_factory(None), home, plant_env, lambda _msg: None)
    start_cli(processes, plant_env, tmp_path / "sim.log", "simulate", "opcua", "--line", "C1")
    plant_env.pop("ATELIER_OPCUA_PASSWORD")  # the simulator has it, the agent does not
    agent = start_cli(processes, plant_env, tmp_path / "agent.log",
                   "edge", "run", "--line", "C1", "--heartbeat", "0.2")  # fmt: skip
    path = outbox_path("C1", home)

    def beats() -> int:
        return sum(e.type == EventType.AGENT_HEARTBEAT for e in _outbox_events(path))

    # Long enough for several connection attempts, had the link been retried.
    wait_for(lambda: beats() >= 15, 60, "fifteen heartbeats")
    assert agent.poll() is None
    opcua = [
        e
        for e in _outbox_events(path)
        if e.type == EventType.LINK_STATE and e.payload["kind"] == "opcua"
    ]
    down = [e for e in opcua if e.payload["state"] == "down"]
    assert len(down) == 1 and down[0] is opcua[-1], [e.payload for e in opcua]
    assert "ATELIER_OPCUA_PASSWORD" in down[0].payload["last_error"]
    with Outbox(path) as box:
        state, _since, detail = box.links()[down[0].payload["link"]]
    assert state == "down" and "ATELIER_OPCUA_PASSWORD" in detail
    agent.send_signal(signal.SIGTERM)
    assert agent.wait(timeout=30) == 0
