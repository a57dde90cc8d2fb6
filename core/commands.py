"""Commands from the centre to a line: an operator's action on the HMI on its way to the agent.

A command row is added in the transaction of the action's audit entry (`queue_command`); the
line's uplink takes the line's undelivered commands (`waiting_commands`), writes them into the
agent's inbox and then marks them delivered (`mark_delivered`), so each is sent until it is on
the line, and the agent applies each command id once.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.errors import InputError
from core.events import utcnow
from core.schema.commands import ALARM_COMMANDS, COMMAND_KINDS, LineCommandRow

MAX_BATCH = 200  # commands handed to one uplink call; the rest follow on the next


@dataclass(frozen=True)
class Command:
    """One operator action for a line's agent, as it travels (plain data, JSON-safe)."""

    id: str
    line: str
    station: str
    kind: str
    bundle: str
    operation: str | None
    user: str
    created_at: datetime
    payload: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "line": self.line,
            "station": self.station,
            "kind": self.kind,
            "bundle": self.bundle,
            "operation": self.operation,
            "user": self.user,
            "created_at": self.created_at.isoformat(),
            "payload": self.payload,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Command:
        """A command from its travelling form; raises InputError naming what is wrong."""
        where = f"command {data.get('id', '?')!r}"
        try:
            command = cls(
                id=str(data["id"]),
                line=str(data["line"]),
                station=str(data["station"]),
                kind=str(data["kind"]),
                bundle=str(data["bundle"]),
                operation=None if data.get("operation") is None else str(data["operation"]),
                user=str(data.get("user") or ""),
                created_at=datetime.fromisoformat(str(data["created_at"])),
                payload=dict(data.get("payload") or {}),
            )
        except KeyError as exc:
            raise InputError(f"{where}: missing {exc.args[0]}") from None
        except (TypeError, ValueError) as exc:
            raise InputError(f"{where}: {exc}") from None
        command.check()
        return command

    def check(self) -> None:
        where = f"command {self.id}"
        if self.kind not in COMMAND_KINDS:
            raise InputError(
                f"{where}: kind {self.kind!r} is not one of {', '.join(COMMAND_KINDS)}"
            )
        if self.kind in ALARM_COMMANDS:
            self._check_alarm(where)
            return
        if not self.station or not self.bundle:
            raise InputError(f"{where}: station and bundle are required")
        if self.kind != "scan" and not self.operation:
            raise InputError(f"{where}: a {self.kind} needs the operation")

    def _check_alarm(self, where: str) -> None:
        # An alarm command names the alarm by its key; a shelve also its reason and expiry.
        if not self.station:
            raise InputError(f"{where}: station is required")
        if not str(self.payload.get("key") or ""):
            raise InputError(f"{where}: an {self.kind} needs the alarm's key in its payload")
        if self.kind == "alarm_shelve":
            if not str(self.payload.get("reason") or "").strip():
                raise InputError(f"{where}: a shelve needs a reason")
            self.shelved_until()

    def shelved_until(self) -> datetime:
        """The expiry an `alarm_shelve` carries (aware ISO time); InputError if it has none."""
        text = self.payload.get("until")
        try:
            until = datetime.fromisoformat(str(text))
        except ValueError:
            raise InputError(f"command {self.id}: shelve expiry {text!r} is not a time") from None
        if until.tzinfo is None:
            raise InputError(f"command {self.id}: shelve expiry {text!r} has no time zone")
        return until


def _command(row: LineCommandRow) -> Command:
    return Command(
        row.id, row.line, row.station, row.kind, row.bundle, row.operation, row.user,
        row.created_at, dict(row.payload or {}),
    )  # fmt: skip


def queue_command(
    session: Session,
    line: str,
    station: str,
    kind: str,
    bundle: str,
    operation: str | None,
    user: str,
    event_id: str | None = None,
    payload: dict[str, Any] | None = None,
) -> Command:
    """Add a command for the line to `session`'s transaction (with the action's audit row)."""
    command = Command(
        id=uuid.uuid4().hex,
        line=line,
        station=station,
        kind=kind,
        bundle=bundle.strip(),
        operation=operation,
        user=user,
        created_at=utcnow(),
        payload=dict(payload or {}),
    )
    command.check()
    session.add(
        LineCommandRow(
            id=command.id, line=line, station=station, kind=kind, bundle=command.bundle,
            operation=operation, user=user, event_id=event_id, payload=command.payload,
            created_at=command.created_at,
        )
    )  # fmt: skip
    return command


def waiting_commands(session: Session, line: str, limit: int = MAX_BATCH) -> list[Command]:
    """The line's commands not yet delivered, in the order they were given."""
    rows = session.scalars(
        select(LineCommandRow)
        .where(LineCommandRow.line == line, LineCommandRow.delivered_at.is_(None))
        .order_by(LineCommandRow.seq)
        .limit(limit)
    )
    return [_command(r) for r in rows]


def mark_delivered(session: Session, line: str, ids: list[str]) -> int:
    """Record that these commands are in the line's inbox; returns how many were newly marked."""
    if not ids:
        return 0
    result = session.execute(
        update(LineCommandRow)
        .where(
            LineCommandRow.line == line,
            LineCommandRow.id.in_(ids),
            LineCommandRow.delivered_at.is_(None),
        )
        .values(delivered_at=utcnow())
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def undelivered_count(session: Session, station: str) -> int:
    """How many of a station's commands still wait for its line (offline line, stopped uplink)."""
    rows = session.scalars(
        select(LineCommandRow.id).where(
            LineCommandRow.station == station, LineCommandRow.delivered_at.is_(None)
        )
    )
    return len(list(rows))
