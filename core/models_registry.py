"""Inspection model versions: register a trained one, promote one to the lines."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.errors import InputError
from core.events import utcnow
from core.schema import InspectionModelRow

log = logging.getLogger(__name__)


def register_model(
    session: Session,
    version: str,
    path: str,
    metrics: dict[str, Any] | None = None,
    architecture: str | None = None,
) -> InspectionModelRow:
    """Record a trained model (not promoted); `path` is relative to Atelier's home."""
    if session.scalar(select(InspectionModelRow).where(InspectionModelRow.version == version)):
        raise InputError(f"inspection model version {version!r} is already registered")
    row = InspectionModelRow(
        version=version, path=path, metrics=metrics or {}, architecture=architecture
    )
    session.add(row)
    session.flush()
    return row


def promoted_model(session: Session) -> InspectionModelRow | None:
    """The model the lines should run, if any has been promoted."""
    return session.scalar(select(InspectionModelRow).where(InspectionModelRow.promoted))


def previous_model(session: Session) -> InspectionModelRow | None:
    """The version promoted before the current one (what "roll back" promotes), if any."""
    return session.scalar(
        select(InspectionModelRow)
        .where(~InspectionModelRow.promoted, InspectionModelRow.promoted_at.is_not(None))
        .order_by(InspectionModelRow.promoted_at.desc())
        .limit(1)
    )


def promote_model(session: Session, version: str, by: str) -> InspectionModelRow:
    """Make `version` the one promoted model, in the caller's transaction."""
    row = session.scalar(select(InspectionModelRow).where(InspectionModelRow.version == version))
    if row is None:
        raise InputError(f"no inspection model version {version!r}")
    session.execute(
        update(InspectionModelRow)
        .where(InspectionModelRow.promoted, InspectionModelRow.id != row.id)
        .values(promoted=False)
    )
    row.promoted, row.promoted_at, row.promoted_by = True, utcnow(), by
    session.flush()
    log.info("promoted inspection model %s (by %s)", version, by)
    return row
