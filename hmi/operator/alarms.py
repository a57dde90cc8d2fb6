"""A station's active alarms and the operator's ISA-18.2 responses: acknowledge and shelve.

The journal row changes at once (what the operator sees), and a command for the line's agent is
queued in the same transaction (`core.commands`): the line's own alarm manager applies it, and
its alarm events bring the journal to the state the line really has.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.audit import record
from core.commands import Command, queue_command
from core.errors import InputError
from core.events import utcnow
from core.schema import AlarmRow
from core.states import AlarmState
from hmi.operator.actions import Acting
from hmi.roles import require

SHOWN = (
    AlarmState.UNACKNOWLEDGED.value,
    AlarmState.ACKNOWLEDGED.value,
    AlarmState.RETURNED_UNACKNOWLEDGED.value,
    AlarmState.SHELVED.value,
)
MAX_SHELVE_MIN = 8 * 60  # at most a shift; a longer shelve hides a real problem


@dataclass(frozen=True)
class StationAlarm:
    id: int
    key: str
    message: str
    priority: str
    state: str
    raised_at: datetime
    shelved_until: datetime | None


def _state(r: AlarmRow) -> dict[str, object]:
    return {
        "state": r.state,
        "acknowledged_by": r.acknowledged_by,
        "shelved_until": r.shelved_until.isoformat() if r.shelved_until else None,
        "shelve_reason": r.shelve_reason,
    }


def station_alarms(session: Session, station: str) -> list[StationAlarm]:
    """Alarms needing the operator's eyes, newest first; a shelve past its expiry shows again."""
    now = utcnow()
    rows = session.scalars(
        select(AlarmRow)
        .where(AlarmRow.station == station, AlarmRow.state.in_(SHOWN))
        .order_by(AlarmRow.raised_at.desc())
    )
    return [
        StationAlarm(r.id, r.key, r.message, r.priority, r.state, r.raised_at, r.shelved_until)
        for r in rows
        if r.state != AlarmState.SHELVED.value or (r.shelved_until and r.shelved_until <= now)
    ]


def _alarm(session: Session, alarm_id: int, station: str) -> AlarmRow:
    row = session.get(AlarmRow, alarm_id, with_for_update=True)
    if row is None or row.station != station:
        raise InputError(f"alarm {alarm_id} is not an alarm of station {station}")
    return row


def acknowledge(session: Session, who: Acting, station: str, alarm_id: int) -> None:
    """Unacknowledged -> acknowledged; returned-unacknowledged -> normal (ISA-18.2)."""
    require(who.screen.role, "operator", "acknowledge an alarm")
    row = _alarm(session, alarm_id, station)
    before = _state(row)
    if row.state == AlarmState.UNACKNOWLEDGED.value:
        row.state = AlarmState.ACKNOWLEDGED.value
    elif row.state == AlarmState.RETURNED_UNACKNOWLEDGED.value:
        row.state = AlarmState.NORMAL.value
    else:
        raise InputError(f"alarm {alarm_id} is {row.state}; only unacknowledged alarms need it")
    row.acknowledged_at = utcnow()
    row.acknowledged_by = who.operator
    command = _to_line(session, who, row, "alarm_ack", {})
    after = _state(row) | {"command": command.id}
    record(session, who.actor, "alarm.acknowledge", f"alarm:{alarm_id}", before, after)


def shelve(
    session: Session, who: Acting, station: str, alarm_id: int, reason: str, minutes: int
) -> None:
    """Hide an alarm for `minutes` with a reason; it shows again when the shelve expires."""
    require(who.screen.role, "operator", "shelve an alarm")
    if not reason.strip():
        raise InputError(f"shelving alarm {alarm_id}: give a reason")
    if not 1 <= minutes <= MAX_SHELVE_MIN:
        raise InputError(f"shelving alarm {alarm_id}: duration must be 1 to {MAX_SHELVE_MIN} min")
    row = _alarm(session, alarm_id, station)
    if row.state not in SHOWN:
        raise InputError(f"alarm {alarm_id} is {row.state}; there is nothing to shelve")
    before = _state(row)
    now = utcnow()
    row.state = AlarmState.SHELVED.value
    row.shelved_at = now
    row.shelved_until = now + timedelta(minutes=minutes)
    row.shelved_by = who.operator
    row.shelve_reason = reason.strip()
    shelf = {
        "reason": row.shelve_reason,
        "until": row.shelved_until.isoformat(),
        "minutes": minutes,
    }
    command = _to_line(session, who, row, "alarm_shelve", shelf)
    after = _state(row) | {"command": command.id}
    record(session, who.actor, "alarm.shelve", f"alarm:{alarm_id}", before, after)


def _to_line(
    session: Session, who: Acting, row: AlarmRow, kind: str, extra: dict[str, object]
) -> Command:
    """The same action for the line's alarm manager, which owns the alarm's state."""
    payload = {"key": row.key, "alarm_id": row.id} | extra
    station = row.station or ""
    return queue_command(session, row.line, station, kind, "", None, who.operator, None, payload)
