"""Serial device simulators on pty pairs: a bundle-ticket scanner and an HPGL plotter/cutter.

Each device appears at a stable path (a symlink to the pty's slave, like a udev by-id link);
`unplug()` closes the pty and removes the link, `replug()` brings a fresh pty back at the path.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import tty
from pathlib import Path

from edge_agents.serial.frames import encode_frame
from edge_agents.serial.plotter import XOFF, XON

log = logging.getLogger(__name__)


class PtyPort:
    """The device end of a pty pair, published at `path`."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.master: int | None = None
        self._slave: int | None = None
        self.lost_bytes = 0

    def plug(self) -> None:
        master, slave = os.openpty()
        tty.setraw(slave)  # no echo or line editing before the agent opens the port
        os.set_blocking(master, False)
        self.master, self._slave = master, slave
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".new")
        tmp.unlink(missing_ok=True)
        tmp.symlink_to(os.ttyname(slave))
        tmp.replace(self.path)

    def unplug(self) -> None:
        self.path.unlink(missing_ok=True)
        for fd in (self.master, self._slave):
            if fd is not None:
                os.close(fd)
        self.master = self._slave = None

    def write(self, data: bytes) -> None:
        if self.master is None:
            return
        try:
            os.write(self.master, data)
        except BlockingIOError:
            # Nobody reads the port: like a real device, drop it; say so once per stall.
            if not self.lost_bytes:
                log.warning("pty %s full (no reader?); dropping what the device sends", self.path)
            self.lost_bytes += len(data)
        else:
            self.lost_bytes = 0


class ScannerSim:
    """A bundle-ticket scanner: scans, double scans, garbage and noise on demand."""

    def __init__(self, path: Path, seed: int = 0) -> None:
        self.port = PtyPort(path)
        self._rng = random.Random(seed)

    def plug(self) -> None:
        self.port.plug()

    def unplug(self) -> None:
        self.port.unplug()

    def scan(self, ticket: str) -> None:
        self.port.write(encode_frame(ticket))

    def raw(self, data: bytes) -> None:
        self.port.write(data)

    def noise_burst(self, size: int = 200) -> None:
        """Electrical noise: random bytes, no STX among them (they would open a frame)."""
        self.port.write(
            bytes(self._rng.choice([b for b in range(256) if b != 0x02]) for _ in range(size))
        )


class PlotterSim:
    """A plotter/cutter with a small buffer, XON/XOFF, chunk acknowledgements and paper-out."""

    def __init__(self, path: Path, capacity: int = 2048, bytes_per_s: float = 40_000.0) -> None:
        self.port = PtyPort(path)
        self.capacity = capacity
        self.bytes_per_s = bytes_per_s
        self.buffer = bytearray()
        self.paper = True
        self.xoff_sent = 0
        self._stopped = False  # XOFF sent and not yet lifted
        self.plotted: list[str] = []  # instructions executed, in order
        self.acks: list[int] = []
        self.overflowed = 0
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.plug()
        self._task = asyncio.create_task(self._work())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
        self.unplug()

    def plug(self) -> None:
        self.buffer.clear()
        self._stopped = False
        self.port.plug()
        asyncio.get_running_loop().add_reader(self.port.master, self._receive)

    def unplug(self) -> None:
        if self.port.master is not None:
            asyncio.get_running_loop().remove_reader(self.port.master)
        self.port.unplug()
        self.buffer.clear()

    def paper_out(self) -> None:
        self.paper = False
        self.buffer.clear()
        self.port.write(b"PAPER_OUT\r\n")

    def load_paper(self) -> None:
        self.paper = True
        self._stopped = False
        self.port.write(bytes([XON]) + b"READY\r\n")

    def _receive(self) -> None:
        try:
            data = os.read(self.port.master, 4096)
        except (BlockingIOError, OSError):
            return
        if not self.paper:
            return  # a plotter without paper drops what it is sent
        self.buffer += data
        if len(self.buffer) > self.capacity:
            self.overflowed += len(self.buffer) - self.capacity
            del self.buffer[self.capacity :]
        if not self._stopped and len(self.buffer) >= self.capacity // 2:
            self._stopped = True
            self.xoff_sent += 1
            self.port.write(bytes([XOFF]))

    async def _work(self) -> None:
        step = 0.01
        while True:
            await asyncio.sleep(step)
            if not self.paper or self.port.master is None:
                continue
            budget = int(self.bytes_per_s * step)
            while budget > 0:
                end = self.buffer.find(b";")
                if end < 0:
                    break
                instr = bytes(self.buffer[: end + 1]).decode("ascii", "replace")
                del self.buffer[: end + 1]
                budget -= len(instr)
                if instr.startswith('CO"'):
                    seq = int(instr[3:-2])
                    self.acks.append(seq)
                    self.port.write(f"ACK {seq}\r\n".encode())
                else:
                    self.plotted.append(instr)
            if self._stopped and len(self.buffer) <= self.capacity // 4:
                self._stopped = False
                self.port.write(bytes([XON]))
