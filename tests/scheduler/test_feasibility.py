"""Impossible requests get reasons a planner can act on."""

from __future__ import annotations

from dataclasses import replace

import pytest

from scheduler.feasibility import PlanInfeasible, late_warnings
from scheduler.model import BundleOperation, Pin, Shift, ShiftCalendar, Station
from scheduler.sewing import solve_sewing
from tests.scheduler.factory import CALENDAR, problem, stations


def _reasons(request) -> str:
    with pytest.raises(PlanInfeasible) as caught:
        solve_sewing(request, time_limit=5)
    return " | ".join(caught.value.reasons)


def test_no_station_has_the_machine_type():
    request = problem(stations=tuple(s for s in stations() if s.station_id != "S4"))
    text = _reasons(request)
    assert "buttonhole" in text and "no station has one" in text and "O1" in text


def test_the_only_buttonhole_station_is_not_on_shift():
    off = ShiftCalendar(CALENDAR.origin, ())
    request = problem(
        stations=tuple(replace(s, calendar=off) if s.station_id == "S4" else s for s in stations())
    )
    assert "S4" in _reasons(request) and "no shift" in _reasons(request)


def test_an_operation_longer_than_any_working_stretch_asks_to_split_the_bundle():
    assert "split the bundle" in _reasons(problem(garments=200))


def test_cyclic_routing_and_bad_pins_are_named():
    request = problem()
    ops = list(request.operations)
    ops[0] = replace(ops[0], predecessors=(ops[3].op_id,))
    assert "cycle" in _reasons(replace(request, operations=tuple(ops)))
    text = _reasons(problem(pins=(Pin("O1-B1-front", "S3", 0),)))
    assert "pinned to S3, which has no lockstitch machine" in text


def test_hard_due_dates_that_cannot_hold_name_the_orders():
    request = problem(
        orders=(("O1", 2, 600, "normal", "white"), ("O2", 2, 30, "rush", "navy")),
        hard_due_dates=True,
    )
    text = _reasons(request)
    assert "O2" in text and "due" in text


def test_not_enough_shift_time_is_explained():
    short = ShiftCalendar(CALENDAR.origin, (Shift(0, 40),))
    request = replace(problem(garments=5), calendar=short)
    assert "do not fit in the shift calendar" in _reasons(request)


def test_due_date_before_the_routing_time_warns_the_order_will_be_late():
    request = problem(orders=(("O1", 1, 10, "normal", "white"),))
    warnings = late_warnings(request)
    assert len(warnings) == 1 and "O1" in warnings[0] and "will be late" in warnings[0]
    assert late_warnings(problem()) == []


def test_an_order_overdue_before_the_plan_starts_is_named_already_late():
    request = problem(orders=(("O1", 1, -90, "normal", "white"),), now=30)
    (warning,) = late_warnings(request)
    assert "order O1 was due at minute -90, 120 min before the plan's start" in warning
    assert "already late" in warning


def test_unknown_predecessor_is_named():
    request = problem()
    extra = BundleOperation("X1", "B9", "O1", "tack", "lockstitch", 1.0, 1, ("nope",))
    request = replace(
        request,
        operations=request.operations + (extra,),
        stations=request.stations + (Station("S9", frozenset({"x"})),),
    )
    assert "predecessor nope" in _reasons(request)
