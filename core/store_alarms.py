"""Alarms into the store: the alarm journal the HMI shows, kept from the lines' alarm events.

`alarm.raised` opens a row (one per activation; the raising event's id is kept, so the same
event never opens two), `alarm.changed` brings the key's latest row to the state the edge
reports. The caller passes only events that were new to the event store, in their order, so a
replay changes nothing and an old change never overwrites a newer one.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.events import Event, EventType
from core.schema import AlarmRow
from core.states import AlarmPriority, AlarmState

log = logging.getLogger(__name__)

ALARM_EVENTS = (EventType.ALARM_RAISED, EventType.ALARM_CHANGED)
_OPEN = [s.value for s in AlarmState if s != AlarmState.NORMAL]


def apply_alarm_events(session: Session, events: Sequence[Event]) -> int:
    """Apply new alarm events (others are ignored) in time order; returns rows touched.
    A malformed alarm event is logged and skipped: the event itself is in the store."""
    touched = 0
    for event in sorted((e for e in events if e.type in ALARM_EVENTS), key=lambda e: e.time):
        key = event.payload.get("key")
        if not isinstance(key, str) or not key:
            log.error("alarm event %s from %s has no key; not journalled", event.id, event.line)
            continue
        try:
            if event.type == EventType.ALARM_RAISED:
                touched += _raised(session, event, key)
            else:
                touched += _changed(session, event, key)
        except (TypeError, ValueError) as exc:
            log.error("alarm event %s (%s) is malformed: %s; not journalled", event.id, key, exc)
    session.flush()
    return touched


def _raised(session: Session, event: Event, key: str) -> int:
    if session.scalar(select(AlarmRow.id).where(AlarmRow.event_id == event.id)) is not None:
        return 0
    # A new activation ends the previous instance of the same alarm in the journal.
    for old in session.scalars(
        select(AlarmRow).where(
            AlarmRow.line == event.line, AlarmRow.key == key, AlarmRow.state.in_(_OPEN)
        )
    ):
        old.state, old.active = AlarmState.NORMAL.value, False
    row = AlarmRow(key=key, line=event.line, raised_at=event.time, event_id=event.id)
    _apply(row, event)
    session.add(row)
    return 1


def _changed(session: Session, event: Event, key: str) -> int:
    row = session.scalar(
        select(AlarmRow)
        .where(AlarmRow.line == event.line, AlarmRow.key == key)
        .order_by(AlarmRow.raised_at.desc(), AlarmRow.id.desc())
        .limit(1)
    )
    if row is None:
        # Its raise was held back in a flood or pruned: the change opens the row.
        row = AlarmRow(key=key, line=event.line, raised_at=event.time, event_id=event.id)
        session.add(row)
    _apply(row, event)
    return 1


def _apply(row: AlarmRow, event: Event) -> None:
    p: dict[str, Any] = event.payload
    state = AlarmState(p.get("state", AlarmState.UNACKNOWLEDGED.value))
    row.station = p.get("station") or event.station
    row.message = str(p.get("message") or row.message or p["key"])[:500]
    row.priority = AlarmPriority(p.get("priority", AlarmPriority.MEDIUM.value)).value
    row.active = bool(p.get("active", state != AlarmState.NORMAL))
    row.value = float(p["value"]) if p.get("value") is not None else None
    if state == AlarmState.ACKNOWLEDGED or (p.get("change") == "acknowledged"):
        row.acknowledged_by = str(p.get("acked_by") or p.get("user") or "unknown")[:64]
        row.acknowledged_at = row.acknowledged_at or event.time
    if not row.active and row.returned_at is None:
        row.returned_at = event.time
    if state == AlarmState.SHELVED:
        until = p.get("shelved_until")
        row.shelved_until = datetime.fromisoformat(until) if until else event.time
        row.shelved_by = str(p.get("shelved_by") or p.get("user") or "unknown")[:64]
        row.shelved_at = row.shelved_at or event.time
        if p.get("shelve_reason"):
            row.shelve_reason = str(p["shelve_reason"])[:500]
    if state == AlarmState.SUPPRESSED:
        row.suppressed_reason = str(p.get("change") or "suppressed by design")[:500]
    row.state = state.value
