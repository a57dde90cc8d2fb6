"""The admin's actions on users (role-checked, audited by `core.users`) and the audit log
search."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import users
from core.audit import AuditEntry
from core.errors import InputError
from core.schema.audit import AuditRow
from hmi.roles import require
from hmi.session import SignedIn


def add_user(session: Session, admin: SignedIn, name: str, role: str, password: str) -> None:
    require(admin.role, "admin", "adding users")
    users.add_user(session, name.strip(), role, password, actor=admin.actor)


def change_role(session: Session, admin: SignedIn, name: str, role: str) -> None:
    require(admin.role, "admin", "changing roles")
    users.set_role(session, name, role, actor=admin.actor)


def deactivate(session: Session, admin: SignedIn, name: str) -> None:
    require(admin.role, "admin", "deactivating users")
    if name == admin.name:
        # An admin who locks themselves out may leave the plant without one.
        raise InputError("you cannot deactivate yourself; ask another admin")
    users.deactivate(session, name, actor=admin.actor)


def reset_pin(session: Session, admin: SignedIn, name: str, pin: str) -> None:
    require(admin.role, "admin", "resetting PINs")
    users.set_pin(session, name, pin, actor=admin.actor)


def find_audit(
    session: Session,
    actor: str = "",
    action: str = "",
    target: str = "",
    since: datetime | None = None,
    limit: int = 200,
) -> list[AuditEntry]:
    """Newest first; `actor`, `action` and `target` match anywhere in the field, any case."""
    query = select(AuditRow).order_by(AuditRow.id.desc()).limit(limit)
    for column, text in (
        (AuditRow.actor, actor),
        (AuditRow.action, action),
        (AuditRow.target, target),
    ):
        if text.strip():
            query = query.where(column.icontains(text.strip(), autoescape=True))
    if since is not None:
        query = query.where(AuditRow.time >= since)
    return [
        AuditEntry(r.time, r.actor, r.action, r.target, r.before, r.after)
        for r in session.scalars(query)
    ]
