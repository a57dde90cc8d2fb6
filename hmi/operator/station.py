"""What a station screen reads: the station, its machine state and counters, and its queue of
bundles from the published sewing plan, with each operation's progress from the operators'
events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import InputError
from core.events import EventType
from core.plans import published_plan
from core.schema import (
    EventRow,
    OperationRow,
    PlanAssignmentRow,
    ProductionOrderRow,
    RoutingRow,
    StationRow,
    TelemetryAggregateRow,
)

# PackML (ISA-TR88) state names by number, for stations that report the state only as telemetry.
PACKML = (
    "UNDEFINED CLEARING STOPPED STARTING IDLE SUSPENDED EXECUTE STOPPING ABORTING ABORTED "
    "HOLDING HELD UNHOLDING SUSPENDING UNSUSPENDING RESETTING COMPLETING COMPLETE"
).split()
OPERATION_EVENTS = (
    EventType.OPERATION_STARTED,
    EventType.OPERATION_PAUSED,
    EventType.OPERATION_FINISHED,
    EventType.OPERATION_SCRAPPED,
)
DONE = (EventType.OPERATION_FINISHED, EventType.OPERATION_SCRAPPED)
COUNTERS = ("good_count", "scrap_count", "cycle_count")


@dataclass(frozen=True)
class Station:
    id: str
    line: str
    name: str
    machine: str


@dataclass(frozen=True)
class MachineState:
    name: str  # PackML state name, or "unknown"
    since: datetime | None
    counters: dict[str, float]


@dataclass(frozen=True)
class Work:
    """One operation of one bundle planned at the station, and where it stands."""

    bundle: str
    order_id: str | None
    operation: str
    start: datetime
    end: datetime
    smv: float | None
    status: str  # queued | running | paused
    running_since: datetime | None  # last start, while running


def stations(session: Session) -> list[Station]:
    rows = session.scalars(select(StationRow).order_by(StationRow.line_id, StationRow.id))
    return [Station(r.id, r.line_id, r.name, r.machine) for r in rows]


def find_station(session: Session, station_id: str) -> Station:
    row = session.get(StationRow, station_id)
    if row is None:
        known = ", ".join(s.id for s in stations(session)) or "none"
        raise InputError(f"station {station_id!r} is not in the plant (known stations: {known})")
    return Station(row.id, row.line_id, row.name, row.machine)


def machine_state(session: Session, station: str) -> MachineState:
    """The newest of the machine.state event and the `state` telemetry; counters' last values."""
    event = session.scalar(
        select(EventRow)
        .where(EventRow.station == station, EventRow.type == EventType.MACHINE_STATE)
        .order_by(EventRow.time.desc())
        .limit(1)
    )
    T = TelemetryAggregateRow
    reading = session.scalar(
        select(T)
        .where(T.station == station, T.signal == "state")
        .order_by(T.second.desc())
        .limit(1)
    )
    name, since = "unknown", None
    if event is not None:
        name, since = str(event.payload.get("state_name", "unknown")), event.time
    if reading is not None and (since is None or reading.second > since):
        number = int(reading.last)
        name = PACKML[number] if 0 <= number < len(PACKML) else f"UNDEFINED({number})"
        since = reading.second
    counters = {}
    for signal in COUNTERS:
        last = session.scalar(
            select(T.last)
            .where(T.station == station, T.signal == signal)
            .order_by(T.second.desc())
            .limit(1)
        )
        if last is not None:
            counters[signal] = last
    return MachineState(name, since, counters)


def _smv(session: Session, order_ids: set[str]) -> dict[tuple[str, str], float]:
    """SMV per (order, operation code) from the orders' drafted routings."""
    if not order_ids:
        return {}
    rows = session.execute(
        select(ProductionOrderRow.order_id, OperationRow.code, OperationRow.smv)
        .join(RoutingRow, RoutingRow.production_order_id == ProductionOrderRow.id)
        .join(OperationRow, OperationRow.routing_id == RoutingRow.id)
        .where(ProductionOrderRow.order_id.in_(order_ids))
    )
    return {(o, c): smv for o, c, smv in rows}


def _progress(session: Session, station: str) -> dict[tuple[str, str], tuple[str, datetime]]:
    """The last operator event per (bundle, operation) at the station: (type, time)."""
    rows = session.scalars(
        select(EventRow)
        .where(EventRow.station == station, EventRow.type.in_(OPERATION_EVENTS))
        .order_by(EventRow.time, EventRow.received_at)
    )
    last: dict[tuple[str, str], tuple[str, datetime]] = {}
    for r in rows:
        key = (str(r.payload.get("bundle")), str(r.payload.get("operation")))
        last[key] = (r.type, r.time)
    return last


def station_queue(session: Session, station: Station) -> list[Work]:
    """The station's planned operations not yet finished or scrapped, running ones first."""
    plan = published_plan(session, f"sewing:{station.line}")
    if plan is None:
        return []
    rows = session.scalars(
        select(PlanAssignmentRow)
        .where(PlanAssignmentRow.plan_id == plan.id, PlanAssignmentRow.station_id == station.id)
        .order_by(PlanAssignmentRow.start, PlanAssignmentRow.id)
    ).all()
    smv = _smv(session, {r.order_id for r in rows if r.order_id})
    progress = _progress(session, station.id)
    queue = []
    for r in rows:
        kind, when = progress.get((r.bundle, r.operation_code), (None, None))
        if kind in DONE:
            continue
        status = {
            EventType.OPERATION_STARTED: "running",
            EventType.OPERATION_PAUSED: "paused",
        }.get(kind or "", "queued")
        queue.append(
            Work(
                bundle=r.bundle,
                order_id=r.order_id,
                operation=r.operation_code,
                start=r.start,
                end=r.end,
                smv=smv.get((r.order_id or "", r.operation_code)),
                status=status,
                running_since=when if status == "running" else None,
            )
        )
    # Work already begun stays current, whatever the plan's order says.
    return sorted(queue, key=lambda w: w.status == "queued")
