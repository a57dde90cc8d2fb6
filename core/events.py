"""Events: every fact on the floor, with a globally unique id so ingest can be idempotent."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


class EventType:
    """Event type names, dotted by subject. New kinds add a constant here."""

    AGENT_STARTED = "agent.started"
    AGENT_STOPPED = "agent.stopped"
    AGENT_HEARTBEAT = "agent.heartbeat"
    LINK_STATE = "link.state"  # a device link went up, down or is reconnecting
    PLAN_RECEIVED = "plan.received"
    OPERATION_STARTED = "operation.started"
    OPERATION_PAUSED = "operation.paused"
    OPERATION_FINISHED = "operation.finished"
    OPERATION_SCRAPPED = "operation.scrapped"
    BUNDLE_SCANNED = "bundle.scanned"
    MACHINE_STATE = "machine.state"  # PackML state change
    TELEMETRY_AGGREGATE = "telemetry.aggregate"
    ALARM_RAISED = "alarm.raised"
    ALARM_CHANGED = "alarm.changed"
    ANDON_CALLED = "andon.called"
    DEFECT_FLAGGED = "defect.flagged"
    REPLAN_REQUESTED = "replan.requested"
    MACHINE_COUNT = "machine.count"  # good or scrap counter moved
    MACHINE_THREAD_BREAK = "machine.thread_break"  # thread-break flag set or cleared
    PLOT_PROGRESS = "plot.progress"  # a marker's HPGL is being sent to the plotter/cutter
    PLOT_FINISHED = "plot.finished"
    ALARM_FLOOD = "alarm.flood"  # a flood of alarms ended; how many were held back
    OPERATION_LATE = "operation.late"  # an operation not finished by its planned end
    STATION_DOWN = "station.down"  # PackML Stopped/Aborted, or its link down too long
    STATION_UP = "station.up"  # a down station runs again
    SCAN_UNPLANNED = "scan.unplanned"  # a bundle scanned where the plan has nothing for it
    OUTBOX_THINNED = "outbox.thinned"  # the outbox reached its bound; telemetry was dropped
    MODEL_LOADED = "model.loaded"  # a camera runs a (new) inspection model version
    MODEL_ROLLBACK = "model.rollback"  # a new model failed; the camera went back to the last one
    COMMAND_REFUSED = "command.refused"  # an operator's HMI action the line could not apply


def new_event_id() -> str:
    return uuid.uuid4().hex


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Event:
    """One fact from a line. `id` is unique across the plant; `time` is UTC."""

    line: str
    type: str
    payload: dict[str, Any] = field(default_factory=dict)
    station: str | None = None
    time: datetime = field(default_factory=utcnow)
    id: str = field(default_factory=new_event_id)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "line": self.line,
            "station": self.station,
            "type": self.type,
            "time": self.time.isoformat(),
            "payload": self.payload,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Event:
        return cls(
            id=str(data["id"]),
            line=str(data["line"]),
            station=data.get("station"),
            type=str(data["type"]),
            time=datetime.fromisoformat(data["time"]),
            payload=dict(data.get("payload") or {}),
        )
