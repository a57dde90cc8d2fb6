"""Replanning a stored plan version: a rush order inserted or a station down for a while.

The version's sewing problem is rebuilt from the store (its orders re-drafted, drafting is
deterministic; outages of earlier replans applied again), its assignments become the previous
schedule, `scheduler.replan` re-solves what has not started, and the result is stored as the
next draft version with what moved and why. The HMI calls `replan_for_hmi` (cluster.planning).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, selectinload

from cluster.planning import PLANNABLE
from cluster.replan_inputs import (
    aware,
    minute,
    previous_schedule,
    rush_markers,
    sewing_kpis,
    with_outages,
)
from core.config.models import FactoryConfig
from core.db import transaction
from core.errors import InputError
from core.orders import CustomOrder, OrderStatus, Priority
from core.schema import OrderRow, PlanAssignmentRow, PlanMarkerRow, PlanRow
from core.states import PlanStatus

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RushRequest:
    """Insert an imported order, optionally with a new due date and priority."""

    order_id: str
    due_date: date | None = None
    priority: str | None = None


@dataclass(frozen=True)
class DownRequest:
    """A station is down from `since` (aware) for `minutes` (None: until further notice)."""

    station_id: str
    since: datetime
    minutes: int | None = None

    def __post_init__(self) -> None:
        if self.minutes is not None and self.minutes < 1:
            raise InputError(
                f"station {self.station_id} down for {self.minutes} minutes: give at least 1 "
                "minute, or none for until further notice"
            )
        if self.since.tzinfo is None:
            raise InputError(
                f"station {self.station_id} down since {self.since}: the time needs a time zone"
            )


Request = RushRequest | DownRequest


@dataclass(frozen=True)
class ReplanOutcome:
    """The stored draft: its version and plan ids, KPIs before and after, what moved and why."""

    version: int
    plan_ids: list[int]
    from_version: int
    before: dict[str, Any]
    after: dict[str, Any]
    moved: int
    added: int
    changes: list[dict[str, Any]]
    explanation: list[str]
    seconds: float


def _base_rows(session: Session, version: int, names: tuple[str, ...]) -> dict[str, PlanRow]:
    from cluster.plan_versions import version_rows

    rows = {r.kind: r for r in version_rows(session, names, version)}
    if "sewing" not in rows:
        raise InputError(f"there is no sewing plan version {version} to replan")
    stale = [r.family for r in rows.values() if r.status == PlanStatus.SUPERSEDED.value]
    if stale:
        raise InputError(
            f"plan version {version} is superseded ({', '.join(stale)}); replan a draft or the "
            "published version"
        )
    return rows


def _orders(session: Session, order_ids: list[str]) -> dict[str, CustomOrder]:
    from core.importer import order_from_row

    rows = session.scalars(
        select(OrderRow)
        .where(OrderRow.order_id.in_(order_ids))
        .options(selectinload(OrderRow.customer))
    )
    return {r.order_id: order_from_row(r) for r in rows}


def _why(
    change: Any,
    predecessors: tuple[str, ...],
    changed: set[str],
    restarts: set[str],
    request: Request,
) -> str:
    """Why one operation moved, in the planner's words."""
    if change.before is None:
        return f"new: rush order {request.order_id}" if isinstance(request, RushRequest) else "new"
    station = change.before[0]
    if change.op_id in restarts:
        return f"restarts: unfinished when {station} went down"
    if isinstance(request, DownRequest) and station == request.station_id:
        return f"{station} is down"
    if any(p in changed for p in predecessors):
        return "follows a moved operation"
    if isinstance(request, RushRequest):
        return f"makes room for rush order {request.order_id}"
    return f"makes room for work moved off {request.station_id}"


def _rush_order(
    session: Session, request: RushRequest, planned: list[str]
) -> tuple[CustomOrder, dict[str, Any]]:
    """The order to insert with its overrides, and its row's due date and priority before."""
    row = session.get(OrderRow, request.order_id)
    if row is None:
        raise InputError(f"rush order {request.order_id!r} is not in the store; import it first")
    if request.order_id in planned:
        raise InputError(f"rush order {request.order_id} is already in this plan")
    if row.status not in PLANNABLE:
        raise InputError(
            f"rush order {request.order_id} is {row.status}; only received or drafted orders "
            "can be inserted"
        )
    order = _orders(session, [request.order_id])[request.order_id]
    update: dict[str, Any] = {}
    if request.due_date is not None:
        update["due_date"] = request.due_date
    if request.priority is not None:
        try:
            update["priority"] = Priority(request.priority)
        except ValueError:
            known = ", ".join(p.value for p in Priority)
            raise InputError(
                f"rush order {request.order_id}: priority {request.priority!r} is not one of "
                f"{known}"
            ) from None
    before = {"due_date": row.due_date.isoformat(), "priority": row.priority}
    return order.model_copy(update=update), before


def replan_version(
    engine: Engine,
    factory: FactoryConfig,
    version: int,
    request: Request,
    *,
    settings: Any = None,
    now: datetime | None = None,
    on_progress: Any = None,
    time_limit_s: float = 5.0,
    actor: str | None = None,
) -> ReplanOutcome:
    """Replan `version` for `request` and store the next draft version (with a `plan.replan`
    audit row by `actor` in the same transaction). InputError or PlanInfeasible (with reasons):
    nothing is stored."""
    from cluster.plan_versions import _cutting_tables, _next_version, _placement, _tables, families
    from cluster.planning import PlanningSettings, condense
    from core.audit import record
    from design_bridge import draft_order
    from scheduler.feasibility import PlanInfeasible, late_warnings
    from scheduler.from_drafts import bundle_operations, due_minute, planning_inputs
    from scheduler.model import SewingOrder
    from scheduler.replan import RushOrder, StationDown, replan

    settings = settings or PlanningSettings.model_validate({})
    t0 = time.monotonic()

    def report(stage: str, message: str) -> None:
        log.info("%s: %s", stage, message)
        if on_progress is not None:
            on_progress(stage, message)

    names = families(settings.cutting_line, settings.sewing_line)
    with transaction(engine) as session:
        rows = _base_rows(session, version, names)
        sewing_row = rows["sewing"]
        base_kpis = dict(sewing_row.kpis)
        origin = aware(datetime.fromisoformat(base_kpis["origin"]))
        order_ids = list(base_kpis["orders"])
        orders = _orders(session, order_ids)
        missing = sorted(set(order_ids) - set(orders))
        if missing:
            raise InputError(f"plan version {version} names orders not in the store: {missing}")
        assignments = list(sewing_row.assignments)
        old_markers = [
            {
                c: getattr(m, c)
                for c in (
                    "name",
                    "fabric",
                    "width_mm",
                    "length_mm",
                    "plies",
                    "efficiency",
                    "order_ids",
                    "placements",
                    "station_id",
                )
            }
            for m in (rows["cut"].markers if "cut" in rows else [])
        ]
        rush = before_order = None
        if isinstance(request, RushRequest):
            rush, before_order = _rush_order(session, request, order_ids)
    now_min = max(0, minute(now or datetime.now(UTC), origin))

    def at(minute: int) -> str:
        return (origin + timedelta(minutes=minute)).isoformat()

    report("orders", f"plan v{version}: {len(order_ids)} orders, now is minute {now_min}")
    drafts = []
    for index, order_id in enumerate(order_ids, start=1):
        report("draft", f"{order_id} ({index}/{len(order_ids)})")
        drafts.append(draft_order(orders[order_id]).to_dict())
    problem = planning_inputs(
        drafts,
        list(orders.values()),
        factory,
        origin,
        sewing_line=settings.sewing_line,
        setup_minutes=settings.setup_minutes,
        calendar_days=settings.calendar_days,
        also_runs=settings.also_runs,
    ).sewing
    outages = list(base_kpis.get("replan", {}).get("outages", []))
    problem = with_outages(problem, outages)
    previous = previous_schedule(problem, assignments, origin)
    new_markers: list[Any] = []
    if rush is not None:
        report("draft", f"rush order {rush.order_id}")
        rush_draft = draft_order(rush).to_dict()
        ops = bundle_operations(rush_draft)
        due = due_minute(rush.due_date, origin, factory.timezone)
        event: Any = RushOrder(SewingOrder(rush.order_id, due, str(rush.priority)), ops)
        new_markers = rush_markers(rush_draft, rush.order_id, max(1.0, time_limit_s / 2), report)
        disruption: dict[str, Any] = {
            "rush_order": rush.order_id,
            "due_date": rush.due_date.isoformat(),
            "priority": str(rush.priority),
        }
    else:
        assert isinstance(request, DownRequest)
        since = max(0, minute(request.since, origin))
        until = None if request.minutes is None else since + request.minutes
        event = StationDown(request.station_id, since, until)
        outages.append({"station": request.station_id, "since": since, "until": until})
        disruption = {
            "station_down": request.station_id,
            "since": at(since),
            "until": None if until is None else at(until),
        }
    try:
        result = replan(
            problem,
            previous,
            now_min,
            [event],
            time_limit=time_limit_s,
            workers=settings.workers,
            on_progress=lambda obj, bound, t: report(
                "sew", f"objective {obj} (bound {bound}) at {t:.1f}s"
            ),
        )
    except PlanInfeasible as exc:
        raise PlanInfeasible(condense(exc.reasons)) from exc
    pinned = {p.op_id for p in result.problem.pins}
    restarts = {s.op_id for s in previous.operations if s.start < now_min} - pinned
    changed = {c.op_id for c in result.changes}
    preds = {op.op_id: op.predecessors for op in result.problem.operations}
    ops_by_id = {op.op_id: op for op in result.problem.operations}

    changes = [
        {
            "operation": c.op_id,
            "order": ops_by_id[c.op_id].order_id,
            "bundle": ops_by_id[c.op_id].bundle_id,
            "from station": c.before[0] if c.before else None,
            "from start": at(c.before[1]) if c.before else None,
            "to station": c.after[0],
            "to start": at(c.after[1]),
            "why": _why(c, preds[c.op_id], changed, restarts, request),
        }
        for c in sorted(result.changes, key=lambda c: (c.after[1], c.after[0]))
    ]
    before = sewing_kpis(problem, previous)
    after = sewing_kpis(result.problem, result.schedule)
    all_orders = order_ids + ([rush.order_id] if rush else [])
    markers = old_markers + [
        {
            "name": m.marker_id,
            "fabric": m.fabric,
            "width_mm": m.width_mm,
            "length_mm": round(m.length_mm, 1),
            "plies": plies,
            "efficiency": min(1.0, round(m.efficiency, 4)),
            "order_ids": sorted({p.order_id for p in m.placements}),
            "placements": [_placement(p) for p in m.placements],
            "station_id": None,
        }
        for m, plies in new_markers
    ]
    fabric_mm = sum(m["length_mm"] * m["plies"] for m in markers)
    used = sum(m["efficiency"] * m["width_mm"] * m["length_mm"] * m["plies"] for m in markers)
    area = sum(m["width_mm"] * m["length_mm"] * m["plies"] for m in markers)
    kpis = {
        **after,
        "orders": all_orders,
        "origin": origin.isoformat(),
        "makespan_end": at(result.schedule.makespan),
        "fabric_used_m": round(fabric_mm / 1000, 3),
        "marker_efficiency": round(used / area, 4) if area else 0.0,
        "marker_efficiencies": {m["name"]: m["efficiency"] for m in markers},
        "markers": len(markers),
        "warnings": list(late_warnings(result.problem)),
        "replan": {
            "from_version": version,
            "disruption": disruption,
            "now": at(now_min),
            "moved": result.moved,
            "added": sum(1 for c in result.changes if c.before is None),
            "explanation": list(result.explanation),
            "outages": outages,
        },
    }
    report("store", "storing the replan as a draft version")
    with transaction(engine) as session:
        new_version = _next_version(session, names)
        kpis["version"] = new_version
        kpis["seconds"] = round(time.monotonic() - t0, 1)
        cut_row = PlanRow(
            family=names[0],
            version=new_version,
            kind="cut",
            status=PlanStatus.DRAFT.value,
            kpis=kpis,
            created_by=settings.created_by,
        )
        sew_row = PlanRow(
            family=names[1],
            version=new_version,
            kind="sewing",
            status=PlanStatus.DRAFT.value,
            kpis=kpis,
            created_by=settings.created_by,
        )
        session.add_all([cut_row, sew_row])
        for s in result.schedule.operations:
            op = ops_by_id[s.op_id]
            sew_row.assignments.append(
                PlanAssignmentRow(
                    bundle=op.bundle_id,
                    order_id=op.order_id,
                    operation_code=op.operation,
                    station_id=s.station_id,
                    start=origin + timedelta(minutes=s.start),
                    end=origin + timedelta(minutes=s.end),
                    pinned=s.op_id in pinned,
                )
            )
        fresh = [m for m in markers if m["station_id"] is None]
        if fresh:
            plies = {m["name"]: m["plies"] for m in fresh}
            tables = _cutting_tables(
                [_Lengths(m["name"], m["length_mm"]) for m in fresh],
                plies,
                _tables(factory, settings.cutting_line),
            )
            for m in fresh:
                m["station_id"] = tables[m["name"]]
        for m in markers:
            cut_row.markers.append(PlanMarkerRow(**m))
        if rush is not None:
            order_row = session.get(OrderRow, rush.order_id)
            assert order_row is not None
            order_row.due_date = rush.due_date
            order_row.priority = str(rush.priority)
            order_row.status = OrderStatus.PLANNED.value
        session.flush()
        plan_ids = sorted([cut_row.id, sew_row.id])
        if actor is not None:
            record(
                session,
                actor,
                "plan.replan",
                f"plan:v{new_version}",
                before={"version": version, "kpis": before, "order": before_order},
                after={
                    "version": new_version,
                    "plan_ids": plan_ids,
                    "disruption": disruption,
                    "moved": result.moved,
                    "kpis": after,
                    "explanation": list(result.explanation),
                },
            )
    seconds = round(time.monotonic() - t0, 1)
    log.info("replanned v%d as v%d in %.1fs: %d moved", version, new_version, seconds, result.moved)
    return ReplanOutcome(
        new_version,
        plan_ids,
        version,
        before,
        after,
        result.moved,
        kpis["replan"]["added"],
        changes,
        list(result.explanation),
        seconds,
    )


@dataclass(frozen=True)
class _Lengths:
    """What `_cutting_tables` reads of a marker."""

    marker_id: str
    length_mm: float
