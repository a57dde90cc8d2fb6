"""Each line's progress against its published sewing plan: per station, how much of the plan is
done, running, and behind (planned to be finished by now but not finished).

Progress is read from the operation events at the line's stations (the operators' HMI actions
and the line agent's own execution events, whichever came last per bundle and operation), as the
operator page does, so a replan (a new plan version) keeps what was done.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.events import EventType
from core.plans import published_plan
from core.schema import EventRow, PlanAssignmentRow, PlanRow, StationRow
from hmi.operator.station import DONE, OPERATION_EVENTS


@dataclass(frozen=True)
class StationProgress:
    station: str
    planned: int  # operations of the published plan at the station
    due_by_now: int  # of those, planned to be finished by now
    done: int  # finished or scrapped
    running: int  # started (or paused) and not finished
    behind: int  # due by now and not done

    @property
    def done_pct(self) -> float:
        return 100.0 * self.done / self.planned if self.planned else 0.0

    @property
    def due_pct(self) -> float:
        return 100.0 * self.due_by_now / self.planned if self.planned else 0.0


@dataclass(frozen=True)
class BehindOperation:
    station: str
    bundle: str
    order_id: str | None
    operation: str
    planned_end: datetime
    status: str  # queued | running | paused
    minutes_behind: float


@dataclass(frozen=True)
class LineProgress:
    line: str
    plan_id: int
    plan_version: int
    stations: list[StationProgress]
    behind: list[BehindOperation]  # most behind first

    @property
    def planned(self) -> int:
        return sum(s.planned for s in self.stations)

    @property
    def done(self) -> int:
        return sum(s.done for s in self.stations)

    @property
    def due_by_now(self) -> int:
        return sum(s.due_by_now for s in self.stations)


def _last_events(session: Session, stations: list[str]) -> dict[tuple[str, str, str], str]:
    """The last operation event type per (station, bundle, operation)."""
    if not stations:
        return {}
    rows = session.execute(
        select(EventRow.station, EventRow.type, EventRow.payload)
        .where(EventRow.station.in_(stations), EventRow.type.in_(OPERATION_EVENTS))
        .order_by(EventRow.time, EventRow.received_at)
    )
    last: dict[tuple[str, str, str], str] = {}
    for station, kind, payload in rows:
        key = (str(station), str(payload.get("bundle")), str(payload.get("operation")))
        last[key] = str(kind)
    return last


def line_progress(session: Session, line: str, now: datetime) -> LineProgress | None:
    """The line's published sewing plan and where it stands at `now`; None without one."""
    plan: PlanRow | None = published_plan(session, f"sewing:{line}")
    if plan is None:
        return None
    rows = session.scalars(
        select(PlanAssignmentRow)
        .where(PlanAssignmentRow.plan_id == plan.id)
        .order_by(PlanAssignmentRow.station_id, PlanAssignmentRow.start, PlanAssignmentRow.id)
    ).all()
    stations = sorted({r.station_id for r in rows})
    last = _last_events(session, stations)
    counts: dict[str, list[int]] = {s: [0, 0, 0, 0, 0] for s in stations}
    behind: list[BehindOperation] = []
    for r in rows:
        kind = last.get((r.station_id, r.bundle, r.operation_code))
        done = kind in DONE
        running = kind in (EventType.OPERATION_STARTED, EventType.OPERATION_PAUSED)
        due = r.end <= now
        c = counts[r.station_id]
        c[0] += 1
        c[1] += due
        c[2] += done
        c[3] += running
        if due and not done:
            c[4] += 1
            status = (
                "paused"
                if kind == EventType.OPERATION_PAUSED
                else "running"
                if running
                else "queued"
            )
            behind.append(
                BehindOperation(
                    station=r.station_id,
                    bundle=r.bundle,
                    order_id=r.order_id,
                    operation=r.operation_code,
                    planned_end=r.end,
                    status=status,
                    minutes_behind=(now - r.end).total_seconds() / 60.0,
                )
            )
    return LineProgress(
        line=line,
        plan_id=plan.id,
        plan_version=plan.version,
        stations=[StationProgress(s, *counts[s]) for s in stations],
        behind=sorted(behind, key=lambda b: (-b.minutes_behind, b.station, b.bundle)),
    )


def lines_progress(session: Session, now: datetime) -> list[LineProgress]:
    """Every line of the plant that has a published sewing plan."""
    lines = sorted(set(session.scalars(select(StationRow.line_id))))
    found = (line_progress(session, line, now) for line in lines)
    return [p for p in found if p is not None]
