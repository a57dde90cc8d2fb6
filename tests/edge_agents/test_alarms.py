"""Alarm logic with an injected clock: ISA-18.2 states, shelving, suppression, floods, detectors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.events import EventType
from edge_agents.alarms.detectors import Limit, RateOfChange, WesternElectric
from edge_agents.alarms.engine import AlarmEngine, AlarmRules, LimitRule, RateRule, SpcRule
from edge_agents.alarms.manager import AlarmManager
from edge_agents.alarms.state import AlarmState, AlarmStateError, Priority
from edge_agents.packml import PackMLState


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def events():
    return []


@pytest.fixture
def manager(clock, events):
    m = AlarmManager("L1", events.append, clock=clock, flood_window_s=600, flood_max=3)
    m.define("S1.temp.HI", "S1", "needle hot", Priority.MEDIUM)
    return m


def states(m, key="S1.temp.HI"):
    return m.alarms[key].state


def test_unack_ack_clear_and_return_to_normal_paths(manager, events):
    manager.update("S1.temp.HI", True, 80.0)
    assert states(manager) == AlarmState.UNACK
    manager.acknowledge("S1.temp.HI", "ana")
    assert states(manager) == AlarmState.ACKED
    manager.update("S1.temp.HI", False, 70.0)
    assert states(manager) == AlarmState.NORMAL
    manager.update("S1.temp.HI", True)
    manager.update("S1.temp.HI", False)
    assert states(manager) == AlarmState.RTN_UNACK
    manager.update("S1.temp.HI", True)  # comes back before anyone acknowledged
    assert states(manager) == AlarmState.UNACK
    manager.update("S1.temp.HI", False)
    manager.acknowledge("S1.temp.HI", "ana")
    assert states(manager) == AlarmState.NORMAL
    kinds = [e.type for e in events]
    assert kinds.count(EventType.ALARM_RAISED) == 3
    assert events[0].payload["value"] == 80.0 and events[0].station == "S1"


def test_acknowledging_a_normal_alarm_is_refused(manager):
    with pytest.raises(AlarmStateError, match="nothing to acknowledge"):
        manager.acknowledge("S1.temp.HI", "ana")
    with pytest.raises(AlarmStateError, match="no alarm"):
        manager.acknowledge("S9.nothing", "ana")


def test_shelved_alarm_follows_condition_and_returns_at_expiry(manager, clock, events):
    manager.update("S1.temp.HI", True)
    manager.shelve("S1.temp.HI", "ana", 60)
    assert states(manager) == AlarmState.SHELVED
    manager.update("S1.temp.HI", False)
    manager.update("S1.temp.HI", True)
    assert states(manager) == AlarmState.SHELVED
    clock.advance(59)
    manager.tick()
    assert states(manager) == AlarmState.SHELVED
    clock.advance(2)
    manager.tick()
    assert states(manager) == AlarmState.UNACK  # still active when the shelf ran out
    assert [e.type for e in events].count(EventType.ALARM_RAISED) == 2
    manager.shelve("S1.temp.HI", "ana", 60)
    manager.update("S1.temp.HI", False)
    manager.unshelve("S1.temp.HI", "ana")
    assert states(manager) == AlarmState.NORMAL
    with pytest.raises(AlarmStateError):
        manager.shelve("S1.temp.HI", "ana", 0)


def test_suppression_by_design_and_release(manager):
    manager.suppress_station("S1", "machine stopped")
    manager.update("S1.temp.HI", True)
    assert states(manager) == AlarmState.SUPPRESSED
    with pytest.raises(AlarmStateError, match="suppressed"):
        manager.shelve("S1.temp.HI", "ana", 60)
    manager.unsuppress_station("S1")
    assert states(manager) == AlarmState.UNACK


def test_flood_holds_back_and_counts_then_reports(manager, clock, events):
    for i in range(6):
        manager.define(f"S{i}.x", f"S{i}", "x", Priority.LOW)
        manager.update(f"S{i}.x", True)
        clock.advance(1)
    manager.define("S9.fire", "S9", "fire", Priority.CRITICAL)
    manager.update("S9.fire", True)
    raised = [e.payload["key"] for e in events if e.type == EventType.ALARM_RAISED]
    assert raised == ["S0.x", "S1.x", "S2.x", "S9.fire"]  # critical goes through the flood
    assert manager.held_total == 3
    assert all(manager.alarms[f"S{i}.x"].state == AlarmState.UNACK for i in range(6))
    manager.update("S3.x", False)  # held alarms stay quiet
    assert not [e for e in events if e.payload.get("key") == "S3.x"]
    clock.advance(601)
    manager.tick()
    flood = [e for e in events if e.type == EventType.ALARM_FLOOD]
    assert len(flood) == 1
    assert flood[0].payload["held"] == 3
    assert flood[0].payload["still_active"] == ["S4.x", "S5.x"]
    assert [a.key for a in manager.standing()][0] == "S9.fire"


def test_limit_deadband_and_rate_of_change():
    hi = Limit(75.0, above=True, deadband=2.0)
    assert [hi.update(v) for v in (74, 76, 74, 72.9, 74)] == [False, True, True, False, False]
    lo = Limit(10.0, above=False, deadband=1.0)
    assert [lo.update(v) for v in (11, 9, 10.5, 11.5)] == [False, True, True, False]
    roc = RateOfChange(2.0)
    assert [roc.update(v, t) for v, t in ((20, 0), (21, 1), (25, 2), (25.5, 3))] == [
        False,
        False,
        True,
        False,
    ]


@pytest.mark.parametrize(
    ("points", "rule"),
    [
        ([0, 0, 3.5], 1),
        ([0, 2.5, 0.5, 2.5], 2),
        ([1.5, 1.5, 0.2, 1.5, 1.5], 3),
        ([0.5] * 8, 4),
        ([-0.5] * 8, 4),
    ],
)
def test_western_electric_rules(points, rule):
    we = WesternElectric(center=0.0, sigma=1.0)
    results = [we.update(p) for p in points]
    assert rule in results[-1]
    assert all(rule not in r for r in results[:-1])


def test_western_electric_in_control_and_bad_sigma():
    we = WesternElectric(center=10.0, sigma=2.0)
    assert all(not we.update(v) for v in (10, 11, 9, 12, 8, 10.5, 9.5, 11, 9))
    with pytest.raises(ValueError):
        WesternElectric(0.0, 0.0)


def test_engine_limits_faults_and_suppression_while_stopped(clock, events):
    manager = AlarmManager("L1", events.append, clock=clock)
    rules = AlarmRules(
        limits=[LimitRule(signal="needle_temperature", kind="HI", value=75, deadband=2)],
        rates=[RateRule(signal="needle_temperature", max_per_s=5)],
        spc=[SpcRule(signal="speed", center=3500, sigma=100)],
    )
    engine = AlarmEngine(rules, manager)
    engine.on_value("S1", "state", int(PackMLState.EXECUTE), 0)
    engine.on_value("S1", "needle_temperature", 70.0, 0)
    engine.on_value("S1", "needle_temperature", 78.0, 10)
    assert manager.alarms["S1.needle_temperature.HI"].state == AlarmState.UNACK
    assert manager.alarms["S1.needle_temperature.ROC"].state == AlarmState.NORMAL
    engine.on_value("S1", "speed", 4000.0, 10)
    assert manager.alarms["S1.speed.SPC"].state == AlarmState.UNACK
    engine.on_value("S1", "thread_break", True, 11)
    engine.on_value("S1", "state", int(PackMLState.ABORTED), 12)
    assert manager.alarms["S1.fault"].state == AlarmState.UNACK
    assert manager.alarms["S1.needle_temperature.HI"].state == AlarmState.SUPPRESSED
    assert manager.alarms["S1.thread_break"].state == AlarmState.UNACK
    engine.on_value("S1", "state", int(PackMLState.EXECUTE), 13)
    assert manager.alarms["S1.fault"].state == AlarmState.RTN_UNACK
    assert manager.alarms["S1.needle_temperature.HI"].state == AlarmState.UNACK
    engine.on_value("S2", "needle_temperature", 80.0, 13)
    assert manager.alarms["S2.needle_temperature.HI"].state == AlarmState.UNACK


def test_shelves_expire_in_definition_order_and_a_suppressed_shelf_never_expires(clock, events):
    # `tick` looks only at the alarms shelved through the manager (it runs on every update).
    m = AlarmManager("L1", events.append, clock=clock)
    for key in ("S1.a", "S2.b", "S1.c"):
        m.define(key, key[:2], key, Priority.LOW)
        m.update(key, True)
    m.shelve("S1.c", "ana", 30)
    m.shelve("S2.b", "ana", 30)
    m.shelve("S1.a", "ana", 30)
    m.suppress_station("S1", "machine stopped")  # ends S1's shelves: they must not expire later
    m.unsuppress_station("S1")
    m.shelve("S1.a", "ana", 30)  # shelved again, anew
    events.clear()
    clock.advance(31)
    m.tick()
    expired = [e.payload["key"] for e in events if e.payload.get("change") == "shelve expired"]
    raised = [e.payload["key"] for e in events if e.type == EventType.ALARM_RAISED]
    assert raised + expired == ["S1.a", "S2.b"]  # definition order, S1.c not shelved any more
    assert m.alarms["S1.c"].state == AlarmState.UNACK
    events.clear()
    clock.advance(60)
    m.tick()
    assert events == []
