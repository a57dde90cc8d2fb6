"""The line agent's own view of a station: the execution events that came back from the line
(what its agent started, paused, finished, scrapped or refused, and why), and how many of the
operators' actions still wait to reach it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.commands import undelivered_count
from core.events import EventType
from core.schema import EventRow

LINE_EVENTS = (
    EventType.OPERATION_STARTED,
    EventType.OPERATION_PAUSED,
    EventType.OPERATION_FINISHED,
    EventType.OPERATION_SCRAPPED,
    EventType.OPERATION_LATE,
    EventType.SCAN_UNPLANNED,
    EventType.COMMAND_REFUSED,
)
ABNORMAL = (EventType.COMMAND_REFUSED, EventType.SCAN_UNPLANNED, EventType.OPERATION_LATE)


@dataclass(frozen=True)
class LineFact:
    """One execution event of the station as the line's agent reported it."""

    time: datetime
    type: str
    bundle: str
    operation: str
    source: str  # hmi, scan, machine, ... (who made the agent act)
    user: str
    detail: str  # why a command was refused, how late, ...

    @property
    def abnormal(self) -> bool:
        return self.type in ABNORMAL


@dataclass(frozen=True)
class LineView:
    facts: list[LineFact]  # newest first
    waiting: int  # operators' actions not yet delivered to the line


def _detail(kind: str, payload: dict) -> str:
    if kind == EventType.COMMAND_REFUSED:
        return str(payload.get("reason", ""))
    if kind == EventType.OPERATION_LATE:
        return f"late {payload.get('late_s', '?')} s ({payload.get('status', '')})"
    if kind == EventType.OPERATION_FINISHED:
        confirmed = "confirmed" if payload.get("confirmed") else "not confirmed"
        return f"machine good {payload.get('machine_good', 0)}, {confirmed} by the machine"
    if kind == EventType.SCAN_UNPLANNED:
        return "not planned at this station"
    return ""


def line_view(session: Session, station: str, limit: int = 8) -> LineView:
    """The station's newest execution events from the line's agent (its events carry the plan
    they executed, `plan_id`; the HMI's own records of actions do not)."""
    rows = session.scalars(
        select(EventRow)
        .where(EventRow.station == station, EventRow.type.in_(LINE_EVENTS))
        .order_by(EventRow.time.desc())
        .limit(limit * 4)
    )
    facts = []
    for r in rows:
        payload = dict(r.payload or {})
        if "plan_id" not in payload:
            continue
        facts.append(
            LineFact(
                time=r.time,
                type=r.type,
                # A refused alarm action names the alarm where an operation names its bundle.
                bundle=str(payload.get("bundle") or payload.get("alarm") or ""),
                operation=str(payload.get("operation") or ""),
                source=str(payload.get("source") or ""),
                user=str(payload.get("user") or ""),
                detail=_detail(r.type, payload),
            )
        )
        if len(facts) == limit:
            break
    return LineView(facts, undelivered_count(session, station))
