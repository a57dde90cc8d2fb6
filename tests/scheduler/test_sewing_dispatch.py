"""The dispatching-rule sewing schedule: every rule kept (independent checker), and the fallback."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from scheduler.check import check_schedule
from scheduler.model import (
    BundleOperation,
    Pin,
    SewingOrder,
    SewingProblem,
    Shift,
    ShiftCalendar,
    Station,
)
from scheduler.replan import StationDown, apply_disruptions
from scheduler.sewing import solve_sewing
from scheduler.sewing_dispatch import dispatch_once, dispatch_sewing, moved
from tests.scheduler.factory import CALENDAR, problem, stations


def colour_changes(request, schedule) -> list[int]:
    """Minutes between back-to-back operations of different thread colours on one station."""
    colour = {op.op_id: op.thread_colour for op in request.operations}
    gaps = []
    for station in {s.station_id for s in schedule.operations}:
        line = sorted(
            (s for s in schedule.operations if s.station_id == station), key=lambda s: s.start
        )
        gaps += [
            b.start - a.end
            for a, b in zip(line, line[1:], strict=False)
            if colour[a.op_id] != colour[b.op_id]
        ]
    return gaps


def test_setups_skills_and_two_machine_stations_are_kept():
    # S2 also runs overlock (as `also_runs` makes the buttonhole station sew buttons), S1's
    # operator is 25 % faster, O1 is white and O2 navy.
    request = problem(setup_minutes=15)
    schedule = dispatch_sewing(request, seconds=0.2)
    assert schedule is not None and check_schedule(request, schedule) == []
    gaps = colour_changes(request, schedule)
    assert gaps and min(gaps) >= 15  # the setup rule was exercised, not avoided
    assert {s.station_id for s in schedule.operations} >= {"S1", "S2", "S4"}


def test_station_calendars_breaks_and_handovers_are_kept():
    # Long bundles (40 garments) meet the breaks; S3 only works the second day.
    late_shift = ShiftCalendar(CALENDAR.origin, (Shift(1440, 1920, ((1680, 1710),)),))
    own = tuple(replace(s, calendar=late_shift) if s.station_id == "S3" else s for s in stations())
    request = problem(garments=40, setup_minutes=10, stations=own)
    schedule = dispatch_once(request)
    assert schedule is not None and check_schedule(request, schedule) == []
    assert all(s.start >= 1440 for s in schedule.operations if s.station_id == "S3")

    handover = ShiftCalendar(
        datetime(2026, 11, 23, 6, tzinfo=UTC), (Shift(0, 100), Shift(100, 200))
    )
    ops = tuple(
        BundleOperation(f"O1-{i}", "O1-B1", "O1", f"seam{i}", "lockstitch", 60.0) for i in (1, 2)
    )
    chain = SewingProblem(
        ops, (Station("S1", frozenset({"lockstitch"})),), handover, (SewingOrder("O1", 1000),)
    )
    placed = dispatch_once(chain)
    assert placed is not None and check_schedule(chain, placed) == []
    assert sorted((s.start, s.end) for s in placed.operations) == [(0, 60), (101, 161)]


def test_pins_stay_and_nothing_else_starts_before_now():
    request = problem(setup_minutes=15, pins=(Pin("O2-B1-front", "S2", 0),), now=60)
    schedule = dispatch_once(request)
    assert schedule is not None and check_schedule(request, schedule) == []
    pinned = schedule.by_op()["O2-B1-front"]
    assert (pinned.station_id, pinned.start) == ("S2", 0)
    assert all(s.start >= 60 for s in schedule.operations if s.op_id != "O2-B1-front")


def test_a_pin_that_leaves_no_room_for_its_predecessor_gives_no_schedule():
    # O1-B1-shoulder pinned at minute 5: its predecessor (front, 24 min) cannot end before it.
    request = problem(pins=(Pin("O1-B1-shoulder", "S3", 5),))
    assert dispatch_once(request) is None


def test_replanning_puts_work_back_where_it_was_and_moves_only_what_must():
    request = problem(setup_minutes=10)
    before = solve_sewing(request, time_limit=5)
    same = dispatch_sewing(request, seconds=0.1, reference=before, move_weight=20)
    assert same is not None and moved(request, same, before) == 0

    now = 30
    after, _notes = apply_disruptions(request, before, now, [StationDown("S2", now)])
    repaired = dispatch_sewing(after, seconds=0.1, reference=before, move_weight=20)
    assert repaired is not None and check_schedule(after, repaired) == []
    assert all(s.station_id != "S2" or s.end <= now for s in repaired.operations)
    must_move = {s.op_id for s in before.operations if s.station_id == "S2" and s.end > now}
    assert must_move and moved(after, repaired, before) < len(before.operations)


def test_cp_sat_without_time_returns_the_rule_schedule_flagged():
    request = problem(setup_minutes=15)
    schedule = solve_sewing(request, time_limit=0.001)
    assert not schedule.optimal
    assert "dispatching rule" in schedule.note and "0.001 s limit" in schedule.note
    assert check_schedule(request, schedule) == []
    assert schedule.objective == 100 * schedule.weighted_tardiness + schedule.makespan


def test_cp_sat_starts_from_the_rule_schedule_and_keeps_or_improves_it():
    request = problem(setup_minutes=15)
    progress = []
    schedule = solve_sewing(request, time_limit=5, on_progress=lambda *a: progress.append(a))
    assert schedule.note == "" and check_schedule(request, schedule) == []
    # the rule's schedule is reported first; CP-SAT's answer is at least as good
    assert progress[0][0] >= schedule.objective
