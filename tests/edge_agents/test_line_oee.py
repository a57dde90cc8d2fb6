"""OEE performance from the configured ideal cycle time: per machine type or per station, from
the line's samples over the shift, with known numbers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from core.config.loader import load_factory
from core.errors import ConfigError
from edge_agents.opcua.client import Sample
from edge_agents.packml import PackMLState as S
from edge_agents.telemetry.line_oee import LineOee
from edge_agents.telemetry.oee import StationOee, shift_window

DEMO = Path(__file__).resolve().parents[2] / "configs" / "factory.yaml"
# Monday 2026-11-23, the early shift (06:00-14:00 in Lisbon, which is UTC in winter).
SHIFT_START = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)


def sample(station: str, signal: str, value: float, at: datetime) -> Sample:
    return Sample("L1", station, "M", signal, value, at)


def test_ideal_cycle_time_per_machine_type_and_per_station(tmp_path: Path) -> None:
    factory = load_factory(DEMO)
    assert factory.station_ideal_cycle_s("S7") == 2.5  # bartack
    assert factory.station_ideal_cycle_s("S1") == 7.2  # lockstitch
    text = DEMO.read_text(encoding="utf-8").replace(
        "    machine: LS01\n", "    machine: LS01\n    ideal_cycle_s: 9.0\n", 1
    )
    path = tmp_path / "factory.yaml"
    path.write_text(text, encoding="utf-8")
    assert load_factory(path).station_ideal_cycle_s("S1") == 9.0
    with pytest.raises(KeyError):
        factory.station_ideal_cycle_s("S99")


def test_a_bad_ideal_cycle_time_is_named_with_its_place(tmp_path: Path) -> None:
    path = tmp_path / "factory.yaml"
    path.write_text(DEMO.read_text().replace("  bartack: 2.5", "  bartack: -1"), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"ideal_cycle_s\.bartack: Input should be greater"):
        load_factory(path)
    path.write_text(DEMO.read_text().replace("  bartack: 2.5", "  laser: 2.5"), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"ideal_cycle_s\.laser"):
        load_factory(path)


def test_performance_is_ideal_cycle_times_total_count_over_run_time() -> None:
    factory = load_factory(DEMO)
    oee = LineOee(factory, "L1")
    t = SHIFT_START
    oee.on_sample(sample("S7", "good_count", 500, t))  # counters from before: a baseline
    oee.on_sample(sample("S7", "scrap_count", 10, t))
    oee.on_sample(sample("S7", "state", S.EXECUTE, t))
    oee.on_sample(sample("S7", "state", S.HELD, t + timedelta(seconds=80)))
    oee.on_sample(sample("S7", "state", S.EXECUTE, t + timedelta(seconds=100)))
    oee.on_sample(sample("S7", "good_count", 530, t + timedelta(seconds=110)))
    oee.on_sample(sample("S7", "scrap_count", 12, t + timedelta(seconds=110)))
    now = t + timedelta(seconds=120)
    (s7,) = [r for r in oee.reports(now) if r.station == "S7"]
    assert (s7.planned_s, s7.run_s, s7.good, s7.scrap) == (120, 100, 30, 2)
    assert s7.availability == pytest.approx(100 / 120)
    assert s7.performance == pytest.approx(2.5 * 32 / 100)  # 0.8
    assert s7.quality == pytest.approx(30 / 32)
    assert s7.oee == pytest.approx(100 / 120 * 0.8 * 30 / 32)
    readings = {(st, sig): v for st, sig, v in oee.readings(now) if st == "S7"}
    assert readings == pytest.approx(
        {
            ("S7", "availability"): 100 / 120,
            ("S7", "performance"): 0.8,
            ("S7", "quality"): 30 / 32,
            ("S7", "oee"): 0.625,
        }
    )
    assert oee.reports(datetime(2026, 11, 22, 12, 0, tzinfo=UTC)) == []  # Sunday: no shift


def test_no_ideal_cycle_time_means_no_performance_not_a_made_up_one() -> None:
    factory = load_factory(DEMO)
    del factory.ideal_cycle_s["inspection"]
    oee = LineOee(factory, "L1")
    oee.on_sample(sample("S10", "state", S.EXECUTE, SHIFT_START))
    now = SHIFT_START + timedelta(minutes=1)
    (s10,) = [r for r in oee.reports(now) if r.station == "S10"]
    assert s10.performance is None and s10.oee is None and s10.availability == 1.0
    signals = {sig for st, sig, _ in oee.readings(now) if st == "S10"}
    assert signals == {"availability", "quality"}
    window = shift_window(factory.shifts[0], SHIFT_START.date(), factory.timezone)
    assert StationOee("S10", None).report(window, now).performance is None


def test_a_new_shift_forgets_the_last_ones_counts() -> None:
    oee = LineOee(load_factory(DEMO), "L1")
    t = SHIFT_START
    oee.on_sample(sample("S7", "good_count", 0, t))
    oee.on_sample(sample("S7", "state", S.EXECUTE, t))
    oee.on_sample(sample("S7", "good_count", 40, t + timedelta(minutes=1)))
    assert [r.good for r in oee.reports(t + timedelta(minutes=2)) if r.station == "S7"] == [40]
    late = datetime(2026, 11, 23, 14, 5, tzinfo=UTC)  # the late shift (14:00-22:00)
    (s7,) = [r for r in oee.reports(late) if r.station == "S7"]
    assert s7.good == 0 and s7.run_s == 300  # still in Execute, from the shift's start
