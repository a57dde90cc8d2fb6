"""The demo plant's line and shifts become scheduler stations and a calendar."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from core.config import load_factory
from core.errors import InputError
from scheduler.plant import line_stations, plant_calendar


def test_demo_line_and_shifts():
    factory = load_factory(Path(__file__).resolve().parents[2] / "configs" / "factory.yaml")
    stations = line_stations(factory, "L1")
    assert [s.station_id for s in stations][:2] == ["S1", "S2"]
    assert any("buttonhole" in s.machine_types for s in stations)
    monday = datetime(
        2026, 11, 23, 6, 0, tzinfo=UTC
    )  # a Monday, 06:00 in Lisbon (UTC+0 in November)
    calendar = plant_calendar(factory, monday, days=7)
    assert len(calendar.shifts) == 10  # early and late, Monday to Friday
    windows = calendar.working_windows()
    assert windows[0] == (0, 210)  # 06:00 to the 09:30 break
    assert sum(e - b for b, e in windows) == 5 * (2 * 8 * 60 - 45 - 45)
    with pytest.raises(InputError, match="line 'L9'"):
        line_stations(factory, "L9")
