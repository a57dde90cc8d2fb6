"""Bundle-ticket scanner frames: `STX <ticket> * <XOR checksum, 2 hex> CR LF`.

The parser takes bytes as they come (any split, any noise) and yields whole good frames or a
rejection with its reason; it never raises on what the line delivers, and resynchronises on the
next STX.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

STX = 0x02
CR = 0x0D
LF = 0x0A
MAX_FRAME = 64
TICKET = re.compile(r"^[A-Z0-9][A-Z0-9-]{2,31}$")


def checksum(body: bytes) -> int:
    value = 0
    for byte in body:
        value ^= byte
    return value


def encode_frame(ticket: str) -> bytes:
    """The bytes a scanner sends for `ticket`."""
    body = ticket.encode("ascii")
    return bytes([STX]) + body + b"*" + f"{checksum(body):02X}".encode() + b"\r\n"


@dataclass(frozen=True)
class Scan:
    ticket: str


@dataclass(frozen=True)
class Rejected:
    reason: str
    raw: bytes


class FrameParser:
    """Incremental parser; `feed(data)` returns the scans and rejections completed by `data`."""

    def __init__(self) -> None:
        self._frame: bytearray | None = None
        self.noise_bytes = 0

    def feed(self, data: bytes) -> list[Scan | Rejected]:
        out: list[Scan | Rejected] = []
        for byte in data:
            if self._frame is None:
                if byte == STX:
                    self._frame = bytearray()
                else:
                    self.noise_bytes += 1
                continue
            if byte == STX:
                out.append(Rejected("frame cut short by a new STX", bytes(self._frame)))
                self._frame = bytearray()
            elif byte == LF:
                out.append(self._finish(bytes(self._frame)))
                self._frame = None
            else:
                self._frame.append(byte)
                if len(self._frame) > MAX_FRAME:
                    out.append(Rejected(f"frame longer than {MAX_FRAME} bytes", bytes(self._frame)))
                    self._frame = None
        return out

    def reset(self) -> Rejected | None:
        """Drop a partial frame (the port went away); returns it as a rejection if there was one."""
        frame, self._frame = self._frame, None
        if frame:
            return Rejected("partial frame when the port closed", bytes(frame))
        return None

    @staticmethod
    def _finish(frame: bytes) -> Scan | Rejected:
        if frame.endswith(b"\r"):
            frame = frame[:-1]
        body, star, check = frame.rpartition(b"*")
        if not star:
            return Rejected("no checksum separator '*'", frame)
        if len(check) != 2 or any(c not in b"0123456789ABCDEFabcdef" for c in check):
            return Rejected("checksum is not two hex digits", frame)
        if int(check, 16) != checksum(body):
            return Rejected(f"checksum {check.decode()} != {checksum(body):02X}", frame)
        try:
            ticket = body.decode("ascii")
        except UnicodeDecodeError:
            return Rejected("ticket is not ASCII", frame)
        if not TICKET.match(ticket):
            return Rejected(
                f"ticket {ticket!r} is not a bundle ticket (A-Z, 0-9, '-', 3-32)", frame
            )
        return Scan(ticket)


class Debouncer:
    """Drops a repeat of a ticket within `window_s` (a double scan); the clock is injected."""

    def __init__(self, window_s: float = 1.5) -> None:
        self.window_s = window_s
        self._last: dict[str, float] = {}

    def accept(self, ticket: str, now: float) -> bool:
        last = self._last.get(ticket)
        self._last[ticket] = now
        if len(self._last) > 1024:  # bounded: forget tickets seen long ago
            cutoff = now - self.window_s
            self._last = {t: at for t, at in self._last.items() if at >= cutoff}
        return last is None or now - last > self.window_s
