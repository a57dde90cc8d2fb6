"""Plans published for a line, waiting in the store until the line's uplink has taken them.

`queue_plan` keeps one row per line and plan id (publishing again makes it wait again, and the
agent's inbox keeps one copy per plan id); `waiting_plans` hands out what waits, in publishing
order, also after the ingest actor or the whole centre restarted; `mark_plans_delivered` records
that the plans are in the line's inbox.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.errors import InputError
from core.events import utcnow
from core.schema.deliveries import PLAN_ID_MAX, PlanDeliveryRow

MAX_BATCH = 20  # plans handed to one uplink call; a line executes only the newest anyway


def queue_plan(session: Session, line: str, plan_id: str, payload: dict[str, Any]) -> None:
    """Make the plan wait for the line (again, if it was delivered before)."""
    if not plan_id or len(plan_id) > PLAN_ID_MAX:
        raise InputError(f"plan id {plan_id!r} for line {line}: 1 to {PLAN_ID_MAX} characters")
    row = session.scalar(
        select(PlanDeliveryRow).where(
            PlanDeliveryRow.line == line, PlanDeliveryRow.plan_id == plan_id
        )
    )
    if row is None:
        session.add(PlanDeliveryRow(line=line, plan_id=plan_id, payload=payload))
        return
    row.payload, row.published_at, row.delivered_at = payload, utcnow(), None


def waiting_plans(
    session: Session, line: str, limit: int = MAX_BATCH
) -> list[tuple[str, dict[str, Any]]]:
    """The line's plans not yet in its inbox, oldest published first: (plan id, payload)."""
    rows = session.execute(
        select(PlanDeliveryRow.plan_id, PlanDeliveryRow.payload)
        .where(PlanDeliveryRow.line == line, PlanDeliveryRow.delivered_at.is_(None))
        .order_by(PlanDeliveryRow.published_at, PlanDeliveryRow.seq)
        .limit(limit)
    )
    return [(plan_id, dict(payload)) for plan_id, payload in rows]


def mark_plans_delivered(session: Session, line: str, plan_ids: list[str]) -> int:
    """Record that these plans are in the line's inbox; returns how many were newly marked."""
    if not plan_ids:
        return 0
    result = session.execute(
        update(PlanDeliveryRow)
        .where(
            PlanDeliveryRow.line == line,
            PlanDeliveryRow.plan_id.in_(plan_ids),
            PlanDeliveryRow.delivered_at.is_(None),
        )
        .values(delivered_at=utcnow())
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
