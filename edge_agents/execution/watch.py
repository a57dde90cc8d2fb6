"""Facts from the line applied to the plan, and deviations found: late operations, stations down.

`ExecutionWatch.on_event` takes every event the agent emits (scans, machine counts, PackML
states, link states); `tick()` runs once a second for what only time reveals (an operation past
its planned end, a link down longer than `link_down_s`). It never waits on the centre.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from core.errors import InputError
from core.events import Event, EventType
from edge_agents.execution.state import OPEN, ExecutionState, OpRecord
from edge_agents.packml import PackMLState

log = logging.getLogger(__name__)

DOWN_STATES = {PackMLState.STOPPED, PackMLState.ABORTED}
RUNNING_STATES = {
    PackMLState.IDLE,
    PackMLState.STARTING,
    PackMLState.EXECUTE,
    PackMLState.UNHOLDING,
    PackMLState.RESETTING,
}


class ExecutionWatch:
    """Applies the line's facts to an `ExecutionState` and reports deviations as events."""

    def __init__(
        self,
        state: ExecutionState,
        link_stations: dict[str, list[str]] | None = None,
        link_down_s: float = 30.0,
    ) -> None:
        self.state = state
        self.link_stations = link_stations or {}
        self.link_down_s = link_down_s
        self._lost_since: dict[str, datetime] = {}

    def on_event(self, event: Event) -> None:
        """Take one event the agent emitted; bad or unplanned facts are logged, never raised."""
        try:
            self._apply(event)
        except InputError as exc:
            log.warning("line %s: %s", self.state.line, exc)

    def _apply(self, event: Event) -> None:
        station, payload = event.station, event.payload
        if event.type == EventType.BUNDLE_SCANNED and station and payload.get("bundle"):
            self.state.scan(station, str(payload["bundle"]))
        elif event.type == EventType.MACHINE_COUNT and station:
            self.state.count(station, str(payload.get("counter")), int(payload.get("delta", 0)))
        elif event.type == EventType.MACHINE_STATE and station:
            number = int(payload.get("state", 0))
            name = str(payload.get("state_name", number))
            if number in DOWN_STATES:
                self.station_down(station, f"machine {name}")
            elif number in RUNNING_STATES:
                self.station_up(station, f"machine {name}")
        elif event.type == EventType.LINK_STATE and payload.get("link") in self.link_stations:
            self._link(str(payload["link"]), str(payload.get("state")))

    def _link(self, link: str, state: str) -> None:
        if state == "connected":
            self._lost_since.pop(link, None)
            for station in self.link_stations[link]:
                if self.down_reason(station).startswith(f"link {link}"):
                    self.station_up(station, f"link {link} connected")
        else:
            self._lost_since.setdefault(link, self.state.clock())

    def tick(self) -> None:
        """Report operations past their planned end and links down longer than allowed."""
        now = self.state.clock()
        for link, since in self._lost_since.items():
            if now - since > timedelta(seconds=self.link_down_s):
                for station in self.link_stations[link]:
                    self.station_down(station, f"link {link} down since {since.isoformat()}")
        for op in self._late(now):
            self._report_late(op, now)

    # --- deviations ---------------------------------------------------------------------

    def _late(self, now: datetime) -> list[OpRecord]:
        return [
            op
            for op in self.state.records()
            if op.status in OPEN and not op.late_reported and op.end < now
        ]

    def _report_late(self, op: OpRecord, now: datetime) -> None:
        facts = op.facts() | {
            "status": op.status,
            "late_s": round((now - op.end).total_seconds(), 1),
        }
        event = self.state.event(EventType.OPERATION_LATE, op.station, facts)
        self.state.outbox.append_with(
            [event],
            [("UPDATE exec_ops SET late_reported = 1 WHERE bundle = ? AND operation = ?",
              (op.bundle, op.operation))],
        )  # fmt: skip

    def down_reason(self, station: str) -> str:
        rows = self.state.outbox.query(
            "SELECT reason FROM exec_stations WHERE station = ?", (station,)
        )
        return rows[0][0] if rows else ""

    def station_down(self, station: str, reason: str) -> None:
        """Mark a station down (once per outage) and ask the planner to replan its bundles."""
        if self.down_reason(station):
            return
        bundles = list(dict.fromkeys(op.bundle for op in self.state.queue(station)))
        now = self.state.clock()
        down = self.state.event(EventType.STATION_DOWN, station, {"reason": reason})
        replan = self.state.event(
            EventType.REPLAN_REQUESTED,
            station,
            {"station": station, "reason": reason, "bundles": bundles},
        )
        self.state.outbox.append_with(
            [down, replan],
            [("INSERT INTO exec_stations (station, down_since, reason) VALUES (?, ?, ?)",
              (station, now.isoformat(), reason))],
        )  # fmt: skip
        log.warning("line %s: station %s down (%s); replan asked for %d bundles",
                    self.state.line, station, reason, len(bundles))  # fmt: skip

    def station_up(self, station: str, reason: str) -> None:
        if not self.down_reason(station):
            return
        event = self.state.event(EventType.STATION_UP, station, {"reason": reason})
        self.state.outbox.append_with(
            [event], [("DELETE FROM exec_stations WHERE station = ?", (station,))]
        )
