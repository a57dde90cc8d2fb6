"""An operator's actions at a station: start, pause, finish or scrap a bundle's operation, scan a
bundle, and call the andon. Each is an audit row in the caller's transaction, with the HMI's own
record (an event) and, for the line's agent, a command (`core.commands`) in the same transaction:
the agent applies it to its execution and its own events come back through the event path."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.orm import Session

from core.audit import record
from core.commands import queue_command
from core.errors import InputError
from core.events import Event, EventType
from core.store_events import store_events
from hmi.operator.station import Station, Work, station_queue
from hmi.roles import require
from hmi.session import SignedIn

log = logging.getLogger(__name__)

# Which action is allowed from which status of the operation (the button says what it does).
ACTIONS = {
    "start": (EventType.OPERATION_STARTED, ("queued", "paused")),
    "pause": (EventType.OPERATION_PAUSED, ("running",)),
    "finish": (EventType.OPERATION_FINISHED, ("running",)),
    "scrap": (EventType.OPERATION_SCRAPPED, ("running", "paused")),
}
ANDON_KINDS = ("maintenance", "quality", "material")


@dataclass(frozen=True)
class Acting:
    """Who is signed in on the station's screen, and who works at it now (switched by PIN)."""

    screen: SignedIn
    operator: str

    @property
    def actor(self) -> str:
        return f"hmi:{self.operator}"


def _find(session: Session, station: Station, bundle: str, operation: str) -> Work:
    for work in station_queue(session, station):
        if (work.bundle, work.operation) == (bundle, operation):
            return work
    raise InputError(
        f"bundle {bundle} operation {operation} is not open at station {station.id} "
        "(not planned here, or already finished or scrapped)"
    )


def operate(
    session: Session, who: Acting, station: Station, bundle: str, operation: str, action: str
) -> Event:
    """Record `action` on the bundle's operation; refuse it when the operation's status does
    not allow it (e.g. finishing work that was never started)."""
    require(who.screen.role, "operator", f"{action} an operation")
    if action not in ACTIONS:
        raise InputError(f"unknown operator action {action!r}; use one of {', '.join(ACTIONS)}")
    kind, allowed = ACTIONS[action]
    work = _find(session, station, bundle, operation)
    if work.status not in allowed:
        raise InputError(f"bundle {bundle} operation {operation} is {work.status}; cannot {action}")
    event = Event(
        line=station.line,
        station=station.id,
        type=kind,
        payload={
            "bundle": bundle,
            "order_id": work.order_id,
            "operation": operation,
            "user": who.operator,
            "screen_user": who.screen.name,
        },
    )
    store_events(session, [event])
    command = queue_command(
        session, station.line, station.id, action, bundle, operation, who.operator, event.id
    )
    record(
        session,
        who.actor,
        f"operation.{action}",
        f"station:{station.id}/bundle:{bundle}/op:{operation}",
        {"status": work.status},
        {"event": event.id, "type": kind, "screen_user": who.screen.name, "command": command.id},
    )
    return event


def call_andon(session: Session, who: Acting, station: Station, kind: str, note: str = "") -> Event:
    require(who.screen.role, "operator", "call the andon")
    if kind not in ANDON_KINDS:
        raise InputError(f"andon call {kind!r}: use one of {', '.join(ANDON_KINDS)}")
    event = Event(
        line=station.line,
        station=station.id,
        type=EventType.ANDON_CALLED,
        payload={"kind": kind, "note": note.strip(), "user": who.operator},
    )
    store_events(session, [event])
    record(
        session,
        who.actor,
        "andon.call",
        f"station:{station.id}",
        None,
        {"kind": kind, "event": event.id},
    )
    return event


def scan(queue: list[Work], station: Station, code: str) -> Work:
    """The queued work for a scanned bundle code, or why it cannot be picked here."""
    code = code.strip()
    if not code:
        raise InputError("scanned code is empty")
    for work in queue:
        if work.bundle == code:
            return work
    raise InputError(
        f"bundle {code} is not queued at station {station.id}: it is not in the published plan "
        "for this station, or its operation here is already finished"
    )


def scan_bundle(session: Session, who: Acting, station: Station, code: str) -> Work:
    """A bundle scanned on the screen (a scanner that types): it becomes the current work here,
    and the line's agent takes it as a scanner's scan (starts, or finishes what runs)."""
    require(who.screen.role, "operator", "scan a bundle")
    work = scan(station_queue(session, station), station, code)
    command = queue_command(session, station.line, station.id, "scan", work.bundle, None,
                            who.operator)  # fmt: skip
    record(
        session,
        who.actor,
        "bundle.scan",
        f"station:{station.id}/bundle:{work.bundle}",
        None,
        {"command": command.id, "operation": work.operation, "screen_user": who.screen.name},
    )
    return work
