"""Raw ring, 1 s aggregates and OEE arithmetic."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from core.config.models import ShiftConfig
from core.events import EventType
from edge_agents.packml import PackMLState as S
from edge_agents.telemetry.aggregate import RawRing, RawValue, SecondAggregator
from edge_agents.telemetry.oee import StationOee, current_shift, shift_window


def test_ring_is_bounded_and_counts_what_it_forgets():
    ring = RawRing(capacity=5)
    for i in range(8):
        ring.add(RawValue("S1", "speed", float(i), float(i)))
    assert len(ring) == 5 and ring.forgotten == 3
    assert [v.value for v in ring.latest("S1", "speed", 2)] == [6.0, 7.0]


def test_aggregates_per_second_and_station():
    events = []
    agg = SecondAggregator("L1", events.append, RawRing(100))
    for at, value in ((100.1, 10.0), (100.5, 30.0), (100.9, 20.0)):
        agg.add("S1", "speed", value, at)
    agg.add("S1", "needle_temperature", 40.0, 100.95)
    agg.add("S2", "speed", 5.0, 100.2)
    assert events == []
    agg.add("S1", "speed", 50.0, 101.2)  # a later second closes S1's second 100
    assert len(events) == 1
    e = events[0]
    assert e.type == EventType.TELEMETRY_AGGREGATE and e.station == "S1"
    assert e.payload["signals"]["speed"] == {
        "min": 10.0,
        "max": 30.0,
        "mean": 20.0,
        "last": 20.0,
        "count": 3,
    }
    assert e.time == datetime.fromtimestamp(100, UTC)
    agg.add("S1", "speed", 1.0, 100.99)  # its second already shipped
    assert agg.late_values == 1
    agg.flush(102.0)
    assert [(x.station, x.payload["signals"]["speed"]["last"]) for x in events[1:]] == [
        ("S2", 5.0),
        ("S1", 50.0),
    ]


SHIFT = ShiftConfig(
    name="early",
    start=time(6, 0),
    end=time(14, 0),
    breaks=[(time(9, 30), time(9, 45)), (time(11, 30), time(12, 0))],
)


def test_shift_windows_with_breaks_and_overnight():
    w = shift_window(SHIFT, date(2026, 11, 23), "UTC")
    assert (w.end - w.start) == timedelta(hours=8)
    planned = sum((b - a).total_seconds() for a, b in w.planned())
    assert planned == 8 * 3600 - 45 * 60
    night = ShiftConfig(
        name="night", start=time(22, 0), end=time(6, 0), breaks=[(time(2, 0), time(2, 30))]
    )
    n = shift_window(night, date(2026, 11, 23), "UTC")
    assert n.end - n.start == timedelta(hours=8)
    assert n.breaks[0][0] == datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
    now = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)  # Tuesday 03:00, in Monday's night shift
    assert current_shift([SHIFT, night], now, "UTC").name == "night"
    assert current_shift([SHIFT], datetime(2026, 11, 22, 8, 0, tzinfo=UTC), "UTC") is None  # Sunday


def test_oee_from_states_and_counters():
    day = date(2026, 11, 23)
    w = shift_window(SHIFT, day, "UTC")
    t = w.start
    oee = StationOee("S1", ideal_cycle_s=60.0)
    oee.on_counter(t, "good_count", 1000)  # baseline from before the shift
    oee.on_counter(t, "scrap_count", 7)
    oee.on_state(t, S.EXECUTE)
    oee.on_state(t + timedelta(hours=1), S.HELD)  # 30 min thread trouble
    oee.on_state(t + timedelta(hours=1, minutes=30), S.EXECUTE)
    oee.on_counter(t + timedelta(hours=1), "good_count", 1040)
    oee.on_counter(t + timedelta(hours=2), "good_count", 1070)
    oee.on_counter(t + timedelta(hours=2), "scrap_count", 9)
    now = t + timedelta(hours=2)
    r = oee.report(w, now)
    assert r.planned_s == 7200 and r.run_s == 5400
    assert (r.good, r.scrap) == (70, 2)
    assert r.availability == pytest.approx(0.75)
    assert r.performance == pytest.approx(60 * 72 / 5400)
    assert r.quality == pytest.approx(70 / 72)
    assert r.oee == pytest.approx(0.75 * (60 * 72 / 5400) * (70 / 72))


def test_oee_ignores_breaks_and_handles_counter_reset():
    w = shift_window(SHIFT, date(2026, 11, 23), "UTC")
    brk = w.breaks[0][0]
    oee = StationOee("S1", ideal_cycle_s=30.0)
    oee.on_state(w.start, S.EXECUTE)
    oee.on_counter(w.start, "good_count", 500)
    oee.on_counter(brk + timedelta(minutes=5), "good_count", 510)  # made during the break
    oee.on_counter(w.breaks[0][1] + timedelta(minutes=1), "good_count", 4)  # machine reset
    r = oee.report(w, w.breaks[0][1] + timedelta(minutes=15))
    assert r.planned_s == (3 * 3600 + 30 * 60) + 15 * 60
    assert r.run_s == r.planned_s
    assert r.good == 4
    with pytest.raises(ValueError):
        StationOee("S1", 0)
