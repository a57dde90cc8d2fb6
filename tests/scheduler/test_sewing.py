"""The sewing schedule, checked rule by rule by the independent checker."""

from __future__ import annotations

from dataclasses import replace

from scheduler.check import check_schedule
from scheduler.model import BundleOperation, Pin, SewingOrder, Station
from scheduler.sewing import solve_sewing
from tests.scheduler.factory import CALENDAR, problem


def test_schedule_keeps_every_rule_with_setups_and_priorities():
    request = problem(setup_minutes=15)
    progress = []
    schedule = solve_sewing(request, time_limit=10, on_progress=lambda *a: progress.append(a))
    assert check_schedule(request, schedule) == []
    assert progress
    assert schedule.tardiness == {"O1": 0, "O2": 0}


def test_a_single_station_chain_has_its_known_optimum():
    ops = tuple(
        BundleOperation(
            f"op{i}", "B1", "O1", f"step{i}", "lockstitch", 2.0, 10, (f"op{i - 1}",) if i else ()
        )
        for i in range(4)
    )
    request = problem(stations=(Station("S1", frozenset({"lockstitch"}), {"lockstitch": 2.0}),))
    request = replace(request, operations=ops, orders=(SewingOrder("O1", 100),))
    schedule = solve_sewing(request, time_limit=10)
    assert schedule.optimal
    assert schedule.makespan == 4 * 10  # 20 standard minutes each at twice the standard speed
    assert check_schedule(request, schedule) == []


def test_operations_do_not_span_the_break():
    # 100 garments x 2.5 min of buttonholes = 250 min: too long before the break at 240.
    request = problem(orders=(("O1", 1, 2000, "normal", "white"),), garments=40)
    schedule = solve_sewing(request, time_limit=10)
    assert check_schedule(request, schedule) == []
    buttonhole = schedule.by_op()["O1-B1-buttonhole"]
    assert buttonhole.start >= 270 or buttonhole.end <= 240


def test_pinned_operations_stay_and_nothing_else_starts_before_now():
    request = problem(pins=(Pin("O1-B1-front", "S2", 0),), now=60)
    schedule = solve_sewing(request, time_limit=10)
    placed = schedule.by_op()["O1-B1-front"]
    assert (placed.station_id, placed.start) == ("S2", 0)
    assert check_schedule(request, schedule) == []


def test_checker_catches_skill_setup_and_precedence_violations():
    request = problem(setup_minutes=15)
    schedule = solve_sewing(request, time_limit=10)
    ops = list(schedule.operations)
    hem = next(i for i, s in enumerate(ops) if s.op_id == "O1-B1-hem")
    ops[hem] = replace(ops[hem], start=0, end=1)
    broken = replace(schedule, operations=tuple(ops))
    found = " ".join(check_schedule(request, broken))
    assert "takes 1 min" in found and "before" in found


def test_warm_start_from_the_previous_plan_keeps_its_quality():
    request = problem(setup_minutes=15)
    first = solve_sewing(request, time_limit=10)
    again = solve_sewing(request, time_limit=2, warm_start=first)
    assert again.objective <= first.objective
    assert check_schedule(request, again) == []
    assert CALENDAR.working_windows()[0] == (0, 240)


def test_a_rush_order_is_served_before_a_low_priority_one_with_the_same_due_date():
    only_s1 = (Station("S1", frozenset({"lockstitch", "overlock", "buttonhole"})),)
    request = problem(
        orders=(("LOW", 1, 100, "low", "white"), ("RUSH", 1, 100, "rush", "white")),
        stations=only_s1,
    )
    schedule = solve_sewing(request, time_limit=10)
    assert check_schedule(request, schedule) == []
    # One station, 95 min of work each: only one order can be on time, and it is the rush one.
    assert schedule.tardiness["RUSH"] == 0 and schedule.tardiness["LOW"] > 0


def test_an_order_already_past_its_due_date_is_scheduled_late_not_refused():
    """A plan made after an order's due date (a due minute before the origin) still schedules
    it; the order is late by its end plus the minutes it was overdue at the origin."""
    request = problem(orders=(("O1", 1, -3000, "normal", "white"), ("O2", 1, 2000, "rush", "blue")))
    schedule = solve_sewing(request, time_limit=10)
    assert check_schedule(request, schedule) == []
    end = max(s.end for s in schedule.operations if s.op_id.startswith("O1-"))
    assert schedule.tardiness["O1"] == end + 3000
    assert schedule.tardiness["O2"] == 0
