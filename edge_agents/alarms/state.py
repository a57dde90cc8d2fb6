"""One alarm's ISA-18.2 state: its condition (active or not) and what the operator did about it.

    NORMAL --active--> UNACK --ack--> ACKED --clear--> NORMAL
                       UNACK --clear--> RTN_UNACK --ack--> NORMAL
                                        RTN_UNACK --active--> UNACK
    any --shelve(until)--> SHELVED --expiry/unshelve--> (what the condition says now)
    any --suppress--> SUPPRESSED --unsuppress--> (what the condition says now)

While shelved or suppressed the condition is still followed, so the alarm comes back right.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class AlarmState(StrEnum):
    NORMAL = "normal"
    UNACK = "unacknowledged"
    ACKED = "acknowledged"
    RTN_UNACK = "returned_unacknowledged"
    SHELVED = "shelved"
    SUPPRESSED = "suppressed"


class Priority(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class AlarmStateError(ValueError):
    """An operator action that does not apply to the alarm's state (e.g. ack of a normal alarm)."""


@dataclass
class Alarm:
    """An alarm instance: `key` names source and condition, e.g. 'S3.needle_temperature.HI'."""

    key: str
    station: str | None
    message: str
    priority: Priority
    state: AlarmState = AlarmState.NORMAL
    active: bool = False
    value: float | None = None
    since: datetime | None = None
    shelved_until: datetime | None = None
    acked_by: str | None = None
    shelved_by: str | None = None
    shelve_reason: str | None = None

    def _settle(self) -> AlarmState:
        """Where the alarm goes after shelving or suppression ends."""
        return AlarmState.UNACK if self.active else AlarmState.NORMAL

    def condition(self, active: bool) -> bool:
        """Follow the process condition; returns True if the state changed."""
        before = self.state
        self.active = active
        if self.state in (AlarmState.SHELVED, AlarmState.SUPPRESSED):
            return False
        if active and self.state in (AlarmState.NORMAL, AlarmState.RTN_UNACK):
            self.state = AlarmState.UNACK
            self.acked_by = None
        elif not active and self.state == AlarmState.UNACK:
            self.state = AlarmState.RTN_UNACK
        elif not active and self.state == AlarmState.ACKED:
            self.state = AlarmState.NORMAL
        return self.state != before

    def acknowledge(self, user: str) -> None:
        if self.state == AlarmState.UNACK:
            self.state = AlarmState.ACKED
        elif self.state == AlarmState.RTN_UNACK:
            self.state = AlarmState.NORMAL
        else:
            raise AlarmStateError(f"alarm {self.key} is {self.state.value}; nothing to acknowledge")
        self.acked_by = user

    def shelve(self, user: str, until: datetime, reason: str | None = None) -> None:
        if self.state == AlarmState.SUPPRESSED:
            raise AlarmStateError(f"alarm {self.key} is suppressed by design; it cannot be shelved")
        self.state = AlarmState.SHELVED
        self.shelved_until = until
        self.shelved_by = user
        self.shelve_reason = reason

    def unshelve(self) -> None:
        if self.state != AlarmState.SHELVED:
            raise AlarmStateError(f"alarm {self.key} is {self.state.value}, not shelved")
        self.shelved_until = None
        self.shelved_by = None
        self.shelve_reason = None
        self.state = self._settle()

    def suppress(self) -> None:
        self.shelved_until = None
        self.state = AlarmState.SUPPRESSED

    def unsuppress(self) -> None:
        if self.state == AlarmState.SUPPRESSED:
            self.state = self._settle()

    def to_dict(self) -> dict:
        return {
            "key": self.key,
            "station": self.station,
            "message": self.message,
            "priority": self.priority.value,
            "state": self.state.value,
            "active": self.active,
            "value": self.value,
            "since": self.since.isoformat() if self.since else None,
            "shelved_until": self.shelved_until.isoformat() if self.shelved_until else None,
            "acked_by": self.acked_by,
            "shelved_by": self.shelved_by,
            "shelve_reason": self.shelve_reason,
        }
