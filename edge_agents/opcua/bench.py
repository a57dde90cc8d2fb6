"""OPC-UA ingest benchmark: the line simulator in another process, one link taking its values.

Measures values ingested per second with nothing lost, and the time from a killed server's
return (its port accepting connections again) to the first new value at the link.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from core.config.loader import load_factory
from core.errors import AtelierError
from edge_agents.agent import LineAgent
from edge_agents.devices import sample_pipeline
from edge_agents.opcua import certs
from edge_agents.opcua.client import OpcUaLinkSettings, links_for_line
from edge_agents.outbox import Outbox
from edge_agents.simulators.opcua_line import widen_line

log = logging.getLogger(__name__)

PASSWORD_ENV = "ATELIER_OPCUA_PASSWORD"


@dataclass
class OpcUaBenchResult:
    machines: int
    rate_hz: float
    seconds: float
    security: str
    opcua_changes_per_s: float
    opcua_values: int
    opcua_lost: int
    opcua_duplicates: int
    opcua_resume_s: float | None
    simulator_cpu_share: float  # simulator's CPU seconds per second while values were ingested
    agent_cpu_share: float  # the agent's (this process's) CPU seconds per second, likewise
    agent_cpu_us_per_value: float | None  # the agent's CPU per value ingested (OPC-UA included)
    outbox_events: int  # facts and aggregates the agent wrote to its outbox during the run

    def to_dict(self) -> dict:
        return asdict(self)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _port_open(port: int, timeout: float) -> float:
    """Wait until something listens on `port`; returns the monotonic time it did."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.02)
            continue
        writer.close()
        return time.monotonic()
    raise AtelierError(f"the simulator did not open port {port} within {timeout:.0f} s")


def _die_with_parent() -> None:
    """In the simulator child: get SIGKILL when the benchmark dies, even killed (Linux)."""
    import ctypes

    pr_set_pdeathsig = 1
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)


def _cpu_s(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _wait(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AtelierError(f"benchmark: timed out waiting for {what}")
        await asyncio.sleep(0.02)


def run_opcua_bench(
    machines: int = 60,
    rate_hz: float = 10.0,
    seconds: float = 10.0,
    security: str = "Basic256Sha256_SignAndEncrypt",
    progress: Callable[[str], None] = lambda _msg: None,
) -> OpcUaBenchResult:
    """Run the benchmark in the current Atelier home (certificates are made there if missing)."""
    os.environ.setdefault(PASSWORD_ENV, os.urandom(12).hex())
    port = _free_port()
    url = f"opc.tcp://127.0.0.1:{port}/atelier/bench"
    factory = widen_line(load_factory(), "L1", machines, url)
    for station in factory.line("L1").stations:
        station.opcua = station.opcua.model_copy(update={"security": security})
    if security != "None":
        certs.ensure("sim-L1", "server")
        certs.ensure("agent-L1", "client")
    factory_file = certs.certs_dir().parent / "bench-factory.yaml"
    _write_factory(factory, factory_file)
    command = [
        sys.executable, "-m", "cluster.cli.main", "simulate", "opcua", "--line", "L1",
        "--factory", str(factory_file), "--rate", str(rate_hz),
        "--thread-breaks-per-hour", "0", "--faults-per-hour", "0",
    ]  # fmt: skip
    return asyncio.run(
        _bench(factory, command, port, machines, rate_hz, seconds, security, progress)
    )


def _write_factory(factory, path: Path) -> None:  # noqa: ANN001
    import yaml

    path.write_text(yaml.safe_dump(factory.model_dump(mode="json")), encoding="utf-8")


async def _bench(factory, command, port, machines, rate_hz, seconds, security, progress):  # noqa: ANN001, ANN202
    # The link runs inside a real line agent: every value goes through the aggregator and the
    # alarm engine, every fact and aggregate is written durably to an outbox, as in production.
    with tempfile.TemporaryDirectory(prefix="atelier-bench-opcua-") as tmp:
        outbox = Outbox(Path(tmp) / "L1.sqlite")
        agent = LineAgent("L1", outbox)
        _devices, on_sample = sample_pipeline(agent, factory, "L1")
        settings = OpcUaLinkSettings(reconnect_cap_s=1.0)
        link = links_for_line(factory, "L1", agent.emit, on_sample, settings, agent.together)[0]
        agent.add_task(link.status.name, lambda _emit: link.run())
        try:
            return await _measure(agent, link, command, port, machines, rate_hz, seconds,
                                  security, progress)  # fmt: skip
        finally:
            outbox.close()


async def _measure(agent, link, command, port, machines, rate_hz, seconds, security, progress):  # noqa: ANN001, ANN202
    def values() -> int:
        return int(link.status.counters["values"])

    def start_sim() -> subprocess.Popen:
        return subprocess.Popen(
            command,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=_die_with_parent,
        )

    nodes = len(link._nodes)
    sim = start_sim()
    stop = asyncio.Event()
    task = None
    try:
        progress(
            f"starting the simulator ({machines} machines at {rate_hz:g} Hz) in another process"
        )
        await _port_open(port, 60)
        task = asyncio.create_task(agent.run(stop))
        await _wait(lambda: values() >= nodes, 60, "the initial values")
        progress(f"ingesting for {seconds:g} s")
        start_values, start, cpu_start = values(), time.monotonic(), _cpu_s(sim.pid)
        own_start = time.process_time()
        await asyncio.sleep(seconds)
        elapsed = time.monotonic() - start
        rate = (values() - start_values) / elapsed
        cpu_share = (_cpu_s(sim.pid) - cpu_start) / elapsed
        agent_cpu = (time.process_time() - own_start) / elapsed
        progress(
            f"{rate:,.0f} values/s (agent {agent_cpu:.2f} cores); killing the simulator "
            "(SIGKILL) and starting it again"
        )
        sim.send_signal(signal.SIGKILL)
        sim.wait()
        await _wait(lambda: link.status.state == "reconnecting", 30, "the link to notice")
        sim = start_sim()
        back = await _port_open(port, 60)
        before = values()
        await _wait(lambda: values() > before + nodes // 2, 60, "values after the restart")
        resume = link.resumed_at - back if link.resumed_at is not None else None
        first_value = time.monotonic() - back
        session = "the link's state did not say when" if resume is None else f"{resume:.2f} s"
        progress(
            f"resumed ({session}) after the server listened again (values {first_value:.2f} s)"
        )
    finally:
        # The simulator goes first: a link closing under a full stream of values takes long.
        sim.send_signal(signal.SIGKILL)
        sim.wait()
        if task is not None:
            stop.set()
            await asyncio.wait({task}, timeout=30)
    return OpcUaBenchResult(
        machines=machines,
        rate_hz=rate_hz,
        seconds=seconds,
        security=security,
        opcua_changes_per_s=round(rate, 1),
        opcua_values=values(),
        opcua_lost=link.status.counters["lost"],
        opcua_duplicates=link.status.counters["duplicates"],
        opcua_resume_s=round(first_value, 3),
        simulator_cpu_share=round(cpu_share, 3),
        agent_cpu_share=round(agent_cpu, 3),
        agent_cpu_us_per_value=round(agent_cpu / rate * 1e6, 1) if rate else None,
        outbox_events=sum(agent.appended.values()),
    )
