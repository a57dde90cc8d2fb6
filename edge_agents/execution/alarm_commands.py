"""An operator's acknowledge or shelve from the HMI applied to the line's alarm manager.

The line's alarm manager owns each alarm's ISA-18.2 state (it keeps running offline), so the
HMI's action takes effect only here; the resulting `alarm.changed` (with `command_id`) brings
the centre's journal to the line's state. Acknowledging an alarm that needs no acknowledgement
any more (acknowledged already, or back to normal) is done, not refused; an action that does
not fit is refused with the reason and the alarm's state is announced as it is, so the journal
does not keep what the HMI expected.
"""

from __future__ import annotations

from core.commands import Command
from core.errors import InputError
from core.events import Event, EventType
from edge_agents.alarms.manager import AlarmManager
from edge_agents.alarms.state import AlarmState, AlarmStateError

NOTHING_TO_ACK = (AlarmState.ACKED, AlarmState.NORMAL)


class AlarmCommandRefused(InputError):
    """The alarm command cannot be applied; `events` say how the alarm stands now."""

    def __init__(self, message: str, events: list[Event]) -> None:
        super().__init__(message)
        self.events = events


def apply_alarm_command(manager: AlarmManager | None, command: Command, line: str) -> list[Event]:
    """The alarm events of `command` (to be written with its applied mark); raises
    `AlarmCommandRefused` (an InputError) naming why it cannot be applied."""
    key = str(command.payload["key"])
    if manager is None or key not in manager.alarms:
        raise AlarmCommandRefused(f"no alarm {key} on line {line}", [])
    alarm = manager.alarms[key]
    if alarm.station is not None and alarm.station != command.station:
        raise AlarmCommandRefused(
            f"alarm {key} is an alarm of station {alarm.station}, not {command.station}", []
        )
    events: list[Event] = []
    with manager.emitting_to(events.append):
        try:
            if command.kind == "alarm_ack" and alarm.state in NOTHING_TO_ACK:
                manager.restate(key, f"already {alarm.state.value}")
            elif command.kind == "alarm_ack":
                manager.acknowledge(key, command.user)
            else:
                reason = str(command.payload.get("reason") or "")
                manager.shelve_until(key, command.user, command.shelved_until(), reason)
        except AlarmStateError as exc:
            manager.restate(key, "restated")
            raise AlarmCommandRefused(str(exc), _tagged(events, command)) from None
    return _tagged(events, command)


def _tagged(events: list[Event], command: Command) -> list[Event]:
    for event in events:
        if event.type in (EventType.ALARM_CHANGED, EventType.ALARM_RAISED):
            event.payload["command_id"] = command.id
            event.payload.setdefault("user", command.user)
    return events
