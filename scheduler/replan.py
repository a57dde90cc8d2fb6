"""Replanning: a station goes down, a rush order arrives or an operation runs late.

Work that started before `now` is pinned; the rest is re-solved within a budget (5 s by default)
with a penalty per moved operation, warm-started from the previous plan. The result says what
moved and why.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, replace

from core.errors import InputError
from scheduler.model import (
    BundleOperation,
    Pin,
    Schedule,
    SewingOrder,
    SewingProblem,
    Shift,
    ShiftCalendar,
)
from scheduler.progress import Progress
from scheduler.sewing import Stability, solve_sewing

log = logging.getLogger(__name__)

REPLAN_BUDGET_S = 5.0


@dataclass(frozen=True)
class StationDown:
    station_id: str
    since: int
    until: int | None = None  # back at this minute; None: down for the rest of the calendar


@dataclass(frozen=True)
class RushOrder:
    order: SewingOrder
    operations: tuple[BundleOperation, ...]


@dataclass(frozen=True)
class OperationLate:
    op_id: str
    extra_minutes: int


Disruption = StationDown | RushOrder | OperationLate


@dataclass(frozen=True)
class Change:
    op_id: str
    before: tuple[str, int] | None  # (station, start) in the previous plan
    after: tuple[str, int]


@dataclass(frozen=True)
class Replan:
    problem: SewingProblem
    schedule: Schedule
    changes: tuple[Change, ...]
    moved: int  # operations of the previous plan that changed station or start
    explanation: tuple[str, ...]
    seconds: float


def cut_calendar(calendar: ShiftCalendar, since: int, until: int | None = None) -> ShiftCalendar:
    """The calendar without [since, until): shifts after `until` stay, one spanning the outage
    gets it as a break (breaks may overlap; working_windows merges them)."""
    shifts = []
    for shift in calendar.shifts:
        if until is not None and shift.start < until and shift.end > since:
            shifts.append(Shift(shift.start, shift.end, (*shift.breaks, (since, until))))
            continue
        if until is not None and shift.start >= until:
            shifts.append(shift)
            continue
        if shift.start >= since:
            continue
        end = min(shift.end, since)
        breaks = tuple((b, min(e, end)) for b, e in shift.breaks if b < end)
        shifts.append(Shift(shift.start, end, breaks))
    return ShiftCalendar(calendar.origin, tuple(shifts))


def apply_disruptions(
    problem: SewingProblem, previous: Schedule, now: int, events: list[Disruption]
) -> tuple[SewingProblem, list[str]]:
    """The remaining-work problem at `now`: started work pinned, the disruptions applied."""
    stations = {s.station_id: s for s in problem.stations}
    ops = {op.op_id: op for op in problem.operations}
    orders = list(problem.orders)
    notes: list[str] = []
    down: dict[str, tuple[int, int | None]] = {}
    for event in events:
        if isinstance(event, StationDown):
            if event.station_id not in stations:
                raise InputError(f"station {event.station_id} is not in the plan")
            station = stations[event.station_id]
            if event.until is not None and event.until <= event.since:
                raise InputError(
                    f"station {event.station_id}: back at minute {event.until}, not after "
                    f"it went down at minute {event.since}"
                )
            calendar = cut_calendar(station.calendar or problem.calendar, event.since, event.until)
            stations[event.station_id] = replace(station, calendar=calendar)
            down[event.station_id] = (event.since, event.until)
            until = "" if event.until is None else f" to minute {event.until}"
            notes.append(f"station {event.station_id} is down from minute {event.since}{until}")
        elif isinstance(event, RushOrder):
            for op in event.operations:
                if op.op_id in ops:
                    raise InputError(f"rush order {event.order.order_id}: {op.op_id} exists")
                ops[op.op_id] = op
            orders.append(event.order)
            notes.append(
                f"rush order {event.order.order_id} added ({len(event.operations)} operations, "
                f"due at minute {event.order.due})"
            )
    placed = previous.by_op()
    late = {e.op_id: e.extra_minutes for e in events if isinstance(e, OperationLate)}
    restart = _restarts(placed, ops, down, now)
    for op_id in sorted(restart):
        notes.append(
            f"{op_id} did not finish before {placed[op_id].station_id} went down "
            f"(or depends on one that did not): it restarts"
        )
    pins = []
    for op_id, s in placed.items():
        if op_id not in ops or s.start >= now or op_id in restart:
            continue
        in_progress = s.end > now
        if op_id in late:
            if not in_progress:
                raise InputError(f"{op_id} has already finished; it cannot run late")
            station = stations[s.station_id]
            factor = station.skill.get(ops[op_id].machine_type, 1.0)
            minutes = s.end - s.start + late[op_id]
            ops[op_id] = replace(ops[op_id], smv=minutes * factor / ops[op_id].garments)
            notes.append(f"{op_id} on {s.station_id} runs {late[op_id]} min late")
        pins.append(Pin(op_id, s.station_id, s.start))
    for op_id in late:
        if op_id not in placed or placed[op_id].start >= now:
            raise InputError(
                f"operation {op_id} is not running at minute {now}; it cannot run late"
            )
    new = replace(
        problem,
        operations=tuple(ops.values()),
        stations=tuple(stations.values()),
        orders=tuple(orders),
        pins=tuple(pins),
        now=now,
    )
    return new, notes


def _restarts(placed, ops, down: dict[str, tuple[int, int | None]], now: int) -> set[str]:
    """Started work that must run again: unfinished on a station that went down (and not
    started after it came back), and what followed it (it cannot have started on a part that
    was never finished)."""

    def cut_off(s) -> bool:
        if s.station_id not in down:
            return False
        since, until = down[s.station_id]
        return s.end > since and (until is None or s.start < until)

    restart = {
        op_id for op_id, s in placed.items() if op_id in ops and s.start < now and cut_off(s)
    }
    grew = True
    while grew:
        grew = False
        for op_id, s in placed.items():
            if (
                op_id in ops
                and op_id not in restart
                and s.start < now
                and any(p in restart for p in ops[op_id].predecessors)
            ):
                restart.add(op_id)
                grew = True
    return restart


def replan(
    problem: SewingProblem,
    previous: Schedule,
    now: int,
    events: list[Disruption],
    time_limit: float = REPLAN_BUDGET_S,
    workers: int = 2,
    move_weight: int = 20,
    on_progress: Progress | None = None,
) -> Replan:
    """Re-solve the remaining work, moving as little of the previous plan as possible."""
    t0 = time.monotonic()
    new_problem, notes = apply_disruptions(problem, previous, now, events)
    schedule = solve_sewing(
        new_problem,
        time_limit=time_limit,
        workers=workers,
        on_progress=on_progress,
        stability=Stability(previous, move_weight),
    )
    before = previous.by_op()
    changes = []
    for s in schedule.operations:
        old = before.get(s.op_id)
        if old is None or (old.station_id, old.start) != (s.station_id, s.start):
            changes.append(
                Change(
                    s.op_id,
                    None if old is None else (old.station_id, old.start),
                    (s.station_id, s.start),
                )
            )
    moved = sum(1 for c in changes if c.before is not None)
    explanation = list(notes)
    explanation.append(
        f"{moved} operation(s) of the previous plan moved; "
        f"{sum(1 for c in changes if c.before is None)} new"
    )
    for order_id, minutes in sorted(schedule.tardiness.items()):
        was = previous.tardiness.get(order_id)
        if minutes != (was or 0):
            what = "new order" if was is None else f"was {was} min"
            explanation.append(f"order {order_id} is now {minutes} min late ({what})")
    explanation.append(f"makespan {previous.makespan} -> {schedule.makespan} min")
    seconds = time.monotonic() - t0
    log.info("replanned in %.1fs: %s", seconds, "; ".join(explanation))
    return Replan(new_problem, schedule, tuple(changes), moved, tuple(explanation), seconds)
