"""Inspection model versions for the quality page, and promotion of one to the lines (audited)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.audit import record
from core.errors import InputError
from core.models_registry import previous_model, promote_model, promoted_model
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
    """Make `version` the model the lines load; each line's uplink ships it to the line."""
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


def previous_version(session: Session) -> str | None:
    """The version "roll back" would promote again (the one promoted before the current)."""
    row = previous_model(session)
    return row.version if row else None


def roll_back(session: Session, user: SignedIn) -> str:
    """Promote the previously promoted version again; it is shipped like any promotion."""
    require(user.role, "quality", "rolling back the inspection model")
    before = promoted_model(session)
    previous = previous_model(session)
    if previous is None:
        raise InputError("no earlier promoted inspection model to roll back to")
    promote_model(session, previous.version, by=user.name)
    record(
        session,
        user.actor,
        "model.rollback",
        f"inspection_model:{previous.version}",
        {"promoted": before.version if before else None},
        {"promoted": previous.version},
    )
    return previous.version
