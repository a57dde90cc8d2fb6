"""Users of the HMI: roles, argon2 password and PIN hashes, and the changes to them (audited).

Every function that changes a user takes the `actor` who made the change and records it with
`core.audit.record` in the caller's session, so the change and its audit row commit together.
Hashes never leave this module and never reach the audit log.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.audit import record
from core.errors import InputError
from core.schema.users import UserRow

log = logging.getLogger(__name__)

NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
MIN_PASSWORD_LENGTH = 8
PIN_PATTERN = re.compile(r"^[0-9]{4,8}$")

_hasher = PasswordHasher()
# Verified against when the user is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("atelier-no-such-user")


class Role(StrEnum):
    OPERATOR = "operator"
    PLANNER = "planner"
    QUALITY = "quality"
    ADMIN = "admin"


@dataclass(frozen=True)
class User:
    name: str
    role: Role
    active: bool
    has_pin: bool
    created_at: datetime


def _public(row: UserRow) -> User:
    return User(row.name, Role(row.role), row.active, row.pin_hash is not None, row.created_at)


def _state(row: UserRow) -> dict[str, object]:
    return {"name": row.name, "role": row.role, "active": row.active}


def parse_role(value: str) -> Role:
    try:
        return Role(value.strip().lower())
    except ValueError:
        choices = "|".join(r.value for r in Role)
        raise InputError(f"role {value!r} is not one of {choices}") from None


def _check_name(name: str) -> str:
    if not NAME_PATTERN.match(name):
        raise InputError(
            f"user name {name!r}: use 1-64 letters, digits, '.', '_' or '-', starting with a "
            "letter or digit"
        )
    return name


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputError(f"password: at least {MIN_PASSWORD_LENGTH} characters are needed")


def _get(session: Session, name: str) -> UserRow:
    row = session.scalar(select(UserRow).where(UserRow.name == name))
    if row is None:
        raise InputError(f"user {name!r} does not exist")
    return row


def add_user(session: Session, name: str, role: Role | str, password: str, *, actor: str) -> User:
    """Create an active user; the name must be new."""
    _check_name(name)
    role = parse_role(role) if isinstance(role, str) else role
    _check_password(password)
    if session.scalar(select(UserRow.id).where(UserRow.name == name)) is not None:
        raise InputError(f"user {name!r} already exists")
    row = UserRow(name=name, role=role.value, password_hash=_hasher.hash(password), active=True)
    session.add(row)
    session.flush()
    record(session, actor, "user.add", f"user:{name}", None, _state(row))
    return _public(row)


def authenticate(session: Session, name: str, password: str) -> User | None:
    """The user if `name` is active and `password` matches, else None (in about constant time)."""
    row = session.scalar(select(UserRow).where(UserRow.name == name))
    hashed = row.password_hash if row is not None and row.active else _DUMMY_HASH
    try:
        _hasher.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None or not row.active:
        return None
    if _hasher.check_needs_rehash(row.password_hash):
        row.password_hash = _hasher.hash(password)
    return _public(row)


def set_password(session: Session, name: str, password: str, *, actor: str) -> None:
    row = _get(session, name)
    _check_password(password)
    row.password_hash = _hasher.hash(password)
    record(session, actor, "user.password", f"user:{name}", None, {"password": "changed"})


def set_pin(session: Session, name: str, pin: str, *, actor: str) -> None:
    """Set the PIN an operator uses to switch on a shared station screen."""
    row = _get(session, name)
    if not PIN_PATTERN.match(pin):
        raise InputError("PIN: use 4 to 8 digits")
    had_pin = row.pin_hash is not None
    row.pin_hash = _hasher.hash(pin)
    record(session, actor, "user.pin", f"user:{name}", {"pin": had_pin}, {"pin": True})


def verify_pin(session: Session, name: str, pin: str) -> User | None:
    """The user if `name` is active and has this PIN, else None (in about constant time)."""
    row = session.scalar(select(UserRow).where(UserRow.name == name))
    usable = row is not None and row.active and row.pin_hash is not None
    hashed = row.pin_hash if usable and row is not None and row.pin_hash else _DUMMY_HASH
    try:
        _hasher.verify(hashed, pin)
    except (VerificationError, InvalidHashError):
        return None
    return _public(row) if usable and row is not None else None


def list_users(session: Session) -> list[User]:
    return [_public(r) for r in session.scalars(select(UserRow).order_by(UserRow.name))]


def get_user(session: Session, name: str) -> User | None:
    row = session.scalar(select(UserRow).where(UserRow.name == name))
    return _public(row) if row is not None else None


def deactivate(session: Session, name: str, *, actor: str) -> None:
    """Stop a user from signing in; the row stays so the audit log keeps its meaning."""
    row = _get(session, name)
    if not row.active:
        raise InputError(f"user {name!r} is already inactive")
    before = _state(row)
    row.active = False
    record(session, actor, "user.deactivate", f"user:{name}", before, _state(row))


def set_role(session: Session, name: str, role: Role | str, *, actor: str) -> None:
    """Give a user another role; their open HMI sessions get its pages on their next run."""
    row = _get(session, name)
    role = parse_role(role) if isinstance(role, str) else role
    if row.role == role.value:
        raise InputError(f"user {name!r} already has the role {role.value}")
    before = _state(row)
    row.role = role.value
    record(session, actor, "user.role", f"user:{name}", before, _state(row))
