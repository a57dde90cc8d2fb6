"""The planner's actions and reads: upload a batch, list orders and plans, publish a plan.
Each action checks the role on the server and is audited in the transaction of its change."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from core.audit import record
from core.importer import ImportReport, import_upload
from core.plans import publish_plan
from core.schema import PlanRow
from hmi.roles import require
from hmi.session import SignedIn

log = logging.getLogger(__name__)

UPLOAD_TYPES = ["csv", "tsv", "txt", "json"]


def upload_batch(engine: Engine, user: SignedIn, name: str, data: bytes) -> ImportReport:
    """Validate an uploaded batch and store its good rows (audited with them); raises
    InputError, storing nothing, when the file is not a batch at all."""
    require(user.role, "planner", "importing orders")
    return import_upload(engine, data, name, actor=user.actor)


@dataclass(frozen=True)
class PlanSummary:
    id: int
    family: str
    version: int
    kind: str
    status: str
    kpis: dict[str, Any]
    created_by: str
    created_at: datetime
    published_at: datetime | None
    assignments: int
    markers: int


def list_plans(session: Session, limit: int = 100) -> list[PlanSummary]:
    """Newest plans first, with their counts of assignments and markers."""
    rows = session.scalars(
        select(PlanRow).order_by(PlanRow.created_at.desc(), PlanRow.id.desc()).limit(limit)
    )
    return [
        PlanSummary(
            r.id,
            r.family,
            r.version,
            r.kind,
            r.status,
            dict(r.kpis),
            r.created_by,
            r.created_at,
            r.published_at,
            len(r.assignments),
            len(r.markers),
        )
        for r in rows
    ]


def publish(session: Session, user: SignedIn, plan_id: int) -> PlanRow:
    """Publish a draft plan (superseding its family's published one), audited."""
    require(user.role, "planner", "publishing a plan")
    plan = publish_plan(session, plan_id)
    record(
        session,
        user.actor,
        "plan.publish",
        f"plan:{plan.family}:v{plan.version}",
        {"status": "draft"},
        {
            "status": plan.status,
            "published_at": plan.published_at.isoformat() if plan.published_at else None,
        },
    )
    return plan
