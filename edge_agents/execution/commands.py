"""Operators' commands from the HMI applied to the line's execution state, in order, once each.

A command (`core.commands.Command`, delivered by the uplink into the outbox's commands table)
is applied through the same local API a scanner uses, so it produces the same events; it is
marked applied in the transaction of its effect, so a redelivered or replayed command changes
nothing. A command that does not fit (finishing an operation never started, another station)
becomes a `command.refused` event saying why. Alarm commands (acknowledge, shelve) go to the
line's `AlarmManager`, which owns the alarms' ISA-18.2 states (`alarm_commands.py`).
"""

from __future__ import annotations

import logging
from typing import Any

from core.commands import Command
from core.errors import InputError
from core.events import Event, EventType
from core.schema.commands import ALARM_COMMANDS
from edge_agents.alarms.manager import AlarmManager
from edge_agents.execution.alarm_commands import apply_alarm_command
from edge_agents.execution.state import Also, ExecutionState
from edge_agents.outbox import Outbox

log = logging.getLogger(__name__)

SOURCE = "hmi"


class CommandRunner:
    """Applies the commands waiting in the outbox to an `ExecutionState`."""

    def __init__(self, state: ExecutionState, alarms: AlarmManager | None = None) -> None:
        self.state = state
        # The line's alarm manager, plugged in with the devices (`edge_agents.devices`).
        self.alarms = alarms

    def apply_pending(self) -> int:
        """Apply every command not yet applied, oldest first; returns how many were handled."""
        pending = self.state.outbox.pending_commands()
        for command_id, body in pending:
            self.apply(command_id, body)
        return len(pending)

    def apply(self, command_id: str, body: dict[str, Any]) -> None:
        mark = Outbox.command_applied(command_id)
        try:
            command = Command.from_dict(body)
            if command.line != self.state.line:
                raise InputError(f"command {command_id} is for line {command.line}")
            self._run(command, mark)
        except InputError as exc:
            # An alarm refusal also says how the alarm stands on the line (`alarm_commands`).
            self._refuse(command_id, body, str(exc), mark, getattr(exc, "events", []))

    def _run(self, command: Command, mark: Any) -> None:
        facts = {"command_id": command.id, "user": command.user}
        if command.kind in ALARM_COMMANDS:
            events = apply_alarm_command(self.alarms, command, self.state.line)
            self.state.outbox.append_with(events, [mark])
            return
        if command.kind == "scan":
            # An HMI scan acts as a scanner's: the scan is a fact, then what it starts or ends.
            scanned = self.state.event(
                EventType.BUNDLE_SCANNED,
                command.station,
                {"bundle": command.bundle, "source": SOURCE} | facts,
            )
            also = Also(facts=facts, events_before=(scanned,), statements=(mark,))
            self.state.scan(command.station, command.bundle, source=SOURCE, also=also)
            return
        assert command.operation is not None  # Command.check: every kind but scan names it
        also = Also(facts=facts, statements=(mark,))
        args = (command.station, command.bundle, command.operation)
        if command.kind == "start":
            self.state.start(*args, source=SOURCE, also=also)
        elif command.kind == "pause":
            self.state.pause(*args, source=SOURCE, also=also)
        elif command.kind == "finish":
            self.state.finish(*args, source=SOURCE, also=also)
        else:
            reason = str(command.payload.get("reason", ""))
            self.state.scrap(*args, reason=reason, source=SOURCE, also=also)

    def _refuse(
        self,
        command_id: str,
        body: dict[str, Any],
        reason: str,
        mark: Any,
        alongside: list[Event] | None = None,
    ) -> None:
        station = body.get("station")
        payload = body.get("payload")
        alarm = payload.get("key") if isinstance(payload, dict) else None
        refused: Event = self.state.event(
            EventType.COMMAND_REFUSED,
            str(station)[:32] if station else None,
            {
                "command_id": command_id,
                "kind": body.get("kind"),
                "bundle": body.get("bundle"),
                "operation": body.get("operation"),
                "user": body.get("user"),
                "source": SOURCE,
                "reason": reason,
            }
            | ({"alarm": str(alarm)} if alarm else {}),
        )
        self.state.outbox.append_with([*(alongside or []), refused], [mark])
        log.warning("line %s: operator command refused: %s", self.state.line, reason)
