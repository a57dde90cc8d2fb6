"""One serial port as a supervised asyncio task: open (retrying), read and write by the event loop.

A port that vanishes (unplugged USB adapter, closed pty) ends the session with an OSError; the
loop marks the link reconnecting and reopens the same path with backoff until it returns. Ports
are opened exclusively so two agents cannot share one device.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable

import serial

from core.events import Event
from edge_agents.link import CONNECTED, DOWN, RECONNECTING, Backoff, LinkReporter, LinkStatus

log = logging.getLogger(__name__)


class SerialLink:
    """Base of the serial device links; subclasses implement `session(port)`."""

    kind = "serial"

    def __init__(
        self,
        name: str,
        port: str,
        baudrate: int,
        line: str,
        emit: Callable[[Event], None],
        station: str | None = None,
        reconnect_cap_s: float = 1.0,
    ) -> None:
        self.name = name
        self.port = port
        self.baudrate = baudrate
        self.line = line
        self.station = station
        self._emit = emit
        self._reconnect_cap_s = reconnect_cap_s
        self.status = LinkStatus(name=f"{self.kind} {name}", kind=self.kind)
        self.reporter = LinkReporter(self.status, line, emit, station)

    async def run(self) -> None:
        backoff = Backoff(0.1, self._reconnect_cap_s)
        try:
            while True:
                try:
                    port = serial.Serial(
                        self.port, self.baudrate, timeout=0, write_timeout=0, exclusive=True
                    )
                except (serial.SerialException, OSError, ValueError) as exc:
                    self.status.count("open_failures")
                    self.reporter.set_state(RECONNECTING, error=str(exc))
                    await asyncio.sleep(backoff.next_delay())
                    continue
                self.reporter.set_state(CONNECTED)
                backoff.reset()
                try:
                    await self.session(port)
                except (serial.SerialException, OSError) as exc:
                    self.status.count("disconnects")
                    log.warning("serial %s on %s lost: %s", self.name, self.port, exc)
                    self.reporter.set_state(RECONNECTING, error=str(exc))
                finally:
                    self.on_closed()
                    port.close()
                await asyncio.sleep(backoff.next_delay())
        finally:
            self.reporter.set_state(DOWN)

    async def session(self, port: serial.Serial) -> None:
        raise NotImplementedError

    def on_closed(self) -> None:
        """Called when a session ends, before the port closes."""

    def emit(self, event_type: str, payload: dict) -> None:
        self._emit(Event(line=self.line, station=self.station, type=event_type, payload=payload))


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


async def read_some(port: serial.Serial) -> bytes:
    """Wait until the port has bytes and return them; raises OSError when the port went away."""
    loop = asyncio.get_running_loop()
    fd = port.fileno()
    ready: asyncio.Future[None] = loop.create_future()
    loop.add_reader(fd, _resolve, ready)
    try:
        await ready
    finally:
        loop.remove_reader(fd)
    data = port.read(max(port.in_waiting, 1))
    if not data:
        raise OSError("serial port readable but returned no data (device gone)")
    return data


async def write_all(port: serial.Serial, data: bytes) -> None:
    """Write `data` completely without blocking the event loop."""
    loop = asyncio.get_running_loop()
    fd = port.fileno()
    view = memoryview(data)
    while view:
        try:
            written = os.write(fd, view)
        except BlockingIOError:
            writable: asyncio.Future[None] = loop.create_future()
            loop.add_writer(fd, _resolve, writable)
            try:
                await writable
            finally:
                loop.remove_writer(fd)
            continue
        view = view[written:]
