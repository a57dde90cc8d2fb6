"""A dispatching-rule sewing schedule: serial schedule generation, no solver.

It keeps every rule the CP-SAT model keeps (machine type, operator speed, routing precedence,
working stretches and shift handovers, setup on a thread-colour change, pins, nothing before
`now`), so it is the first schedule CP-SAT gets as a hint and the answer when CP-SAT finds none
in its time limit. One pass: among the operations whose predecessors are placed, take the one
that can finish earliest on some station (orders at risk of being late first, by priority),
put it there. With a reference plan (warm start, replanning) operations go back to their old
station and start wherever that still fits, in their old order.
"""

from __future__ import annotations

import bisect
import logging
import random
import time
from dataclasses import dataclass

from scheduler.feasibility import capable, station_windows
from scheduler.model import (
    PRIORITY_WEIGHT,
    BundleOperation,
    Schedule,
    ScheduledOperation,
    SewingProblem,
    Station,
)

log = logging.getLogger(__name__)

# The objective, here and in the CP-SAT model: 100 x weighted tardiness + makespan (+ moves).
TARDINESS_WEIGHT = 100


def usable_windows(station: Station, problem: SewingProblem) -> list[tuple[int, int]]:
    """The station's working stretches as the CP-SAT model sees them: where a shift starts the
    minute the previous one ends, that first minute is the handover and nothing runs in it."""
    out, cursor = [], 0
    for begin, end in station_windows(station, problem):
        if begin == cursor > 0:
            out.append((begin + 1, end))
        else:
            out.append((begin, end))
        cursor = max(cursor, end)
    return [(b, e) for b, e in out if e > b]


@dataclass
class _Line:
    """One station's booked operations, sorted by start: (start, end, colour)."""

    windows: list[tuple[int, int]]
    booked: list[tuple[int, int, str]]
    longest: int = 0  # the longest booked operation, to skip those that end too early

    def earliest(self, ready: int, duration: int, colour: str, setup: int) -> int | None:
        """The first start at or after `ready` inside one working stretch that keeps the setup
        gap to every booked operation of another colour; None when nothing fits."""
        for begin, end in self.windows:
            if end - max(begin, ready) < duration:
                continue
            start = max(begin, ready)
            while start + duration <= end:
                clash = self._clash(start, duration, colour, setup)
                if clash is None:
                    return start
                start = clash
        return None

    def fits(self, start: int, duration: int, colour: str, setup: int) -> bool:
        inside = any(b <= start and start + duration <= e for b, e in self.windows)
        return inside and self._clash(start, duration, colour, setup) is None

    def _clash(self, start: int, duration: int, colour: str, setup: int) -> int | None:
        """None when [start, start + duration) fits; else the earliest start after the clash."""
        end = start + duration
        # Booked operations start in order; one starting after end + setup cannot clash, nor
        # one starting before start - longest - setup (it ends too early).
        first = bisect.bisect_left(self.booked, (start - self.longest - setup,))
        last = bisect.bisect_left(self.booked, (end + setup + 1,))
        for b_start, b_end, b_colour in self.booked[first:last]:
            gap = setup if b_colour != colour else 0
            if b_start < end + gap and start < b_end + gap:
                return b_end + gap
        return None

    def book(self, start: int, end: int, colour: str) -> None:
        bisect.insort(self.booked, (start, end, colour))
        self.longest = max(self.longest, end - start)


def objective(problem: SewingProblem, schedule: Schedule) -> int:
    """The CP-SAT objective without the replanning move term: 100 x weighted tardiness +
    makespan."""
    return TARDINESS_WEIGHT * schedule.weighted_tardiness + schedule.makespan


def as_schedule(problem: SewingProblem, placed: dict[str, ScheduledOperation]) -> Schedule:
    """A Schedule with its makespan and tardiness computed from the placed operations."""
    ops = tuple(placed[op.op_id] for op in problem.operations)
    ends: dict[str, int] = {}
    for s in ops:
        ends[s.order_id] = max(ends.get(s.order_id, 0), s.end)
    late = {
        o.order_id: max(0, ends[o.order_id] - o.due) for o in problem.orders if o.order_id in ends
    }
    weighted = sum(
        PRIORITY_WEIGHT.get(o.priority, 2) * late.get(o.order_id, 0) for o in problem.orders
    )
    makespan = max((s.end for s in ops), default=0)
    return Schedule(ops, makespan, weighted, late, False, TARDINESS_WEIGHT * weighted + makespan, 0)


def _fastest(problem: SewingProblem) -> dict[str, int]:
    return {
        op.op_id: min((s.duration(op) for s in capable(op, problem)), default=0)
        for op in problem.operations
    }


def _tails(problem: SewingProblem, fastest: dict[str, int]) -> dict[str, int]:
    """Per operation: the longest chain from it to the end of its routing, fastest stations."""
    succ: dict[str, list[str]] = {op.op_id: [] for op in problem.operations}
    for op in problem.operations:
        for p in op.predecessors:
            succ.setdefault(p, []).append(op.op_id)
    memo: dict[str, int] = {}

    def tail(op_id: str) -> int:
        if op_id not in memo:
            memo[op_id] = fastest[op_id] + max((tail(s) for s in succ[op_id]), default=0)
        return memo[op_id]

    return {op.op_id: tail(op.op_id) for op in problem.operations}


def _working_clock(problem: SewingProblem):
    """`after_working(t, minutes)`: the moment `minutes` of plant working time after `t`."""
    windows = problem.calendar.working_windows()

    def after_working(t: int, minutes: int) -> int:
        for begin, end in windows:
            if end <= t:
                continue
            begin = max(begin, t)
            if minutes <= end - begin:
                return begin + minutes
            minutes -= end - begin
            t = end
        return t + minutes

    return after_working


def dispatch_once(
    problem: SewingProblem,
    reference: Schedule | None = None,
    noise: float = 0.0,
    rng: random.Random | None = None,
) -> Schedule | None:
    """One serial pass; None when some operation finds no place (e.g. a pin blocks it)."""
    rng = rng or random.Random(0)
    ops = {op.op_id: op for op in problem.operations}
    lines = {s.station_id: _Line(usable_windows(s, problem), []) for s in problem.stations}
    stations = {s.station_id: s for s in problem.stations}
    setup = problem.setup_minutes
    placed: dict[str, ScheduledOperation] = {}
    for pin in problem.pins:
        op = ops[pin.op_id]
        end = pin.start + stations[pin.station_id].duration(op)
        placed[op.op_id] = ScheduledOperation(op.op_id, op.order_id, pin.station_id, pin.start, end)
        lines[pin.station_id].book(pin.start, end, op.thread_colour)
    # A pinned operation's unplaced predecessors must end before it starts.
    deadline: dict[str, int] = {}
    for op in problem.operations:
        if op.op_id in placed:
            for p in op.predecessors:
                if p not in placed:
                    deadline[p] = min(deadline.get(p, 1 << 60), placed[op.op_id].start)
    due = {o.order_id: o.due for o in problem.orders}
    weight = {o.order_id: PRIORITY_WEIGHT.get(o.priority, 2) for o in problem.orders}
    fastest = _fastest(problem)
    tails = _tails(problem, fastest)
    after_working = _working_clock(problem)
    where = reference.by_op() if reference is not None else {}
    choices = {op.op_id: capable(op, problem) for op in problem.operations}
    waiting = {
        op.op_id: sum(1 for p in op.predecessors if p not in placed and p in ops)
        for op in problem.operations
        if op.op_id not in placed
    }
    successors: dict[str, list[str]] = {}
    for op in problem.operations:
        for p in op.predecessors:
            successors.setdefault(p, []).append(op.op_id)
    eligible = {o for o, n in waiting.items() if n == 0}
    jitter = {o: 1.0 + noise * rng.random() for o in waiting}

    def ready(op: BundleOperation) -> int:
        return max([problem.now] + [placed[p].end for p in op.predecessors if p in placed])

    def best_place(op: BundleOperation) -> tuple[int, str, int] | None:
        """(end, station, start) of the earliest finish; the reference slot when it still fits."""
        at = ready(op)
        old = where.get(op.op_id)
        if old is not None and old.station_id in lines and old.start >= at:
            station = stations[old.station_id]
            if op.machine_type in station.machine_types:
                duration = station.duration(op)
                if lines[old.station_id].fits(old.start, duration, op.thread_colour, setup):
                    return (old.start + duration, old.station_id, old.start)
        best = None
        for station in choices[op.op_id]:
            duration = station.duration(op)
            start = lines[station.station_id].earliest(at, duration, op.thread_colour, setup)
            if start is None:
                continue
            key = (start + duration, station.station_id, start)
            if best is None or key < best:
                best = key
        return best

    # An operation's best place changes only when a station it can use gets booked.
    cache: dict[str, tuple[int, str, int] | None] = {}
    while eligible:
        pick = None
        for op_id in eligible:
            op = ops[op_id]
            if op_id not in cache:
                cache[op_id] = best_place(op)
            place = cache[op_id]
            if place is None:
                return None
            end = place[0]
            old = where.get(op_id)
            if reference is not None:
                # Replanning: the old order first, new work where it finishes earliest.
                key: tuple = (old.start if old is not None else end, -tails[op_id], op_id)
            else:
                finish = after_working(end, tails[op_id] - fastest[op_id])
                at_risk = finish > due.get(op.order_id, finish)
                key = (
                    0 if at_risk else 1,
                    -weight.get(op.order_id, 2) if at_risk else 0,
                    end * jitter[op_id],
                    -tails[op_id],
                    op_id,
                )
            if pick is None or key < pick[0]:
                pick = (key, op_id, place)
        assert pick is not None
        _, op_id, (end, station_id, start) = pick
        op = ops[op_id]
        if end > deadline.get(op_id, 1 << 60):
            return None
        placed[op_id] = ScheduledOperation(op_id, op.order_id, station_id, start, end)
        lines[station_id].book(start, end, op.thread_colour)
        eligible.discard(op_id)
        for other in eligible:
            if any(st.station_id == station_id for st in choices[other]):
                cache.pop(other, None)
        for s in successors.get(op_id, ()):
            if s in waiting:
                waiting[s] -= 1
                if waiting[s] == 0:
                    eligible.add(s)
    if len(placed) != len(ops):
        return None  # an operation waits on one that is not in the request
    return as_schedule(problem, placed)


def moved(problem: SewingProblem, schedule: Schedule, reference: Schedule) -> int:
    """Operations of `reference` (not pinned) whose station or start differ in `schedule`."""
    pinned = {p.op_id for p in problem.pins}
    now = schedule.by_op()
    return sum(
        1
        for old in reference.operations
        if old.op_id in now
        and old.op_id not in pinned
        and (now[old.op_id].station_id, now[old.op_id].start) != (old.station_id, old.start)
    )


def dispatch_sewing(
    problem: SewingProblem,
    seconds: float = 0.5,
    reference: Schedule | None = None,
    move_weight: int = 0,
    seed: int = 0,
) -> Schedule | None:
    """The best of a plain pass, a pass back into `reference` (when given) and randomised
    passes within `seconds`, by the CP-SAT objective (+ `move_weight` per operation moved
    from `reference`); None when no pass places every operation."""
    rng = random.Random(seed)
    t0 = time.monotonic()

    def score(candidate: Schedule) -> int:
        moves = moved(problem, candidate, reference) if reference and move_weight else 0
        return objective(problem, candidate) + move_weight * moves

    best: Schedule | None = None
    tries = 0
    while tries < 2 or time.monotonic() - t0 < seconds:
        if tries == 0:
            candidate = dispatch_once(problem, reference) if reference else None
        else:
            candidate = dispatch_once(problem, None, noise=0.3 if tries > 1 else 0.0, rng=rng)
        tries += 1
        if candidate is not None and (best is None or score(candidate) < score(best)):
            best = candidate
    log.info(
        "sewing dispatch: %d passes in %.2fs, objective %s",
        tries,
        time.monotonic() - t0,
        None if best is None else score(best),
    )
    return best
