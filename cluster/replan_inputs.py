"""Inputs of a replan rebuilt from the store, and the KPIs compared before and after: the stored
assignments as the previous schedule, earlier outages applied again, the rush order's markers."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from core.errors import InputError
from core.schema import PlanAssignmentRow

log = logging.getLogger(__name__)


def aware(moment: datetime) -> datetime:
    """SQLite hands datetimes back naive; the store writes UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def minute(moment: datetime, origin: datetime) -> int:
    return int((aware(moment) - origin).total_seconds() // 60)


def sewing_kpis(problem: Any, schedule: Any) -> dict[str, Any]:
    """The KPIs a planner compares before and after, computed the same way for both."""
    from scheduler.feasibility import station_windows

    busy: dict[str, int] = {}
    for s in schedule.operations:
        busy[s.station_id] = busy.get(s.station_id, 0) + s.end - s.start
    utilisation = {}
    for station in problem.stations:
        available = sum(
            max(0, min(e, schedule.makespan) - b) for b, e in station_windows(station, problem)
        )
        utilisation[station.station_id] = (
            round(busy.get(station.station_id, 0) / available, 4) if available else 0.0
        )
    late = {o: t for o, t in sorted(schedule.tardiness.items()) if t > 0}
    return {
        "operations": len(schedule.operations),
        "makespan_min": schedule.makespan,
        "late_orders": len(late),
        "late_minutes": sum(late.values()),
        "orders_late_min": late,
        "station_utilisation": utilisation,
    }


def previous_schedule(problem: Any, assignments: list[PlanAssignmentRow], origin: datetime):
    """The stored assignments as the scheduler's previous Schedule (tardiness recomputed)."""
    from scheduler.model import Schedule, ScheduledOperation

    known = {op.op_id for op in problem.operations}
    placed = []
    for a in assignments:
        op_id = f"{a.order_id}:{a.operation_code}"
        if op_id not in known:
            raise InputError(
                f"the stored plan assigns {op_id}, which the orders' drafts no longer have; "
                "plan the orders again instead of replanning"
            )
        placed.append(
            ScheduledOperation(
                op_id,
                a.order_id or "",
                a.station_id,
                minute(a.start, origin),
                minute(a.end, origin),
            )
        )
    makespan = max((s.end for s in placed), default=0)
    finish: dict[str, int] = {}
    for s in placed:
        finish[s.order_id] = max(finish.get(s.order_id, 0), s.end)
    tardiness = {o.order_id: max(0, finish.get(o.order_id, 0) - o.due) for o in problem.orders}
    return Schedule(tuple(placed), makespan, 0, tardiness, True, 0, 0)


def with_outages(problem: Any, outages: list[dict[str, Any]]) -> Any:
    """Outages recorded by earlier replans, applied again to the stations' calendars."""
    from scheduler.replan import cut_calendar

    stations = {s.station_id: s for s in problem.stations}
    for outage in outages:
        station = stations[outage["station"]]
        calendar = cut_calendar(
            station.calendar or problem.calendar, outage["since"], outage.get("until")
        )
        stations[station.station_id] = replace(station, calendar=calendar)
    return replace(problem, stations=tuple(stations.values()))


def rush_markers(draft: dict[str, Any], order_id: str, time_limit: float, report) -> list[Any]:
    """The rush order's own markers (cut planning and nesting of its garment alone)."""
    from scheduler.cut_planning import marker_pieces, plan_cuts
    from scheduler.from_drafts import fabric_of, garment_of
    from scheduler.nesting import make_marker

    garment, fabric = garment_of(draft), fabric_of(draft)
    cut = plan_cuts([garment], {fabric.code: fabric}, time_limit=time_limit)
    markers = []
    for index, lay in enumerate(cut.lays, start=1):
        name = f"{order_id}-M{index}"
        report("nest", f"rush marker {name} ({index}/{len(cut.lays)})")
        marker = make_marker(
            name, marker_pieces(lay, {garment.garment_id: garment}), fabric, time_limit=time_limit
        )
        markers.append((marker, lay.plies))
    return markers
