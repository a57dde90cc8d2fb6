"""Link state of one device connection, as the HMI shows it, and the backoff its loop uses.

Every device task (OPC-UA endpoint, serial port, camera) owns one `LinkStatus`, changes it only
through `LinkReporter`, which turns each transition into a `link.state` event.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from core.events import Event, EventType, utcnow

log = logging.getLogger(__name__)

CONNECTED = "connected"
RECONNECTING = "reconnecting"
DOWN = "down"


@dataclass
class LinkStatus:
    """What an operator needs to see about a link: state, since when, last value, counters."""

    name: str
    kind: str
    state: str = DOWN
    since: datetime = field(default_factory=utcnow)
    last_value_at: datetime | None = None
    last_error: str | None = None
    counters: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def count(self, counter: str, n: int = 1) -> None:
        self.counters[counter] = self.counters.get(counter, 0) + n

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "state": self.state,
            "since": self.since.isoformat(),
            "last_value_at": self.last_value_at.isoformat() if self.last_value_at else None,
            "last_error": self.last_error,
            "counters": dict(self.counters),
            "warnings": list(self.warnings),
        }


class LinkReporter:
    """Owns a `LinkStatus` and emits a `link.state` event on every state change."""

    def __init__(
        self,
        status: LinkStatus,
        line: str,
        emit: Callable[[Event], None],
        station: str | None = None,
    ) -> None:
        self.status = status
        self._line = line
        self._station = station
        self._emit = emit

    def set_state(self, state: str, error: str | None = None) -> None:
        if error is not None:
            self.status.last_error = error
        if state == self.status.state:
            return
        log.info("link %s: %s -> %s", self.status.name, self.status.state, state)
        self.status.state = state
        self.status.since = utcnow()
        self.announce()

    def announce(self) -> None:
        """Emit the status as it is now (also without a state change, e.g. a new warning)."""
        self._emit(
            Event(
                line=self._line,
                station=self._station,
                type=EventType.LINK_STATE,
                payload=self.status.to_dict(),
            )
        )


class Backoff:
    """Exponential backoff with a cap; a cap of a second or two keeps resume times short."""

    def __init__(self, first_s: float = 0.25, cap_s: float = 1.0) -> None:
        self.first_s = first_s
        self.cap_s = cap_s
        self._next = first_s

    def next_delay(self) -> float:
        delay = self._next
        self._next = min(self._next * 2, self.cap_s)
        return delay

    def reset(self) -> None:
        self._next = self.first_s
