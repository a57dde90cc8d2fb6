"""Planning the custom orders: draft them, plan cutting and sewing, store the plan as a draft.

The one place that joins design_bridge (drafting), scheduler (planning) and the store; the CLI
(`atelier plan`) and the HMI call `plan_orders`. Storing and publishing: `cluster.plan_versions`.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import Engine, select
from sqlalchemy.orm import selectinload

from core.config.models import FactoryConfig
from core.db import transaction
from core.errors import InputError
from core.orders import CustomOrder, OrderStatus
from core.schema import OrderRow

log = logging.getLogger(__name__)

# on_progress(stage, message): stage is "orders", "draft", "cut", "nest", "sew" or "store".
PlanningProgress = Callable[[str, str], None]

PLANNABLE = (OrderStatus.RECEIVED.value, OrderStatus.DRAFTED.value)


class PlanningSettings(BaseModel):
    """How a planning run is set up; the defaults suit the demo plant."""

    sewing_line: str = Field("L1", description="Sewing line whose stations get the operations")
    cutting_line: str = Field("C1", description="Cutting room whose tables get the markers")
    time_limit_s: float = Field(
        20.0,
        gt=0,
        description="Sewing schedule limit; cut planning and each marker's nesting get a quarter",
    )
    workers: int = Field(2, ge=1, description="Solver threads (CP-SAT and the nester)")
    setup_minutes: int = Field(
        10,
        ge=0,
        description="Setup at a station on a thread-colour change, minutes (rethreading the "
        "machine and sewing a test seam)",
    )
    calendar_days: int = Field(7, ge=1, description="Days of shifts from the plan origin")
    also_runs: dict[str, list[str]] = Field(
        default_factory=lambda: {"buttonhole": ["button_sew"]},
        description="Machine type -> further machine types its station's operator also works "
        "(the demo line has no button sewer; its buttonhole station sews the buttons)",
    )
    created_by: str = Field("planner", description="User name stored with the plan")


@dataclass(frozen=True)
class PlannedRun:
    """A stored draft plan: its version, what was planned and the scheduler's full result."""

    version: int
    order_ids: tuple[str, ...]
    origin: datetime
    kpis: dict[str, Any]
    plan: Any  # scheduler.Plan
    sewing: Any  # scheduler.model.SewingProblem

    def write_files(self, folder: Path) -> list[Path]:
        """Marker SVG/DXF/HPGL and gantt.png into `folder`."""
        from scheduler import write_plan_files

        return write_plan_files(self.plan, self.sewing, folder)


def _store_orders(engine: Engine, statuses: tuple[str, ...]) -> list[CustomOrder]:
    from core.importer import order_from_row

    with transaction(engine) as session:
        rows = session.scalars(
            select(OrderRow)
            .where(OrderRow.status.in_(statuses))
            .options(selectinload(OrderRow.customer))
            .order_by(OrderRow.due_date, OrderRow.order_id)
        )
        return [order_from_row(r) for r in rows]


def _batch_orders(engine: Engine, batch: Path) -> list[CustomOrder]:
    """The batch's orders, validated first; they are stored (imported) only with the plan."""
    from core.importer import parse_batch

    parsed = parse_batch(batch)
    if parsed.errors:
        lines = [f"row {e.row}, {e.field}: {e.message}" for e in parsed.errors]
        raise InputError(
            f"{batch}: {len(lines)} bad rows, nothing planned:\n  " + "\n  ".join(lines)
        )
    orders = {o.order_id: o for _, o in parsed.orders}
    with transaction(engine) as session:
        done = session.scalars(
            select(OrderRow.order_id).where(
                OrderRow.order_id.in_(list(orders)), OrderRow.status.not_in(PLANNABLE)
            )
        ).all()
    if done:
        raise InputError(f"{batch}: orders already planned or in production: {sorted(done)}")
    return list(orders.values())


def _kpis(plan: Any, sewing: Any, order_ids: list[str], origin: datetime) -> dict[str, Any]:
    k = plan.kpis
    return {
        "orders": order_ids,
        "origin": origin.isoformat(),
        "fabric_used_m": round(k.fabric_used_mm / 1000, 3),
        "marker_efficiency": k.marker_efficiency,
        "marker_efficiencies": dict(k.marker_efficiencies),
        "markers": len(plan.markers),
        "operations": len(sewing.operations),
        "makespan_min": k.makespan_min,
        "makespan_end": (origin + timedelta(minutes=k.makespan_min)).isoformat(),
        "late_orders": len(k.orders_late),
        "orders_late_min": dict(k.orders_late),
        "station_utilisation": dict(k.station_utilisation),
        "warnings": list(plan.warnings),
    }


_PER_ORDER = re.compile(r"^operation .*? of order (\S+) (.+)$")


def condense(reasons: list[str], shown: int = 4) -> list[str]:
    """One reason per cause: "needs a button_sew machine ...: 18 orders (A, B, C, D, ...)"."""
    by_cause: dict[str, list[str]] = {}
    out: list[str] = []
    for reason in reasons:
        match = _PER_ORDER.match(reason)
        if match is None:
            out.append(reason)
            continue
        order, cause = match.groups()
        if cause not in by_cause:
            by_cause[cause] = []
            out.append(cause)
        if order not in by_cause[cause]:
            by_cause[cause].append(order)
    condensed = []
    for item in out:
        orders = by_cause.get(item)
        if orders is None:
            condensed.append(item)
            continue
        names = ", ".join(orders[:shown]) + (", ..." if len(orders) > shown else "")
        count = f"{len(orders)} order{'s' if len(orders) > 1 else ''}"
        condensed.append(f"an operation {item} ({count}: {names})")
    return condensed


def plan_orders(
    engine: Engine,
    factory: FactoryConfig,
    *,
    batch: Path | None = None,
    settings: PlanningSettings | None = None,
    origin: datetime | None = None,
    on_progress: PlanningProgress | None = None,
) -> PlannedRun:
    """Plan every unplanned order in the store (or the orders of `batch`) and store the result
    as the next draft version; the planned orders become `planned`.

    Raises InputError for bad input and scheduler PlanInfeasible (an AtelierError) with its
    reasons; in both cases nothing is stored.
    """
    from cluster.plan_versions import store_plan
    from design_bridge import draft_order
    from scheduler import plan_production
    from scheduler.feasibility import PlanInfeasible
    from scheduler.from_drafts import planning_inputs

    settings = settings or PlanningSettings()
    origin = (origin or datetime.now(UTC)).replace(second=0, microsecond=0)

    def report(stage: str, message: str) -> None:
        log.info("%s: %s", stage, message)
        if on_progress is not None:
            on_progress(stage, message)

    t0 = time.monotonic()
    orders = _batch_orders(engine, batch) if batch else _store_orders(engine, PLANNABLE)
    if not orders:
        raise InputError(
            "no orders to plan: the store has no received or drafted orders; import a batch "
            "(atelier orders import FILE) or pass --batch FILE"
        )
    report("orders", f"{len(orders)} orders to plan")
    drafts = []
    for index, order in enumerate(orders, start=1):
        report("draft", f"{order.order_id} ({index}/{len(orders)})")
        drafts.append(draft_order(order).to_dict())
    inputs = planning_inputs(
        drafts,
        orders,
        factory,
        origin,
        sewing_line=settings.sewing_line,
        setup_minutes=settings.setup_minutes,
        calendar_days=settings.calendar_days,
        also_runs=settings.also_runs,
    )
    quarter = max(1.0, settings.time_limit_s / 4)
    try:
        plan = plan_production(
            inputs.garments,
            inputs.fabrics,
            inputs.sewing,
            cut_time_limit=quarter,
            nest_time_limit=quarter,
            sew_time_limit=settings.time_limit_s,
            workers=settings.workers,
            on_progress=report,
        )
    except PlanInfeasible as exc:
        raise PlanInfeasible(condense(exc.reasons)) from exc
    order_ids = [o.order_id for o in orders]
    kpis = _kpis(plan, inputs.sewing, order_ids, origin)
    kpis["seconds"] = round(time.monotonic() - t0, 1)
    report("store", "storing the draft plan")
    version = store_plan(engine, factory, settings, plan, inputs.sewing, kpis, origin, batch=batch)
    kpis["version"] = version
    log.info("plan v%d: %d orders in %.1fs", version, len(order_ids), kpis["seconds"])
    return PlannedRun(version, tuple(order_ids), origin, kpis, plan, inputs.sewing)


def plan_for_hmi(
    engine: Engine,
    orders: list[Any],
    *,
    created_by: str,
    actor: str,
    on_progress: PlanningProgress,
    time_limit_s: float = 20.0,
) -> list[int]:
    """The HMI's planning call: plan every open order, store the draft versions, audit it.

    `orders` are the open orders the planner saw; planning takes every open order in the store
    (the same set, unless one arrived meanwhile). Returns the ids of the stored draft plans.
    """
    from sqlalchemy import select

    from core.audit import record
    from core.config import load_factory
    from core.db import transaction
    from core.schema import PlanRow

    settings = PlanningSettings(created_by=created_by, time_limit_s=time_limit_s)
    run = plan_orders(engine, load_factory(), settings=settings, on_progress=on_progress)
    with transaction(engine) as session:
        rows = session.scalars(
            select(PlanRow).where(PlanRow.version == run.version, PlanRow.created_by == created_by)
        ).all()
        ids = sorted(row.id for row in rows)
        record(
            session,
            actor,
            "plan.create",
            f"plan:v{run.version}",
            after={"plan_ids": ids, "orders": list(run.order_ids), "kpis": run.kpis},
        )
    log.info(
        "planned %d open orders (%d seen on screen) as v%d",
        len(run.order_ids),
        len(orders),
        run.version,
    )
    return ids


def replan_for_hmi(
    engine: Engine,
    version: int,
    request: Any,
    *,
    created_by: str,
    actor: str,
    on_progress: PlanningProgress,
    time_limit_s: float = 5.0,
    now: datetime | None = None,
) -> Any:
    """The HMI's replanning call: `request` is a `cluster.replanning.RushRequest` (insert an
    imported order) or `DownRequest` (a station down for a while). Replans plan `version` from
    `now`, stores the result as the next draft version with a `plan.replan` audit row by `actor`,
    and returns the `ReplanOutcome` (KPIs before/after, what moved and why)."""
    from cluster.replanning import replan_version
    from core.config import load_factory

    settings = PlanningSettings.model_validate({"created_by": created_by})
    return replan_version(
        engine,
        load_factory(),
        version,
        request,
        settings=settings,
        now=now,
        on_progress=on_progress,
        time_limit_s=time_limit_s,
        actor=actor,
    )
