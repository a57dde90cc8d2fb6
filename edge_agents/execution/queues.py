"""A published sewing plan's payload turned into per-station queues, ordered by planned start."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from core.errors import InputError


@dataclass(frozen=True)
class PlannedOperation:
    """One assignment of the plan: a bundle's operation at a station, with its planned window."""

    station: str
    bundle: str
    operation: str
    order_id: str
    start: datetime
    end: datetime


def _time(text: Any, where: str) -> datetime:
    try:
        value = datetime.fromisoformat(str(text))
    except ValueError:
        raise InputError(f"{where}: {text!r} is not an ISO time") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def planned_operations(plan_id: str, payload: dict[str, Any]) -> list[PlannedOperation]:
    """Every assignment in the payload, checked; raises InputError naming the bad entry."""
    items = payload.get("assignments")
    if not isinstance(items, list):
        raise InputError(f"plan {plan_id}: no 'assignments' list (only sewing plans run here)")
    ops: list[PlannedOperation] = []
    seen: set[tuple[str, str]] = set()
    for n, item in enumerate(items):
        where = f"plan {plan_id}, assignment {n}"
        if not isinstance(item, dict):
            raise InputError(f"{where}: not an object")
        missing = [k for k in ("station", "bundle", "operation", "start", "end") if not item.get(k)]
        if missing:
            raise InputError(f"{where}: missing {', '.join(missing)}")
        op = PlannedOperation(
            station=str(item["station"]),
            bundle=str(item["bundle"]),
            operation=str(item["operation"]),
            order_id=str(item.get("order_id") or ""),
            start=_time(item["start"], f"{where} start"),
            end=_time(item["end"], f"{where} end"),
        )
        if op.end < op.start:
            raise InputError(f"{where}: end {op.end.isoformat()} before start")
        if (op.bundle, op.operation) in seen:
            raise InputError(f"{where}: bundle {op.bundle} operation {op.operation} twice")
        seen.add((op.bundle, op.operation))
        ops.append(op)
    return ops


def station_queues(ops: list[PlannedOperation]) -> dict[str, list[PlannedOperation]]:
    """Operations per station in the order they are planned to start (ties: as published)."""
    queues: dict[str, list[PlannedOperation]] = {}
    for op in sorted(ops, key=lambda o: o.start):
        queues.setdefault(op.station, []).append(op)
    return queues
