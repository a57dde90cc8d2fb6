"""The serial simulators of one line: every device configured with `port: sim`, at a stable path.

The agent finds them through `resolve_port`, so a configuration moves from simulators to real
devices by changing `port` only.
"""

from __future__ import annotations

import asyncio
import logging
import random
from pathlib import Path

from core.config.models import LineConfig, SerialDeviceConfig
from core.settings import atelier_home
from edge_agents.simulators.serial_devices import PlotterSim, ScannerSim

log = logging.getLogger(__name__)


def sim_port_path(line: str, device: str) -> Path:
    """Where the simulator of `device` on `line` publishes its pty."""
    return atelier_home() / "serial" / f"{line}-{device}"


def resolve_port(line: str, device: SerialDeviceConfig) -> str:
    """The path the agent opens for `device`: its port, or the simulator's path for 'sim'."""
    return str(sim_port_path(line, device.name)) if device.port == "sim" else device.port


async def run_serial_sims(line: LineConfig, scan_every_s: float = 5.0, seed: int = 0) -> None:
    """Run the line's simulated scanners and plotters until cancelled.

    Scanners scan a new bundle ticket every `scan_every_s` seconds, now and then twice (a double
    scan) or with a burst of line noise first, as on a real floor.
    """
    rng = random.Random(seed)
    scanners: list[ScannerSim] = []
    plotters: list[PlotterSim] = []
    for device in line.serial_devices:
        if device.port != "sim":
            continue
        path = sim_port_path(line.id, device.name)
        if device.kind == "bundle_scanner":
            scanner = ScannerSim(path, seed)
            scanner.plug()
            scanners.append(scanner)
        else:
            plotter = PlotterSim(path)
            await plotter.start()
            plotters.append(plotter)
        log.info("simulated %s %s at %s", device.kind, device.name, path)
    ticket = 0
    try:
        while True:
            await asyncio.sleep(scan_every_s)
            for scanner in scanners:
                ticket += 1
                code = f"BND-{line.id}-{ticket:06d}"
                if rng.random() < 0.05:
                    scanner.noise_burst(rng.randint(5, 80))
                scanner.scan(code)
                if rng.random() < 0.1:
                    scanner.scan(code)
    finally:
        for scanner in scanners:
            scanner.unplug()
        for plotter in plotters:
            await plotter.stop()
