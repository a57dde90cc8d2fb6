"""The outbox's size bound: a high-water alarm before it, telemetry thinned at it.

While the centre is gone the outbox grows. At `high_water` of `max_events` the guard raises a
high-priority `alarm.raised` (key `outbox.high_water`) and sets the outbox's link state to
`high_water`; below `low_water` the alarm clears. At the bound the oldest unshipped events of
the thinnable kinds (1 s telemetry aggregates, heartbeats) are deleted, down to `thin_to`, and
one `outbox.thinned` event says how many of each went. Operator, machine and plan facts are never
dropped: when nothing thinnable is left the outbox grows past its bound, the link state is
`full` and a critical alarm says so.
"""

from __future__ import annotations

import logging

from pydantic import BaseModel, Field, model_validator

from core.events import Event, EventType
from edge_agents.outbox import Outbox

log = logging.getLogger(__name__)

LINK = "outbox"


class OutboxLimits(BaseModel):
    """How large a line's outbox may grow while the centre is unreachable."""

    max_events: int = Field(
        2_000_000, gt=0, description="Unshipped events at which telemetry is thinned."
    )
    high_water: float = Field(
        0.8, gt=0, lt=1, description="Fraction of max_events that raises the high-water alarm."
    )
    low_water: float = Field(
        0.7, gt=0, lt=1, description="Fraction of max_events below which the alarm clears."
    )
    thin_to: float = Field(
        0.95, gt=0, le=1, description="Fraction of max_events that thinning brings depth to."
    )
    thinnable: tuple[str, ...] = Field(
        (EventType.TELEMETRY_AGGREGATE, EventType.AGENT_HEARTBEAT),
        description="Event types that may be dropped at the bound, oldest first.",
    )
    check_every: int = Field(
        500, gt=0, description="Appends between two depth checks (besides the 1 s check)."
    )

    @model_validator(mode="after")
    def _order(self) -> OutboxLimits:
        if not self.low_water < self.high_water <= self.thin_to:
            raise ValueError("need low_water < high_water <= thin_to")
        return self


class OutboxGuard:
    """Keeps one outbox within its limits; `after_append` from emit, `check` once a second."""

    def __init__(self, outbox: Outbox, line: str, limits: OutboxLimits | None = None) -> None:
        self.outbox = outbox
        self.line = line
        self.limits = limits or OutboxLimits()
        self.state = "ok"
        self.thinned: dict[str, int] = {}
        self._since_check = 0
        self._alarms: set[str] = set()

    def after_append(self, count: int = 1) -> None:
        self._since_check += count
        if self._since_check >= self.limits.check_every:
            self.check()

    def check(self) -> str:
        """Measure the depth, thin at the bound, raise or clear alarms; returns the state."""
        self._since_check = 0
        lim = self.limits
        depth = self.outbox.depth()
        if depth >= lim.max_events:
            target = int(lim.max_events * lim.thin_to)
            dropped = self.outbox.drop_oldest_unshipped(lim.thinnable, depth - target)
            if dropped:
                for kind, n in dropped.items():
                    self.thinned[kind] = self.thinned.get(kind, 0) + n
                depth -= sum(dropped.values())
                self._append(EventType.OUTBOX_THINNED, {"dropped": dropped, "depth": depth})
                log.warning("line %s outbox at its bound: dropped %s", self.line, dropped)
        if depth >= lim.max_events:
            state = "full"
        elif depth >= lim.max_events * lim.high_water:
            state = "high_water"
        elif depth < lim.max_events * lim.low_water:
            state = "ok"
        else:
            state = self.state if self.state != "full" else "high_water"
        self._alarm("outbox.high_water", "high", state in ("high_water", "full"), depth)
        self._alarm("outbox.full", "critical", state == "full", depth)
        if state != self.state:
            self.state = state
            self.outbox.set_link(LINK, state, f"{depth} of {lim.max_events} events unshipped")
        return state

    def _alarm(self, key: str, priority: str, active: bool, depth: int) -> None:
        if active == (key in self._alarms):
            return
        lim = self.limits
        payload = {
            "key": key,
            "station": None,
            "priority": priority,
            "active": active,
            "value": depth,
            "message": (
                f"outbox holds {depth} unshipped events (bound {lim.max_events}); "
                + ("facts kept beyond the bound" if key == "outbox.full" else "centre unreachable?")
            ),
        }
        if active:
            self._alarms.add(key)
            self._append(EventType.ALARM_RAISED, payload | {"state": "unacknowledged"})
        else:
            self._alarms.discard(key)
            self._append(EventType.ALARM_CHANGED, payload | {"state": "normal", "change": "clear"})

    def _append(self, kind: str, payload: dict) -> None:
        self.outbox.append([Event(line=self.line, type=kind, payload=payload)])
