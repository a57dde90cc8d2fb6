"""Raw values in a bounded ring, and 1 s aggregates (min, max, mean, last) as events per station.

The ring keeps the latest raw values for the HMI's live trends and for diagnosis; when full it
forgets the oldest and counts them. Aggregates close a second once a value of a later second
arrives or `flush(now)` passes it, and become one `telemetry.aggregate` event per station and
second, which is what goes to the centre.
"""

from __future__ import annotations

import logging
import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from core.events import Event, EventType

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RawValue:
    station: str
    signal: str
    value: float
    at_s: float  # epoch seconds


class RawRing:
    """The latest `capacity` raw values; older ones are forgotten and counted."""

    def __init__(self, capacity: int = 100_000) -> None:
        self._ring: deque[RawValue] = deque(maxlen=capacity)
        self.capacity = capacity
        self.forgotten = 0

    def add(self, value: RawValue) -> None:
        if len(self._ring) == self.capacity:
            self.forgotten += 1
        self._ring.append(value)

    def __len__(self) -> int:
        return len(self._ring)

    def latest(self, station: str, signal: str, n: int = 100) -> list[RawValue]:
        out = []
        for v in reversed(self._ring):
            if v.station == station and v.signal == signal:
                out.append(v)
                if len(out) == n:
                    break
        return out[::-1]


@dataclass
class _Bucket:
    count: int = 0
    total: float = 0.0
    low: float = math.inf
    high: float = -math.inf
    last: float = 0.0

    def add(self, value: float) -> None:
        self.count += 1
        self.total += value
        self.low = min(self.low, value)
        self.high = max(self.high, value)
        self.last = value

    def to_dict(self) -> dict[str, float]:
        return {
            "min": self.low,
            "max": self.high,
            "mean": self.total / self.count,
            "last": self.last,
            "count": self.count,
        }


class SecondAggregator:
    """Per station, per whole second: min, max, mean, last of each numeric signal."""

    def __init__(
        self, line: str, emit: Callable[[Event], None], ring: RawRing | None = None
    ) -> None:
        self.line = line
        self._emit = emit
        self.ring = ring if ring is not None else RawRing()
        # station -> open second -> signal -> bucket: a value touches only its station's seconds.
        self._open: dict[str, dict[int, dict[str, _Bucket]]] = {}
        self._newest: dict[str, int] = {}
        self.late_values = 0

    def add(self, station: str, signal: str, value: float | int | bool, at_s: float) -> None:
        if isinstance(value, bool):
            value = float(value)
        if not isinstance(value, int | float):
            return
        value = float(value)
        self.ring.add(RawValue(station, signal, value, at_s))
        second = int(math.floor(at_s))
        seconds = self._open.get(station)
        if seconds is None:
            seconds = self._open[station] = {}
        newest = self._newest.get(station)
        if newest is not None and second < newest and second not in seconds:
            self.late_values += 1  # its second was already shipped
            return
        signals = seconds.get(second)
        if signals is None:
            signals = seconds[second] = {}
        bucket = signals.get(signal)
        if bucket is None:
            bucket = signals[signal] = _Bucket()
        bucket.add(value)
        if newest is None or second > newest:
            self._newest[station] = second
            self._close([(sec, station) for sec in seconds if sec < second])

    def on_sample(self, sample) -> None:  # noqa: ANN001 - an OPC-UA Sample
        self.add(sample.station, sample.signal, sample.value, sample.source_time.timestamp())

    def flush(self, now_s: float) -> None:
        """Close every second that ended before `now_s` (call about once a second)."""
        self._close(
            [
                (second, station)
                for station, seconds in self._open.items()
                for second in seconds
                if second + 1 <= now_s
            ]
        )

    def _close(self, keys: list[tuple[int, str]]) -> None:
        for second, station in sorted(keys):
            signals = self._open[station].pop(second)
            when = datetime.fromtimestamp(second, UTC)
            self._emit(
                Event(
                    line=self.line,
                    station=station,
                    type=EventType.TELEMETRY_AGGREGATE,
                    time=when,
                    payload={
                        "second": when.isoformat(),
                        "signals": {name: b.to_dict() for name, b in sorted(signals.items())},
                    },
                )
            )
