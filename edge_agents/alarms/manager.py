"""The line's alarm list: conditions in, ISA-18.2 states kept, operator actions applied, events out.

Flood limiting (ISA-18.2 counts a flood as more than 10 alarms in 10 minutes per operator): once
`flood_max` alarms were raised within `flood_window_s`, further non-critical raises are held back
(tracked, not announced) and counted; when the rate falls again one `alarm.flood` event tells how
many were held and which are still active. Critical alarms are always announced.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from core.events import Event, EventType, utcnow
from edge_agents.alarms.state import Alarm, AlarmState, AlarmStateError, Priority

log = logging.getLogger(__name__)


class AlarmManager:
    def __init__(
        self,
        line: str,
        emit: Callable[[Event], None],
        clock: Callable[[], datetime] = utcnow,
        flood_window_s: float = 600.0,
        flood_max: int = 10,
        saved: dict[str, dict[str, Any]] | None = None,
    ) -> None:
        """`saved`: each alarm's state as the line last wrote it (`Outbox.alarm_states()`);
        an alarm takes it when it is defined, so an agent restart keeps what operators saw and
        did (acknowledged, shelved until ...) instead of raising everything again."""
        self.line = line
        self._saved = dict(saved or {})
        self._emit = emit
        self._clock = clock
        self.flood_window = timedelta(seconds=flood_window_s)
        self.flood_max = flood_max
        self.alarms: dict[str, Alarm] = {}
        self._raised: deque[datetime] = deque()
        self._held: set[str] = set()
        self._shelved: set[str] = set()  # keys shelved here: only these can expire in `tick`
        self._by_station: dict[str | None, list[Alarm]] = {}
        self._defined: dict[str, int] = {}  # key -> definition order
        self.held_total = 0
        self._held_in_flood = 0

    def define(self, key: str, station: str | None, message: str, priority: Priority) -> Alarm:
        alarm = self.alarms.get(key)
        if alarm is None:
            alarm = self.alarms[key] = Alarm(key, station, message, Priority(priority))
            if key in self._saved:
                self._restore(alarm, self._saved.pop(key))
            self._by_station.setdefault(station, []).append(alarm)
            self._defined[key] = len(self._defined)
        return alarm

    def _restore(self, alarm: Alarm, saved: dict[str, Any]) -> None:
        """Take the state the alarm had before the restart; a saved state that cannot be read
        is logged and the alarm starts from its condition, as without one."""
        try:
            state = AlarmState(saved["state"])
            since = _time(saved.get("since"))
            until = _time(saved.get("shelved_until"))
            value = saved.get("value")
            value = None if value is None else float(value)
        except (KeyError, TypeError, ValueError) as exc:
            log.error("alarm %s: saved state unreadable (%r); from its condition", alarm.key, exc)
            return
        alarm.state = state
        alarm.active = bool(saved.get("active"))
        alarm.value = value
        alarm.since = since
        alarm.shelved_until = until
        alarm.acked_by = saved.get("acked_by")
        alarm.shelved_by = saved.get("shelved_by")
        alarm.shelve_reason = saved.get("shelve_reason")
        if state == AlarmState.SHELVED:
            self._shelved.add(alarm.key)  # its expiry is checked by `tick`

    def _get(self, key: str) -> Alarm:
        try:
            return self.alarms[key]
        except KeyError:
            raise AlarmStateError(f"no alarm {key!r} on line {self.line}") from None

    def update(self, key: str, active: bool, value: float | None = None) -> None:
        """Follow the condition of alarm `key` (defined before)."""
        alarm = self._get(key)
        self.tick()
        if value is not None:
            alarm.value = value
        before = alarm.state
        if not alarm.condition(active):
            return
        now = self._clock()
        alarm.since = now
        if alarm.state == AlarmState.UNACK and before in (AlarmState.NORMAL, AlarmState.RTN_UNACK):
            self._raise(alarm, now)
        else:
            self._changed(alarm, "returned" if not active else "condition")

    def acknowledge(self, key: str, user: str) -> Alarm:
        alarm = self._get(key)
        alarm.acknowledge(user)
        self._changed(alarm, "acknowledged", user)
        return alarm

    def shelve(self, key: str, user: str, duration_s: float, reason: str | None = None) -> Alarm:
        if duration_s <= 0:
            raise AlarmStateError(f"shelving {key} needs a positive duration, not {duration_s}")
        return self.shelve_until(key, user, self._clock() + timedelta(seconds=duration_s), reason)

    def shelve_until(
        self, key: str, user: str, until: datetime, reason: str | None = None
    ) -> Alarm:
        """Shelve to a fixed expiry (an HMI shelve that may reach the line late)."""
        alarm = self._get(key)
        if until <= self._clock():
            raise AlarmStateError(
                f"the shelve of alarm {key} ran out at {until.isoformat()}, before it reached"
                f" line {self.line}"
            )
        alarm.shelve(user, until, reason)
        self._shelved.add(key)
        self._changed(alarm, "shelved", user)
        return alarm

    def restate(self, key: str, why: str) -> Alarm:
        """Announce the alarm's state as it is (after an operator action that changed nothing
        here, so the centre's journal shows the line's state, not the one it expected)."""
        alarm = self._get(key)
        self._changed(alarm, why)
        return alarm

    @contextmanager
    def emitting_to(self, emit: Callable[[Event], None]) -> Iterator[None]:
        """Collect the events of what happens inside (to write them in one transaction)."""
        saved, self._emit = self._emit, emit
        try:
            yield
        finally:
            self._emit = saved

    def unshelve(self, key: str, user: str | None = None) -> Alarm:
        alarm = self._get(key)
        alarm.unshelve()
        self._after_release(alarm, "unshelved", user)
        return alarm

    def suppress_station(
        self, station: str, reason: str, keep: frozenset[str] = frozenset()
    ) -> None:
        """Suppress by design the alarms of `station` but those in `keep` (e.g. machine stopped)."""
        for alarm in self._by_station.get(station, ()):
            if alarm.key not in keep and alarm.state != AlarmState.SUPPRESSED:
                alarm.suppress()
                self._changed(alarm, f"suppressed: {reason}")

    def unsuppress_station(self, station: str) -> None:
        for alarm in self._by_station.get(station, ()):
            if alarm.state == AlarmState.SUPPRESSED:
                alarm.unsuppress()
                self._after_release(alarm, "unsuppressed")

    def tick(self) -> None:
        """Expire shelves and end a flood; call it now and then even when nothing happens.

        Runs on every condition update, so it looks only at the shelved alarms, not all of them.
        """
        now = self._clock()
        for key in sorted(self._shelved, key=self._defined.__getitem__):  # definition order
            alarm = self.alarms[key]
            if alarm.state != AlarmState.SHELVED:
                self._shelved.discard(key)  # unshelved by hand, or suppressed since
            elif alarm.shelved_until and alarm.shelved_until <= now:
                self._shelved.discard(key)
                alarm.unshelve()
                self._after_release(alarm, "shelve expired")
        while self._raised and now - self._raised[0] > self.flood_window:
            self._raised.popleft()
        if self._held_in_flood and len(self._raised) < self.flood_max:
            still = sorted(k for k in self._held if self.alarms[k].active)
            self._emit_event(
                EventType.ALARM_FLOOD,
                None,
                {"held": self._held_in_flood, "still_active": still, "held_total": self.held_total},
            )
            log.warning(
                "alarm flood on %s over: %d alarms were held back", self.line, self._held_in_flood
            )
            self._held_in_flood = 0
            self._held.clear()

    def _after_release(self, alarm: Alarm, why: str, user: str | None = None) -> None:
        if alarm.state == AlarmState.UNACK:
            self._raise(alarm, self._clock())
        else:
            self._changed(alarm, why, user)

    def _raise(self, alarm: Alarm, now: datetime) -> None:
        while self._raised and now - self._raised[0] > self.flood_window:
            self._raised.popleft()
        if alarm.priority != Priority.CRITICAL and len(self._raised) >= self.flood_max:
            self._held.add(alarm.key)
            self.held_total += 1
            self._held_in_flood += 1
            return
        self._raised.append(now)
        self._held.discard(alarm.key)
        self._emit_event(EventType.ALARM_RAISED, alarm.station, alarm.to_dict())

    def _changed(self, alarm: Alarm, why: str, user: str | None = None) -> None:
        if alarm.key in self._held:
            return  # never announced: its later changes would only add to the flood
        payload = alarm.to_dict() | {"change": why}
        if user is not None:
            payload["user"] = user
        self._emit_event(EventType.ALARM_CHANGED, alarm.station, payload)

    def _emit_event(self, kind: str, station: str | None, payload: dict) -> None:
        self._emit(
            Event(line=self.line, station=station, type=kind, time=self._clock(), payload=payload)
        )

    def standing(self) -> list[Alarm]:
        """Alarms an operator should see (not normal), most urgent first."""
        order = {p: i for i, p in enumerate(Priority)}
        shown = [a for a in self.alarms.values() if a.state != AlarmState.NORMAL]
        return sorted(shown, key=lambda a: (order[a.priority], a.since or self._clock()))


def _time(text: Any) -> datetime | None:
    if text is None:
        return None
    moment = datetime.fromisoformat(str(text))
    if moment.tzinfo is None:
        raise ValueError(f"time {text} has no time zone")
    return moment
