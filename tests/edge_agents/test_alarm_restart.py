"""An agent restart keeps the alarms' ISA-18.2 states: the outbox keeps each alarm's latest state
with the event that reports it, and a new `AlarmManager` starts from there."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.events import Event, EventType
from edge_agents.alarms.manager import AlarmManager
from edge_agents.alarms.state import AlarmState, Priority
from edge_agents.outbox import Outbox

KEY = "S1.needle_temperature.HI"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def _agent(box: Outbox, clock: Clock) -> tuple[AlarmManager, list[Event]]:
    """What `devices.sample_pipeline` does at start: a manager writing to the outbox, from the
    states the outbox kept; returns it and the events it writes from now on."""
    written: list[Event] = []

    def emit(event: Event) -> None:
        box.append([event])
        written.append(event)

    manager = AlarmManager("L1", emit, clock=clock, saved=box.alarm_states())
    manager.define(KEY, "S1", "needle hot", Priority.HIGH)
    manager.define("S2.fault", "S2", "machine fault", Priority.CRITICAL)
    return manager, written


@pytest.fixture
def box(tmp_path):
    with Outbox(tmp_path / "L1.sqlite") as outbox:
        yield outbox


def test_an_acknowledged_alarm_still_active_after_a_restart_is_not_raised_again(box, tmp_path):
    clock = Clock()
    before, _ = _agent(box, clock)
    before.update(KEY, True, 81.0)
    before.acknowledge(KEY, "olga")
    box.close()  # the agent dies here
    with Outbox(tmp_path / "L1.sqlite") as again:
        after, written = _agent(again, clock)
        alarm = after.alarms[KEY]
        assert (alarm.state, alarm.active, alarm.acked_by) == (AlarmState.ACKED, True, "olga")
        assert alarm.value == 81.0 and alarm.since == clock.now
        after.update(KEY, True, 82.0)  # the condition holds: nothing new to announce
        assert written == []
        after.update(KEY, False, 60.0)  # it clears: back to normal, as before the restart
        assert [(e.type, e.payload["state"]) for e in written] == [
            (EventType.ALARM_CHANGED, "normal")
        ]
        assert after.alarms["S2.fault"].state == AlarmState.NORMAL  # never raised, no state


def test_a_shelved_alarm_stays_shelved_across_a_restart_and_returns_at_its_expiry(box, tmp_path):
    clock = Clock()
    before, _ = _agent(box, clock)
    before.update(KEY, True, 81.0)
    before.shelve(KEY, "olga", duration_s=600, reason="sensor being replaced")
    box.close()
    with Outbox(tmp_path / "L1.sqlite") as again:
        after, written = _agent(again, clock)
        alarm = after.alarms[KEY]
        assert alarm.state == AlarmState.SHELVED
        assert (alarm.shelved_by, alarm.shelve_reason) == ("olga", "sensor being replaced")
        assert alarm.shelved_until == clock.now + timedelta(seconds=600)
        clock.now += timedelta(seconds=601)
        after.tick()
        assert [(e.type, e.payload["state"]) for e in written] == [
            (EventType.ALARM_RAISED, "unacknowledged")  # still active when the shelf ran out
        ]


def test_an_unreadable_saved_state_starts_the_alarm_from_its_condition(box, tmp_path, caplog):
    clock = Clock()
    before, _ = _agent(box, clock)
    before.update(KEY, True, 81.0)
    box.close()
    with Outbox(tmp_path / "L1.sqlite") as damaged:
        damaged.query('UPDATE alarm_states SET body = \'{"state": "sleepy"}\'')
    with Outbox(tmp_path / "L1.sqlite") as again:
        after, written = _agent(again, clock)
        assert after.alarms[KEY].state == AlarmState.NORMAL
        assert "saved state unreadable" in caplog.text
        after.update(KEY, True, 81.0)
        assert [e.type for e in written] == [EventType.ALARM_RAISED]


def test_the_latest_alarm_event_of_a_batch_is_the_state_kept(box):
    raised = Event("L1", EventType.ALARM_RAISED, {"key": KEY, "state": "unacknowledged"}, "S1")
    acked = Event("L1", EventType.ALARM_CHANGED, {"key": KEY, "state": "acknowledged"}, "S1")
    other = Event("L1", EventType.MACHINE_COUNT, {"key": KEY, "state": "none of its business"})
    box.append([raised, acked, other])
    assert box.alarm_states() == {KEY: {"key": KEY, "state": "acknowledged"}}
    assert box.all_ids() == [raised.id, acked.id, other.id]
