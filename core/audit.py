"""The audit log: every change a person makes is recorded in the same transaction as the change.

Callers pass the session that carries the change, so the change and its audit row are committed
or rolled back together; there is no change without its record and no record without its change.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import InputError
from core.schema.audit import AuditRow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AuditEntry:
    time: datetime
    actor: str
    action: str
    target: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


def record(
    session: Session,
    actor: str,
    action: str,
    target: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditRow:
    """Add one audit row to `session`'s transaction: who (`actor`) did what to which target."""
    for field, value in (("actor", actor), ("action", action), ("target", target)):
        if not value or not value.strip():
            raise InputError(f"audit record: {field} must not be empty")
    row = AuditRow(actor=actor, action=action, target=target, before=before, after=after)
    session.add(row)
    log.info("audit: %s %s %s", actor, action, target)
    return row


def recent(session: Session, limit: int = 200) -> list[AuditEntry]:
    """The newest `limit` audit entries, newest first."""
    rows = session.scalars(select(AuditRow).order_by(AuditRow.id.desc()).limit(limit))
    return [AuditEntry(r.time, r.actor, r.action, r.target, r.before, r.after) for r in rows]
