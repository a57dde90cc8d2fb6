"""An operation never spans a shift change, also where the next shift starts the same minute."""

from __future__ import annotations

from datetime import UTC, datetime

from scheduler.check import check_schedule
from scheduler.model import (
    BundleOperation,
    SewingOrder,
    SewingProblem,
    Shift,
    ShiftCalendar,
    Station,
)
from scheduler.sewing import solve_sewing


def test_operations_wait_for_the_next_shift_instead_of_spanning_the_handover():
    calendar = ShiftCalendar(
        datetime(2026, 11, 23, 6, tzinfo=UTC), (Shift(0, 100), Shift(100, 200))
    )
    ops = tuple(
        BundleOperation(f"O1-{i}", "O1-B1", "O1", f"seam{i}", "lockstitch", 60.0) for i in (1, 2)
    )
    problem = SewingProblem(
        ops, (Station("S1", frozenset({"lockstitch"})),), calendar, (SewingOrder("O1", 1000),)
    )
    schedule = solve_sewing(problem, time_limit=5, workers=1)
    assert check_schedule(problem, schedule) == []
    # 0-60, then 101-161: 60-120 would run across the shift change at minute 100, whose
    # first minute is the handover
    assert sorted((s.start, s.end) for s in schedule.operations) == [(0, 60), (101, 161)]
    assert schedule.makespan == 161 and schedule.optimal
