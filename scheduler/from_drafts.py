"""Drafted orders (design_bridge `DraftedOrder.to_dict()`, plain dicts) as the scheduler's inputs.

The scheduler may not import design_bridge, so it reads the drafts' documented dict shape:
`pieces` (cut lines in mm, grain along +y), `routing` (operations with `after`), `bom`
(fabric code, width, thread colour) and `quantity`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from core.config.models import FactoryConfig
from core.errors import InputError
from core.orders import CustomOrder
from scheduler.model import (
    BundleOperation,
    Fabric,
    Garment,
    MarkerPiece,
    SewingOrder,
    SewingProblem,
    Station,
)
from scheduler.plant import line_stations, plant_calendar

log = logging.getLogger(__name__)

Point = tuple[float, float]


@dataclass(frozen=True)
class PlanningInputs:
    """Everything `plan_production` needs, built from drafted orders and the factory layout."""

    garments: tuple[Garment, ...]
    fabrics: dict[str, Fabric]
    sewing: SewingProblem


def _turn(point: Sequence[float], mirror: bool) -> Point:
    """Grain along +y (design bridge) to grain along +x (marker): a quarter turn clockwise."""
    x, y = float(point[0]), float(point[1])
    if mirror:
        x = -x
    return (y, -x)


def _piece_polygons(piece: dict[str, Any]) -> list[tuple[str, tuple[Point, ...], int, bool]]:
    """(suffix, polygon, quantity, mirrored) per cut version of a piece, as Piece.cut_polygons."""
    ring = piece["cut_line"]
    quantity = int(piece["quantity"])
    straight = tuple(_turn(p, False) for p in ring)
    if not piece.get("mirrored") or quantity < 2:
        return [("", straight, quantity, False)]
    # A mirror image reverses the winding; reverse the ring to keep it counter-clockwise.
    mirrored = tuple(_turn(p, True) for p in reversed(ring))
    half = quantity // 2
    return [("", straight, quantity - half, False), (" mirror", mirrored, half, True)]


def marker_pieces(drafted: dict[str, Any]) -> tuple[MarkerPiece, ...]:
    """One garment's shell pieces to nest (pocketing is cut from its own roll, not planned here)."""
    order_id = drafted["order_id"]
    out = []
    for piece in drafted["pieces"]:
        if piece.get("material", "shell") != "shell":
            continue
        for suffix, polygon, quantity, mirrored in _piece_polygons(piece):
            a, b = piece["grain_line"]
            grain = (_turn(a, mirrored), _turn(b, mirrored))
            out.append(
                MarkerPiece(
                    piece_id=f"{piece['name']}{suffix}",
                    order_id=order_id,
                    polygon=polygon,
                    quantity=quantity,
                    rotations=tuple(float(r) for r in piece.get("allowed_rotations", (0, 180))),
                    grain_line=grain,
                    label=piece.get("label", ""),
                )
            )
    if not out:
        raise InputError(f"order {order_id}: the draft has no shell pieces to cut")
    return tuple(out)


def fabric_of(drafted: dict[str, Any]) -> Fabric:
    """The order's fabric: width from the bill of materials; directional when pieces may not turn."""
    bom = drafted["bom"]
    directional = any(
        list(p.get("allowed_rotations", (0, 180))) == [0]
        for p in drafted["pieces"]
        if p.get("material", "shell") == "shell"
    )
    return Fabric(bom["fabric_code"], float(bom["fabric_width_mm"]), directional)


def garment_of(drafted: dict[str, Any]) -> Garment:
    """One garment type per order: its copies are the same made-to-measure garment."""
    order_id = drafted["order_id"]
    return Garment(
        garment_id=order_id,
        order_id=order_id,
        fabric=drafted["bom"]["fabric_code"],
        pieces=marker_pieces(drafted),
        demand=int(drafted["quantity"]),
    )


def bundle_operations(drafted: dict[str, Any]) -> tuple[BundleOperation, ...]:
    """The order as one bundle (all its garments travel together) through its routing."""
    order_id = drafted["order_id"]
    bundle = f"{order_id}-B1"
    known = {op["op_id"] for op in drafted["routing"]}
    colour = drafted["bom"].get("thread_colour") or ""
    ops = []
    for op in drafted["routing"]:
        missing = [a for a in op.get("after", ()) if a not in known]
        if missing:
            raise InputError(
                f"order {order_id}: operation {op['op_id']} follows unknown operations {missing}"
            )
        ops.append(
            BundleOperation(
                op_id=f"{order_id}:{op['op_id']}",
                bundle_id=bundle,
                order_id=order_id,
                operation=op["op_id"],
                machine_type=op["machine_type"],
                smv=float(op["smv"]),
                garments=int(drafted["quantity"]),
                predecessors=tuple(f"{order_id}:{a}" for a in op.get("after", ())),
                thread_colour=colour,
            )
        )
    return tuple(ops)


def due_minute(due: date, origin: datetime, timezone: str) -> int:
    """Minutes from the origin to the end of the due date in the plant's time zone."""
    end = datetime.combine(due + timedelta(days=1), time(0), tzinfo=ZoneInfo(timezone))
    return int((end - origin).total_seconds() // 60)


def _with_extra_machines(
    stations: tuple[Station, ...], also_runs: dict[str, Sequence[str]]
) -> tuple[Station, ...]:
    out = []
    for station in stations:
        extra = {m for t in station.machine_types for m in also_runs.get(t, ())}
        out.append(replace(station, machine_types=station.machine_types | extra))
    return tuple(out)


def planning_inputs(
    drafts: Sequence[dict[str, Any]],
    orders: Sequence[CustomOrder],
    factory: FactoryConfig,
    origin: datetime,
    *,
    sewing_line: str = "L1",
    setup_minutes: int = 10,
    calendar_days: int = 7,
    also_runs: dict[str, Sequence[str]] | None = None,
) -> PlanningInputs:
    """Garments, fabrics and the sewing problem for `drafts` (one per order, same order ids).

    `setup_minutes` is the thread-colour change at a station (10: rethread and a test seam).
    `also_runs` maps a station's machine type to further machine types its operator also works
    (e.g. the buttonhole station also sews buttons when the line has no button sewer).
    """
    if not drafts:
        raise InputError("nothing to plan: no drafted orders")
    by_id = {o.order_id: o for o in orders}
    missing = [d["order_id"] for d in drafts if d["order_id"] not in by_id]
    if missing:
        raise InputError(f"drafts without their order (due date, priority): {missing}")
    garments: list[Garment] = []
    fabrics: dict[str, Fabric] = {}
    operations: list[BundleOperation] = []
    sewing_orders: list[SewingOrder] = []
    for drafted in drafts:
        order = by_id[drafted["order_id"]]
        fabric = fabric_of(drafted)
        seen = fabrics.setdefault(fabric.code, fabric)
        if seen != fabric:
            raise InputError(
                f"order {order.order_id}: fabric {fabric.code} drafted as {fabric}, "
                f"another order as {seen}"
            )
        garments.append(garment_of(drafted))
        operations += bundle_operations(drafted)
        due = due_minute(order.due_date, origin, factory.timezone)
        sewing_orders.append(SewingOrder(order.order_id, due, str(order.priority)))
    sewing = SewingProblem(
        operations=tuple(operations),
        stations=_with_extra_machines(line_stations(factory, sewing_line), also_runs or {}),
        calendar=plant_calendar(factory, origin, calendar_days),
        orders=tuple(sewing_orders),
        setup_minutes=setup_minutes,
    )
    log.info(
        "planning inputs: %d garments, %d fabrics, %d operations, %d calendar days",
        len(garments),
        len(fabrics),
        len(operations),
        calendar_days,
    )
    return PlanningInputs(tuple(garments), fabrics, sewing)
