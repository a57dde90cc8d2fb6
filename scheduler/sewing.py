"""The sewing schedule (CP-SAT): a flexible job shop of bundle operations on stations.

One optional interval per (operation, capable station) with the operator's speed; a station's
no-overlap also holds its off-shift and break times as fixed intervals, so no operation spans a
break. Objective: 100 x weighted tardiness + makespan (+ moves, when replanning).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, replace
from typing import Any

from scheduler.check import check_schedule
from scheduler.feasibility import PlanInfeasible, capable, explain, station_windows
from scheduler.model import PRIORITY_WEIGHT, Schedule, ScheduledOperation, SewingProblem
from scheduler.progress import Progress
from scheduler.sewing_dispatch import TARDINESS_WEIGHT, dispatch_sewing, moved

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Stability:
    """Replanning: keep operations where `reference` had them; each move costs `move_weight`."""

    reference: Schedule
    move_weight: int = 20


@dataclass
class _Op:
    start: Any  # solver variables: ortools is imported lazily, so no static type here
    end: Any
    choices: dict[str, tuple[Any, int]]  # station -> (presence, duration)
    stay: Any = None


def _station_calendar_block(model, station, problem, horizon: int) -> list:
    """Fixed intervals covering the station's off-shift time, breaks and shift handovers."""
    blocks, cursor = [], 0
    for begin, end in station_windows(station, problem):
        if begin > cursor:
            blocks.append(model.new_fixed_size_interval_var(cursor, begin - cursor, "off"))
        elif begin == cursor > 0:
            # A shift change with no gap: its first minute is the handover, so no operation
            # runs across it (a start-domain or per-handover disjunction made CP-SAT find no
            # first schedule for the demo batch in 20 s; this block keeps the model as it was).
            blocks.append(model.new_fixed_size_interval_var(begin, 1, "handover"))
        cursor = max(cursor, end)
    if cursor < horizon:
        blocks.append(model.new_fixed_size_interval_var(cursor, horizon - cursor, "off"))
    return blocks


def _horizon(problem: SewingProblem) -> int:
    ends = [e for s in problem.stations for _, e in station_windows(s, problem)]
    return max(ends + [problem.now + 1])


def solve_sewing(
    problem: SewingProblem,
    time_limit: float = 10.0,
    workers: int = 2,
    on_progress: Progress | None = None,
    warm_start: Schedule | None = None,
    stability: Stability | None = None,
) -> Schedule:
    """Schedule every operation within `time_limit` seconds of wall time (model building
    included); raises PlanInfeasible with the reasons when it cannot.

    The dispatching rule's schedule (`sewing_dispatch`, checked by `check.py`) is CP-SAT's
    hint, and the answer (`optimal` False, the reason in `note`) when CP-SAT finds nothing
    better in the limit.
    """
    from ortools.sat.python import cp_model

    from scheduler.progress import solution_reporter

    reasons = explain(problem)
    if reasons:
        raise PlanInfeasible(reasons)
    t0 = time.monotonic()
    reference = stability.reference if stability else warm_start
    first = _first_schedule(problem, time_limit, reference, stability)
    if first is not None and on_progress is not None:
        on_progress(first.objective, 0, time.monotonic() - t0)
    model = cp_model.CpModel()
    horizon = _horizon(problem)
    pins = {p.op_id: p for p in problem.pins}
    by_station: dict[str, list] = {s.station_id: [] for s in problem.stations}
    ops: dict[str, _Op] = {}
    for op in problem.operations:
        pin = pins.get(op.op_id)
        stations = capable(op, problem)
        if pin is not None:
            stations = [s for s in stations if s.station_id == pin.station_id]
        lo = min(pin.start if pin else problem.now, horizon)
        start = model.new_int_var(lo, horizon, f"s_{op.op_id}")
        end = model.new_int_var(lo, horizon, f"e_{op.op_id}")
        if pin is not None:
            model.add(start == pin.start)
        choices = {}
        for station in stations:
            if not station_windows(station, problem):
                continue
            present = model.new_bool_var(f"p_{op.op_id}_{station.station_id}")
            duration = station.duration(op)
            interval = model.new_optional_interval_var(start, duration, end, present, "")
            by_station[station.station_id].append(interval)
            choices[station.station_id] = (present, duration)
        model.add_exactly_one(p for p, _ in choices.values())
        ops[op.op_id] = _Op(start, end, choices)
    for station in problem.stations:
        by_station[station.station_id] += _station_calendar_block(model, station, problem, horizon)
        model.add_no_overlap(by_station[station.station_id])
    for op in problem.operations:
        for p in op.predecessors:
            model.add(ops[op.op_id].start >= ops[p].end)
    order_of = _add_setups(model, problem, ops)
    order_end, tardiness, assumptions = _add_orders(model, problem, ops, horizon)
    makespan = model.new_int_var(0, horizon, "makespan")
    model.add_max_equality(makespan, [v.end for v in ops.values()])
    weighted = sum(
        PRIORITY_WEIGHT.get(o.priority, 2) * tardiness[o.order_id]
        for o in problem.orders
        if o.order_id in tardiness
    )
    moves = _add_stability(model, problem, ops, stability)
    model.minimize(TARDINESS_WEIGHT * weighted + makespan + moves)
    if first is not None:
        _add_full_hint(model, first, reference, ops, order_of, order_end, tardiness, makespan)
    else:
        _add_hints(model, ops, reference)

    remaining = time_limit - (time.monotonic() - t0)
    if first is not None and remaining <= 0:
        return _fallback(first, f"the {time_limit:g} s limit was spent before CP-SAT could start")
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.1, remaining)
    solver.parameters.num_workers = workers
    # Presolve's dual reductions may cut away the hinted schedule (the log then says "hint is
    # infeasible" and, on the demo batch with setups, no first schedule came in 10 s).
    solver.parameters.keep_all_feasible_solutions_in_presolve = first is not None
    status = solver.solve(model, solution_reporter(on_progress))
    if status == cp_model.INFEASIBLE:
        raise PlanInfeasible(_explain_core(model, assumptions, problem))
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        if first is None:
            why = f"no schedule found within the {time_limit:g} s limit"
            raise PlanInfeasible([f"{why}; allow more time or less work"])
        return _fallback(first, f"CP-SAT found no schedule within the {time_limit:g} s limit")
    scheduled = []
    for op in problem.operations:
        v = ops[op.op_id]
        chosen = next(s for s, (p, _) in v.choices.items() if solver.boolean_value(p))
        scheduled.append(
            ScheduledOperation(
                op.op_id, op.order_id, chosen, solver.value(v.start), solver.value(v.end)
            )
        )
    late = {o: max(0, solver.value(e) - d) for o, (e, d) in order_end.items()}
    log.info(
        "sewing schedule: %d operations, objective %d in %.1fs",
        len(scheduled),
        solver.objective_value,
        time.monotonic() - t0,
    )
    if first is not None and first.objective < solver.objective_value:
        return _fallback(
            replace(first, lower_bound=min(int(solver.best_objective_bound), first.objective)),
            f"CP-SAT's best schedule in the {time_limit:g} s limit was worse "
            f"({int(solver.objective_value)} against {first.objective})",
        )
    return Schedule(
        tuple(scheduled),
        solver.value(makespan),
        sum(PRIORITY_WEIGHT.get(o.priority, 2) * late.get(o.order_id, 0) for o in problem.orders),
        late,
        status == cp_model.OPTIMAL,
        int(solver.objective_value),
        int(solver.best_objective_bound),
    )


def _fallback(first: Schedule, why: str) -> Schedule:
    note = f"{why}; this is the dispatching rule's schedule (it keeps every rule, not optimised)"
    log.warning("sewing schedule: %s", note)
    return replace(first, note=note)


def _first_schedule(
    problem: SewingProblem,
    time_limit: float,
    reference: Schedule | None,
    stability: Stability | None,
) -> Schedule | None:
    """The dispatching rule's schedule with its objective as CP-SAT counts it, or None when the
    rule cannot place everything or the checker finds a broken rule (then CP-SAT goes alone)."""
    move_weight = stability.move_weight if stability else 0
    first = dispatch_sewing(
        problem, seconds=min(1.0, 0.05 * time_limit), reference=reference, move_weight=move_weight
    )
    if first is None:
        log.info("sewing dispatch: the rule could not place every operation")
        return None
    broken = check_schedule(problem, first)
    if problem.hard_due_dates and any(first.tardiness.values()):
        broken.append("an order is late but due dates are hard")
    if broken:
        log.warning(
            "sewing dispatch: its schedule breaks %d rule(s), not used: %s",
            len(broken),
            "; ".join(broken[:3]),
        )
        return None
    moves = moved(problem, first, stability.reference) if stability else 0
    return replace(first, objective=first.objective + move_weight * moves)


def _add_setups(model, problem: SewingProblem, ops: dict[str, _Op]) -> dict[tuple[str, str], Any]:
    """Different thread colours back to back on a station need `setup_minutes` between them.

    One literal per pair ("a before b") serves every station both can use: they can only
    meet on one. Returns the literals by pair, for the hint."""
    order_of: dict[tuple[str, str], Any] = {}
    if problem.setup_minutes <= 0:
        return order_of
    colour = {op.op_id: op.thread_colour for op in problem.operations}
    ids = list(ops)
    for a_index, a in enumerate(ids):
        for b in ids[a_index + 1 :]:
            if colour[a] == colour[b]:
                continue
            shared = set(ops[a].choices) & set(ops[b].choices)
            if not shared:
                continue
            a_first = model.new_bool_var("")
            order_of[(a, b)] = a_first
            for station in shared:
                pa, pb = ops[a].choices[station][0], ops[b].choices[station][0]
                model.add(ops[b].start >= ops[a].end + problem.setup_minutes).only_enforce_if(
                    [pa, pb, a_first]
                )
                model.add(ops[a].start >= ops[b].end + problem.setup_minutes).only_enforce_if(
                    [pa, pb, a_first.Not()]
                )
    return order_of


def _add_orders(model, problem: SewingProblem, ops: dict[str, _Op], horizon: int):
    order_end, tardiness, assumptions = {}, {}, {}
    for order in problem.orders:
        ends = [ops[op.op_id].end for op in problem.operations if op.order_id == order.order_id]
        if not ends:
            continue
        end = model.new_int_var(0, horizon, f"end_{order.order_id}")
        model.add_max_equality(end, ends)
        # an order already overdue at the origin (due < 0) is late by more than the horizon
        late = model.new_int_var(0, horizon - min(0, order.due), f"late_{order.order_id}")
        model.add(late >= end - order.due)
        order_end[order.order_id] = (end, order.due)
        tardiness[order.order_id] = late
        if problem.hard_due_dates:
            literal = model.new_bool_var(f"due_{order.order_id}")
            model.add(end <= order.due).only_enforce_if(literal)
            assumptions[literal.index] = f"order {order.order_id} due at minute {order.due}"
    if assumptions:
        model.add_assumptions([model.get_bool_var_from_proto_index(i) for i in assumptions])
    return order_end, tardiness, assumptions


def _add_stability(model, problem: SewingProblem, ops: dict[str, _Op], stability):
    if stability is None:
        return 0
    pinned = {p.op_id for p in problem.pins}
    moved = []
    for s in stability.reference.operations:
        v = ops.get(s.op_id)
        if v is None or s.op_id in pinned or s.station_id not in v.choices:
            continue
        stay = model.new_bool_var(f"stay_{s.op_id}")
        model.add_implication(stay, v.choices[s.station_id][0])
        model.add(v.start == s.start).only_enforce_if(stay)
        v.stay = stay
        moved.append(1 - stay)
    return stability.move_weight * sum(moved)


def _add_hints(model, ops: dict[str, _Op], reference: Schedule | None) -> None:
    if reference is None:
        return
    for s in reference.operations:
        v = ops.get(s.op_id)
        if v is None or s.station_id not in v.choices:
            continue
        model.add_hint(v.start, s.start)
        for station, (present, _) in v.choices.items():
            model.add_hint(present, station == s.station_id)


def _add_full_hint(
    model,
    first: Schedule,
    reference: Schedule | None,
    ops,
    order_of,
    order_end,
    tardiness,
    makespan,
) -> None:
    """Every decision of a complete feasible schedule, so CP-SAT starts from a solution."""
    placed = first.by_op()
    before = reference.by_op() if reference is not None else {}
    for op_id, v in ops.items():
        s = placed[op_id]
        model.add_hint(v.start, s.start)
        model.add_hint(v.end, s.end)
        for station, (present, _) in v.choices.items():
            model.add_hint(present, station == s.station_id)
        if v.stay is not None:
            old = before[op_id]
            model.add_hint(v.stay, (old.station_id, old.start) == (s.station_id, s.start))
    for (a, b), a_first in order_of.items():
        model.add_hint(a_first, placed[a].start < placed[b].start)
    for order_id, (end, _due) in order_end.items():
        model.add_hint(end, max(s.end for s in first.operations if s.order_id == order_id))
        model.add_hint(tardiness[order_id], first.tardiness.get(order_id, 0))
    model.add_hint(makespan, first.makespan)


def _explain_core(model, assumptions: dict[int, str], problem: SewingProblem) -> list[str]:
    """Re-solve with one worker to name the due dates that cannot all hold together."""
    from ortools.sat.python import cp_model

    if not assumptions:
        return [
            "the operations do not fit in the shift calendar: not enough working time "
            "for the work (with the pins and precedences given); add shifts or stations"
        ]
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 10.0
    solver.solve(model)
    core = [
        assumptions[i]
        for i in solver.sufficient_assumptions_for_infeasibility()
        if i in assumptions
    ]
    if not core:
        return ["the operations do not fit in the shift calendar even without due dates"]
    return ["these due dates cannot all be met: " + ", ".join(core)]
