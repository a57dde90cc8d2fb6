"""OPC-UA link against the line simulator (a real asyncua server) on loopback, fully secured."""

from __future__ import annotations

import asyncio
from collections import defaultdict

import pytest
from asyncua import Client, ua

from core.errors import ConfigError
from core.events import EventType
from edge_agents.alarms.engine import AlarmEngine, demo_rules
from edge_agents.alarms.manager import AlarmManager
from edge_agents.link import CONNECTED, RECONNECTING
from edge_agents.opcua import certs
from edge_agents.opcua.client import OpcUaLink, OpcUaLinkSettings, links_for_line
from edge_agents.opcua.security import secure_client
from edge_agents.packml import PackMLState
from edge_agents.simulators.machine_model import MachineBehaviour
from edge_agents.simulators.opcua_line import LineSimulator, SimulatorSettings
from edge_agents.telemetry.aggregate import SecondAggregator
from tests.edge_agents.conftest import free_port, plant_on_port, wait_until

QUIET = MachineBehaviour(thread_breaks_per_hour=0, faults_per_hour=0)


async def _stop(task: asyncio.Task) -> None:
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        pass


def _one_link(factory, events, samples, **settings) -> OpcUaLink:
    links = links_for_line(
        factory, "L1", events.append, samples.append, OpcUaLinkSettings(**settings)
    )
    assert len(links) == 1
    return links[0]


def test_server_restart_mid_run_loses_and_repeats_nothing(home):
    async def scenario():
        factory = plant_on_port(free_port())
        sim = LineSimulator(factory, "L1", SimulatorSettings(behaviour=QUIET))
        events, samples = [], []
        link = _one_link(factory, events, samples)
        nodes = len(link._nodes)
        await sim.start_server()
        task = asyncio.create_task(link.run())
        try:
            await wait_until(lambda: link.status.counters["values"] == nodes, 30, "initial values")
            assert link.status.state == CONNECTED
            sim.journal = []
            for _ in range(20):
                await sim.step(0.1)
            phase1 = len(sim.journal)
            await wait_until(
                lambda: link.status.counters["values"] == nodes + phase1,
                10,
                "values before restart",
            )
            last_seen = {(s.machine, s.signal): s.source_time for s in samples}

            await sim.stop_server()
            await wait_until(lambda: link.status.state == RECONNECTING, 10, "link reconnecting")
            for _ in range(10):  # the machines keep sewing while their server is away
                await sim.step(0.1)
            changed_while_down = {
                (m.machine, signal): (v.value, v.changed_at)
                for m in sim.models.values()
                for signal, v in m.values.items()
                if (m.machine, signal) in last_seen
                and v.changed_at > last_seen[(m.machine, signal)]
            }
            assert changed_while_down, "the outage should move some values"

            await sim.start_server()
            await wait_until(lambda: link.status.state == CONNECTED, 15, "link resumed")
            await wait_until(
                lambda: link.status.counters["values"] == nodes + phase1 + len(changed_while_down),
                10,
                "current values after restart",
            )
            mark = len(sim.journal)
            for _ in range(20):
                await sim.step(0.1)
            phase3 = len(sim.journal) - mark
            total = nodes + phase1 + len(changed_while_down) + phase3
            await wait_until(
                lambda: link.status.counters["values"] == total, 10, "values after restart"
            )
        finally:
            await _stop(task)
            await sim.stop()

        emitted = defaultdict(list)
        for s in samples[nodes:]:
            emitted[(s.machine, s.signal)].append((s.value, s.source_time))
        expected = defaultdict(list)
        for machine, signal, value, when in sim.journal[:phase1]:
            expected[(machine, signal)].append((value, when))
        for key, item in changed_while_down.items():
            expected[key].append(item)
        for machine, signal, value, when in sim.journal[phase1:]:
            expected[(machine, signal)].append((value, when))
        assert dict(emitted) == dict(expected)
        assert link.status.counters["lost"] == 0
        assert link.status.counters["duplicates"] > 0  # unchanged values resent on resubscribe
        assert link.status.counters["reconnects"] >= 1
        states = [e.payload["state"] for e in events if e.type == EventType.LINK_STATE]
        assert states[:3] == ["connected", "reconnecting", "connected"]

    asyncio.run(scenario())


def test_fault_injection_and_machine_facts(home):
    async def scenario():
        factory = plant_on_port(free_port())
        sim = LineSimulator(factory, "L1", SimulatorSettings(behaviour=QUIET, rate_hz=20))
        events, samples, alarm_events, aggregates = [], [], [], []
        engine = AlarmEngine(demo_rules(), AlarmManager("L1", alarm_events.append))
        seconds = SecondAggregator("L1", aggregates.append)

        def on_sample(sample):
            samples.append(sample)
            engine.on_sample(sample)
            seconds.on_sample(sample)

        link = links_for_line(factory, "L1", events.append, on_sample)[0]
        await sim.start()
        task = asyncio.create_task(link.run())

        def states_of(station):
            return [
                e.payload["state"]
                for e in events
                if e.type == EventType.MACHINE_STATE and e.station == station
            ]

        try:
            await wait_until(
                lambda: int(PackMLState.EXECUTE) in states_of("S2"), 30, "S2 executing"
            )
            endpoint = factory.line("L1").stations[0].opcua
            client = Client(endpoint.url)
            await secure_client(client, endpoint, "test-operator")
            async with client:
                machine = client.get_node(ua.NodeId("OL01", 2))
                method = client.get_node(ua.NodeId("OL01.InjectFault", 2))
                assert await machine.call_method(method, "thread_break") is True
                assert await machine.call_method(method, "meltdown") is False
                lockstitch = client.get_node(ua.NodeId("LS01", 2))
                inject = client.get_node(ua.NodeId("LS01.InjectFault", 2))
                assert await lockstitch.call_method(inject, "fault") is True
            await wait_until(lambda: int(PackMLState.ABORTED) in states_of("S1"), 10, "S1 aborted")
            await wait_until(lambda: int(PackMLState.HELD) in states_of("S2"), 10, "S2 held")
            await wait_until(
                lambda: any(
                    e.type == EventType.MACHINE_THREAD_BREAK and e.payload["active"] for e in events
                ),
                10,
                "thread break event",
            )
            await wait_until(
                lambda: any(e.type == EventType.MACHINE_COUNT for e in events), 20, "a good piece"
            )
        finally:
            await _stop(task)
            await sim.stop()
        assert {s.signal for s in samples} >= {"speed", "needle_temperature", "cycle_count"}
        cycle = [s.value for s in samples if s.machine == "LS01" and s.signal == "cycle_count"]
        assert cycle == sorted(cycle) and cycle[-1] > 0
        raised = {e.payload["key"] for e in alarm_events if e.type == EventType.ALARM_RAISED}
        assert {"S1.fault", "S2.thread_break"} <= raised
        seconds.flush(samples[-1].source_time.timestamp() + 2)
        assert {e.station for e in aggregates} >= {"S1", "S2"}
        speeds = [
            e.payload["signals"]["speed"] for e in aggregates if "speed" in e.payload["signals"]
        ]
        assert speeds and all(s["min"] <= s["mean"] <= s["max"] for s in speeds)

    asyncio.run(scenario())


def test_wrong_password_is_refused_and_link_keeps_trying(home, monkeypatch):
    async def scenario():
        factory = plant_on_port(free_port())
        sim = LineSimulator(factory, "L1")
        await sim.start_server()
        monkeypatch.setenv("ATELIER_TEST_OPCUA_PASSWORD", "wrong")
        events, samples = [], []
        link = _one_link(factory, events, samples)
        task = asyncio.create_task(link.run())
        try:
            await wait_until(
                lambda: link.status.counters.get("connect_failures", 0) >= 2, 30, "refusals"
            )
        finally:
            await _stop(task)
            await sim.stop()
        assert link.status.counters["values"] == 0
        assert CONNECTED not in [e.payload["state"] for e in events]

    asyncio.run(scenario())


def test_security_none_is_reported_as_warning(home):
    async def scenario():
        factory = plant_on_port(free_port(), security="None")
        sim = LineSimulator(factory, "L1")
        events, samples = [], []
        link = _one_link(factory, events, samples)
        await sim.start_server()
        task = asyncio.create_task(link.run())
        try:
            await wait_until(lambda: link.status.counters["values"] > 0, 30, "values")
        finally:
            await _stop(task)
            await sim.stop()
        assert any("without security" in w for w in link.status.warnings)
        assert not (home / "certs" / "agent-L1.pem").exists()

    asyncio.run(scenario())


def test_missing_password_variable_is_a_config_error(home, monkeypatch):
    monkeypatch.delenv("ATELIER_TEST_OPCUA_PASSWORD")
    factory = plant_on_port(free_port())
    with pytest.raises(ConfigError, match="ATELIER_TEST_OPCUA_PASSWORD"):
        asyncio.run(LineSimulator(factory, "L1").start_server())


def test_certificates_carry_application_uri_and_chain_to_plant_ca(home):
    pair = certs.issue("agent-L1", "client")
    cert, _ = certs.load_pair(pair)
    ca, _ = certs.load_pair(certs.pair_for(certs.CA_NAME))
    assert cert.issuer == ca.subject
    cert.verify_directly_issued_by(ca)
    san = cert.extensions.get_extension_for_oid(
        certs.x509.oid.ExtensionOID.SUBJECT_ALTERNATIVE_NAME
    ).value
    assert "urn:atelier:agent-L1" in san.get_values_for_type(certs.x509.UniformResourceIdentifier)
    assert oct(pair.key.stat().st_mode & 0o777) == "0o600"


@pytest.mark.slow
def test_simulator_process_killed_and_restarted(home, monkeypatch):
    """The benchmark's path for real: simulator in its own process, SIGKILL, restart, resume."""
    from edge_agents.opcua.bench import run_opcua_bench

    monkeypatch.setenv("ATELIER_OPCUA_PASSWORD", "bench-password")
    steps = []
    result = run_opcua_bench(machines=5, rate_hz=10, seconds=1, progress=steps.append)
    assert result.opcua_values > 0
    assert result.opcua_lost == 0
    assert result.opcua_resume_s is not None and result.opcua_resume_s > 0
    assert any("killing the simulator" in s for s in steps)
    assert (home / "certs" / "sim-L1.pem").exists()
