"""Bundle-ticket scanner link: frames in, `bundle.scanned` events out; bad frames counted."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import serial

from core.events import Event, EventType, utcnow
from edge_agents.serial.frames import Debouncer, FrameParser, Rejected, Scan
from edge_agents.serial.port import SerialLink, read_some

log = logging.getLogger(__name__)


class ScannerLink(SerialLink):
    kind = "bundle_scanner"

    def __init__(
        self,
        name: str,
        port: str,
        baudrate: int,
        line: str,
        emit: Callable[[Event], None],
        station: str | None = None,
        debounce_s: float = 1.5,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(name, port, baudrate, line, emit, station)
        self._parser = FrameParser()
        self._debounce = Debouncer(debounce_s)
        self._clock = clock
        for counter in ("scans", "bad_frames", "double_scans", "noise_bytes"):
            self.status.counters[counter] = 0

    async def session(self, port: serial.Serial) -> None:
        while True:
            self.handle(await read_some(port))

    def handle(self, data: bytes) -> None:
        """Parse bytes from the scanner and emit what they complete."""
        for item in self._parser.feed(data):
            if isinstance(item, Rejected):
                self._reject(item)
            elif isinstance(item, Scan):
                self._scan(item.ticket)
        self.status.counters["noise_bytes"] = self._parser.noise_bytes

    def on_closed(self) -> None:
        partial = self._parser.reset()
        if partial is not None:
            self._reject(partial)

    def _reject(self, item: Rejected) -> None:
        self.status.count("bad_frames")
        log.warning("scanner %s: bad frame (%s): %r", self.name, item.reason, item.raw[:40])

    def _scan(self, ticket: str) -> None:
        if not self._debounce.accept(ticket, self._clock()):
            self.status.count("double_scans")
            log.info("scanner %s: double scan of %s ignored", self.name, ticket)
            return
        self.status.count("scans")
        self.status.last_value_at = utcnow()
        self.emit(EventType.BUNDLE_SCANNED, {"bundle": ticket, "scanner": self.name})
