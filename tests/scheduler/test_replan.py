"""Replanning: disruptions handled, started work kept, as little moved as possible."""

from __future__ import annotations

import pytest

from core.errors import InputError
from scheduler.check import check_schedule
from scheduler.model import SewingOrder
from scheduler.replan import OperationLate, RushOrder, StationDown, replan
from scheduler.sewing import solve_sewing
from tests.scheduler.factory import operations, problem


@pytest.fixture(scope="module")
def planned():
    request = problem(setup_minutes=10)
    return request, solve_sewing(request, time_limit=10)


def test_nothing_happened_nothing_moves(planned):
    request, schedule = planned
    result = replan(request, schedule, now=20, events=[], time_limit=5)
    assert result.moved == 0
    assert check_schedule(result.problem, result.schedule) == []


def test_station_down_moves_its_work_and_keeps_the_rest_stable(planned):
    request, schedule = planned
    now = 30
    result = replan(request, schedule, now=now, events=[StationDown("S2", now)], time_limit=5)
    assert check_schedule(result.problem, result.schedule) == []
    after = result.schedule.by_op()
    assert all(s.station_id != "S2" or s.end <= now for s in after.values())
    was_on_s2 = {s.op_id for s in schedule.operations if s.station_id == "S2" and s.end > now}
    assert was_on_s2 and was_on_s2 <= {c.op_id for c in result.changes}
    # Started work is pinned; operations that were not on S2 mostly stay where they were.
    for s in schedule.operations:
        if s.start < now and not (s.station_id == "S2" and s.end > now):
            assert after[s.op_id] == s
    assert result.moved < len(schedule.operations)
    assert any("S2 is down" in line for line in result.explanation)


def test_rush_order_is_added_and_explained(planned):
    request, schedule = planned
    rush = RushOrder(SewingOrder("R1", 200, "rush"), tuple(operations("R1", 1, 10, "red")))
    result = replan(request, schedule, now=10, events=[rush], time_limit=5)
    assert check_schedule(result.problem, result.schedule) == []
    assert sum(1 for s in result.schedule.operations if s.order_id == "R1") == 4
    assert any("rush order R1" in line for line in result.explanation)


def test_operation_running_late_pushes_its_successors(planned):
    request, schedule = planned
    first = min(schedule.operations, key=lambda s: s.start)
    now = first.start + 1
    result = replan(
        request, schedule, now=now, events=[OperationLate(first.op_id, 30)], time_limit=5
    )
    assert check_schedule(result.problem, result.schedule) == []
    late = result.schedule.by_op()[first.op_id]
    assert late.end - late.start == first.end - first.start + 30
    with pytest.raises(InputError, match="not running"):
        replan(request, schedule, now=0, events=[OperationLate(first.op_id, 5)])


def test_station_down_before_now_restarts_what_did_not_finish_there(planned):
    request, schedule = planned
    since, now = 20, 60
    result = replan(request, schedule, now=now, events=[StationDown("S1", since)], time_limit=5)
    assert check_schedule(result.problem, result.schedule) == []
    for s in result.schedule.operations:
        assert s.station_id != "S1" or s.end <= since
    unfinished = {s.op_id for s in schedule.operations if s.station_id == "S1" and s.end > since}
    assert all(result.schedule.by_op()[o].start >= now for o in unfinished)


def test_unknown_station_or_duplicate_rush_operation_is_refused(planned):
    request, schedule = planned
    with pytest.raises(InputError, match="station S9 is not in the plan"):
        replan(request, schedule, now=0, events=[StationDown("S9", 0)])
    again = RushOrder(SewingOrder("O1", 100), tuple(operations("O1", 1, 10)))
    with pytest.raises(InputError, match="exists"):
        replan(request, schedule, now=0, events=[again])


def test_the_only_buttonhole_station_going_down_is_explained(planned):
    from scheduler.feasibility import PlanInfeasible

    request, schedule = planned
    with pytest.raises(
        PlanInfeasible,
        match=r"buttonhole machine; stations with one \(S4\) have "
        r"no shift after minute 5",
    ):
        replan(request, schedule, now=5, events=[StationDown("S4", 5)], time_limit=5)


def test_station_down_for_a_while_is_used_again_after_it_comes_back(planned):
    request, schedule = planned
    since, until = 30, 120
    result = replan(
        request, schedule, now=0, events=[StationDown("S4", since, until)], time_limit=5
    )
    assert check_schedule(result.problem, result.schedule) == []
    on_s4 = [s for s in result.schedule.operations if s.station_id == "S4"]
    assert on_s4 and all(s.end <= since or s.start >= until for s in on_s4)
    assert any(s.start >= until for s in on_s4)  # the only buttonhole station is back
    assert any("S4 is down from minute 30 to minute 120" in line for line in result.explanation)
    with pytest.raises(InputError, match="not after"):
        replan(request, schedule, now=0, events=[StationDown("S4", 30, 30)])
