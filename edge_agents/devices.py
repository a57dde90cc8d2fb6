"""Plugging a line's devices into its agent: OPC-UA links, serial devices, cameras, the 1 s tick.

Each device link becomes one supervised task of the `LineAgent`. OPC-UA samples feed the
one-second aggregator and the alarm engine; a `telemetry` task flushes the aggregator and ticks
the alarm manager once a second. A link whose configuration is wrong (missing password, bad
certificate) reports `down` with the reason once and then waits: restarting it cannot help.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.config.models import FactoryConfig, LineConfig
from core.errors import ConfigError
from core.events import utcnow
from core.settings import atelier_home
from edge_agents.agent import Emit, LineAgent
from edge_agents.alarms.engine import AlarmEngine, demo_rules
from edge_agents.alarms.manager import AlarmManager
from edge_agents.link import DOWN, LinkReporter, LinkStatus
from edge_agents.opcua.client import Sample, links_for_line
from edge_agents.serial.plotter import PlotterLink
from edge_agents.serial.port import SerialLink
from edge_agents.serial.scanner import ScannerLink
from edge_agents.simulators.serial_line import resolve_port
from edge_agents.telemetry.aggregate import SecondAggregator
from edge_agents.telemetry.line_oee import LineOee

log = logging.getLogger(__name__)

MODEL_ENV = "ATELIER_INSPECTION_MODEL"
OEE_EVERY_S = 10.0  # OEE readings per station into the aggregates; it moves slowly


@dataclass
class LineDevices:
    """What `wire_line` plugged into an agent (kept for tests and the HMI)."""

    aggregator: SecondAggregator
    alarms: AlarmManager
    oee: LineOee
    links: list[Any] = field(default_factory=list)


class _Runnable:
    """Anything with `status` and `async run()`: an OPC-UA or serial link, a camera."""

    status: LinkStatus
    reporter: LinkReporter

    async def run(self) -> None: ...


def _guarded(link: _Runnable) -> Callable[[Emit], Awaitable[None]]:
    async def run(_emit: Emit) -> None:
        started = utcnow()
        try:
            await link.run()
        except ConfigError as exc:
            # Reported once (state down, with the reason); the operator must fix the config.
            log.error("link %s stopped: %s", link.status.name, exc)
            went_down = link.status.state == DOWN and link.status.since >= started
            if not (went_down and link.status.last_error == str(exc)):
                link.status.state, link.status.last_error = DOWN, str(exc)
                link.reporter.announce()
            await asyncio.Event().wait()

    return run


def wire_line(
    agent: LineAgent, factory: FactoryConfig, line_id: str, model_dir: Path | None = None
) -> LineDevices:
    """Add the line's device tasks to `agent`; raises ConfigError for an unknown line."""
    try:
        line = factory.line(line_id)
    except KeyError:
        raise ConfigError(f"no line {line_id!r} in the factory configuration") from None
    devices, on_sample = sample_pipeline(agent, factory, line_id)
    opcua = links_for_line(factory, line_id, agent.emit, on_sample, together=agent.together)
    devices.links.extend(opcua)
    # A machine link down for long means its stations are down for the plan (ExecutionWatch).
    agent.watch.link_stations.update({link.status.name: link.stations for link in opcua})
    devices.links.extend(_serial_links(line, agent.emit))
    devices.links.extend(_cameras(line, agent.emit, model_dir or default_model_dir()))
    for link in devices.links:
        agent.add_task(link.status.name, _guarded(link))
    log.info("line %s: %d device links wired", line_id, len(devices.links))
    return devices


def sample_pipeline(
    agent: LineAgent, factory: FactoryConfig, line_id: str
) -> tuple[LineDevices, Callable[[Sample], None]]:
    """The line's aggregator, alarms and OEE, fed by the returned `on_sample`, and the agent
    task that flushes the aggregator and ticks the alarms once a second."""
    aggregator = SecondAggregator(line_id, agent.emit)
    # Alarms start from what the line last wrote of them: a restart keeps acks and shelves.
    manager = AlarmManager(line_id, agent.emit, saved=agent.outbox.alarm_states())
    agent.commands.alarms = manager  # operators' acknowledge and shelve from the HMI
    engine = AlarmEngine(demo_rules(), manager)
    oee = LineOee(factory, line_id)

    def on_sample(sample: Sample) -> None:
        aggregator.on_sample(sample)
        engine.on_sample(sample)
        oee.on_sample(sample)

    async def telemetry(_emit: Emit) -> None:
        last_oee = 0.0
        while True:
            with agent.together():  # a second's aggregates of every station: one commit
                now_s = time.time()
                if now_s - last_oee >= OEE_EVERY_S:
                    last_oee = now_s
                    for station, signal, value in oee.readings(utcnow()):
                        aggregator.add(station, signal, value, now_s)
                aggregator.flush(now_s)
                manager.tick()
            await asyncio.sleep(1.0)

    agent.add_task("telemetry", telemetry)
    return LineDevices(aggregator, manager, oee), on_sample


def _serial_links(line: LineConfig, emit: Emit) -> list[SerialLink]:
    kinds: dict[str, type[SerialLink]] = {"bundle_scanner": ScannerLink, "plotter": PlotterLink}
    return [
        kinds[d.kind](d.name, resolve_port(line.id, d), d.baudrate, line.id, emit, d.station)
        for d in line.serial_devices
    ]


def default_model_dir() -> Path:
    """The inspection model the cameras run: `ATELIER_INSPECTION_MODEL`, else
    `ATELIER_HOME/models/current` (a folder or a link to the promoted model's folder)."""
    text = os.environ.get(MODEL_ENV, "").strip()
    return Path(text) if text else atelier_home() / "models" / "current"


def _cameras(line: LineConfig, emit: Emit, model_dir: Path) -> list[_Runnable]:
    from edge_agents.camera import CameraLink

    return [CameraLink(line.id, camera, model_dir, emit) for camera in line.cameras]
