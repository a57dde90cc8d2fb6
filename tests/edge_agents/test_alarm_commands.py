"""Operators' acknowledge and shelve from the HMI applied to the line's own alarm manager:
once per command id, with the alarm events that carry the change back, idempotent where ISA-18.2
allows it, and refusals that say why (and how the alarm stands on the line)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from core.events import Event, EventType
from edge_agents.alarms.manager import AlarmManager
from edge_agents.alarms.state import AlarmState, Priority
from edge_agents.execution.commands import CommandRunner
from edge_agents.execution.state import ExecutionState
from edge_agents.outbox import Outbox

KEY = "S1.needle_temperature.HI"
_n = 0


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def alarm_command(kind: str, key: str = KEY, station: str = "S1", **payload: Any) -> dict:
    """An alarm command as the centre sends it (`core.commands.Command.to_dict()`)."""
    global _n
    _n += 1
    return {
        "id": f"alarm-cmd-{_n}",
        "line": "L1",
        "station": station,
        "kind": kind,
        "bundle": "",
        "operation": None,
        "user": "olga",
        "created_at": datetime(2026, 11, 22, 8, 0, tzinfo=UTC).isoformat(),
        "payload": {"key": key, "alarm_id": 7} | payload,
    }


def of(box: Outbox, kind: str) -> list[Event]:
    return [e for e in box.unshipped(limit=100_000) if e.type == kind]


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def box(tmp_path):
    with Outbox(tmp_path / "L1.sqlite") as box:
        yield box


@pytest.fixture
def alarms(box, clock) -> AlarmManager:
    manager = AlarmManager("L1", lambda e: box.append([e]), clock=clock)
    manager.define(KEY, "S1", "needle hot", Priority.HIGH)
    manager.define("S2.motor_current.HI", "S2", "motor current high", Priority.MEDIUM)
    manager.define("S1.speed.LO", "S1", "speed low", Priority.LOW)
    return manager


@pytest.fixture
def runner(box, clock, alarms) -> CommandRunner:
    return CommandRunner(ExecutionState(box, "L1", clock), alarms)


def test_acknowledge_reaches_the_alarm_once_and_reports_back(box, alarms, runner):
    alarms.update(KEY, True, 91.0)
    ack = alarm_command("alarm_ack")
    box.put_commands([ack])
    assert runner.apply_pending() == 1
    assert alarms.alarms[KEY].state == AlarmState.ACKED
    assert alarms.alarms[KEY].acked_by == "olga"
    (changed,) = of(box, EventType.ALARM_CHANGED)
    assert changed.payload["state"] == "acknowledged"
    assert changed.payload["change"] == "acknowledged"
    assert (changed.payload["command_id"], changed.payload["user"]) == (ack["id"], "olga")
    assert changed.station == "S1"
    # Delivered again (lost acknowledgement to the centre): kept once, applied once.
    assert box.put_commands([ack]) == 0
    assert runner.apply_pending() == 0
    assert len(of(box, EventType.ALARM_CHANGED)) == 1
    # Returned after acknowledgement: normal, as ISA-18.2 says.
    alarms.update(KEY, False, 60.0)
    assert alarms.alarms[KEY].state == AlarmState.NORMAL


def test_acknowledging_a_returned_alarm_brings_it_to_normal(box, alarms, runner):
    alarms.update(KEY, True, 91.0)
    alarms.update(KEY, False, 60.0)
    assert alarms.alarms[KEY].state == AlarmState.RTN_UNACK
    box.put_commands([alarm_command("alarm_ack")])
    runner.apply_pending()
    assert alarms.alarms[KEY].state == AlarmState.NORMAL
    assert of(box, EventType.ALARM_CHANGED)[-1].payload["state"] == "normal"
    assert of(box, EventType.COMMAND_REFUSED) == []


def test_acknowledging_twice_is_done_not_refused(box, alarms, runner):
    alarms.update(KEY, True, 91.0)
    first, second = alarm_command("alarm_ack"), alarm_command("alarm_ack")
    box.put_commands([first, second])
    assert runner.apply_pending() == 2
    assert of(box, EventType.COMMAND_REFUSED) == []
    changes = of(box, EventType.ALARM_CHANGED)
    assert [(c.payload["command_id"], c.payload["change"]) for c in changes] == [
        (first["id"], "acknowledged"),
        (second["id"], "already acknowledged"),
    ]
    assert all(c.payload["state"] == "acknowledged" for c in changes)


def test_shelve_with_reason_and_expiry_then_it_comes_back(box, clock, alarms, runner):
    alarms.update(KEY, True, 91.0)
    until = clock.now + timedelta(minutes=30)
    shelve = alarm_command("alarm_shelve", reason="sensor being replaced", until=until.isoformat())
    box.put_commands([shelve])
    runner.apply_pending()
    alarm = alarms.alarms[KEY]
    assert alarm.state == AlarmState.SHELVED
    assert (alarm.shelved_until, alarm.shelved_by) == (until, "olga")
    assert alarm.shelve_reason == "sensor being replaced"
    (changed,) = of(box, EventType.ALARM_CHANGED)
    assert changed.payload["state"] == "shelved"
    assert changed.payload["shelved_until"] == until.isoformat()
    assert changed.payload["shelve_reason"] == "sensor being replaced"
    assert changed.payload["command_id"] == shelve["id"]
    # Still active at expiry: the line raises it again by itself, offline or not.
    clock.now = until + timedelta(seconds=1)
    alarms.tick()
    assert alarm.state == AlarmState.UNACK and alarm.shelve_reason is None
    assert len(of(box, EventType.ALARM_RAISED)) == 2


def test_impossible_actions_are_refused_with_the_reason(box, clock, alarms, runner):
    alarms.update(KEY, True, 91.0)
    alarms.suppress_station("S2", "machine stopped")
    late = (clock.now - timedelta(minutes=1)).isoformat()
    given = [
        alarm_command("alarm_ack", key="S9.nothing.HI"),
        alarm_command("alarm_shelve", reason="noisy", until=late),
        alarm_command(
            "alarm_shelve",
            key="S2.motor_current.HI",
            station="S2",
            reason="noisy",
            until=(clock.now + timedelta(minutes=5)).isoformat(),
        ),
        alarm_command("alarm_ack", key="S2.motor_current.HI"),  # from the wrong station
        alarm_command("alarm_shelve", until=late),  # no reason
    ]
    box.put_commands(given)
    assert runner.apply_pending() == 5
    reasons = {
        e.payload["command_id"]: e.payload["reason"] for e in of(box, EventType.COMMAND_REFUSED)
    }
    assert list(reasons) == [c["id"] for c in given]
    assert reasons[given[0]["id"]] == "no alarm S9.nothing.HI on line L1"
    assert (
        "ran out at" in reasons[given[1]["id"]]
        and "before it reached line L1" in reasons[given[1]["id"]]
    )
    assert "suppressed by design; it cannot be shelved" in reasons[given[2]["id"]]
    assert "alarm of station S2, not S1" in reasons[given[3]["id"]]
    assert "a shelve needs a reason" in reasons[given[4]["id"]]
    refused = of(box, EventType.COMMAND_REFUSED)[0].payload
    assert (refused["kind"], refused["alarm"], refused["user"]) == (
        "alarm_ack",
        "S9.nothing.HI",
        "olga",
    )
    # The refused shelves did not change the line's alarms, and their state is announced as
    # it is, so the centre's journal does not keep the shelve the HMI expected.
    assert alarms.alarms[KEY].state == AlarmState.UNACK
    assert alarms.alarms["S2.motor_current.HI"].state == AlarmState.SUPPRESSED
    restated = {
        e.payload["command_id"]: e.payload["state"]
        for e in of(box, EventType.ALARM_CHANGED)
        if e.payload.get("change") == "restated"
    }
    assert restated == {given[1]["id"]: "unacknowledged", given[2]["id"]: "suppressed"}
    assert runner.apply_pending() == 0


def test_an_agent_without_alarms_refuses_alarm_commands(box, clock):
    runner = CommandRunner(ExecutionState(box, "L1", clock))
    box.put_commands([alarm_command("alarm_ack")])
    runner.apply_pending()
    (refused,) = of(box, EventType.COMMAND_REFUSED)
    assert refused.payload["reason"] == f"no alarm {KEY} on line L1"
