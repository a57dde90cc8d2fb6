"""Inspection model versions for the quality page, and promotion of one to the lines (audited)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.audit import record
from core.models_registry import promote_model, promoted_model
from core.schema import InspectionModelRow
from hmi.roles import require
from hmi.session import SignedIn


@dataclass(frozen=True)
class ModelVersion:
    version: str
    architecture: str | None
    metrics: dict[str, Any]
    created_at: datetime
    promoted: bool
    promoted_by: str | None


def list_models(session: Session) -> list[ModelVersion]:
    rows = session.scalars(
        select(InspectionModelRow).order_by(InspectionModelRow.created_at.desc())
    )
    return [
        ModelVersion(
            r.version, r.architecture, dict(r.metrics), r.created_at, r.promoted, r.promoted_by
        )
        for r in rows
    ]


def promote(session: Session, user: SignedIn, version: str) -> None:
    """Make `version` the model the lines load; the edge agents pick it up from the store."""
    require(user.role, "quality", "promoting an inspection model")
    before = promoted_model(session)
    promote_model(session, version, by=user.name)
    record(
        session,
        user.actor,
        "model.promote",
        f"inspection_model:{version}",
        {"promoted": before.version if before else None},
        {"promoted": version},
    )
