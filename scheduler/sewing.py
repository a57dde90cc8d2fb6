"""The sewing schedule (CP-SAT): a flexible job shop of bundle operations on stations.

One optional interval per (operation, capable station) with the operator's speed; a station's
no-overlap also holds its off-shift and break times as fixed intervals, so no operation spans a
break. Objective: 100 x weighted tardiness + makespan (+ moves, when replanning).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from scheduler.feasibility import PlanInfeasible, capable, explain, station_windows
from scheduler.model import PRIORITY_WEIGHT, Schedule, ScheduledOperation, SewingProblem
from scheduler.progress import Progress

log = logging.getLogger(__name__)

TARDINESS_WEIGHT = 100


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
    """Schedule every operation; raises PlanInfeasible with the reasons when it cannot."""
    from ortools.sat.python import cp_model

    from scheduler.progress import solution_reporter

    reasons = explain(problem)
    if reasons:
        raise PlanInfeasible(reasons)
    t0 = time.monotonic()
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
    _add_setups(model, problem, ops)
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
    _add_hints(model, ops, warm_start or (stability.reference if stability else None))

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = workers
    status = solver.solve(model, solution_reporter(on_progress))
    if status == cp_model.INFEASIBLE:
        raise PlanInfeasible(_explain_core(model, assumptions, problem))
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise PlanInfeasible(
            [f"no schedule found within the {time_limit:g} s limit; allow more time or less work"]
        )
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
    return Schedule(
        tuple(scheduled),
        solver.value(makespan),
        sum(PRIORITY_WEIGHT.get(o.priority, 2) * late.get(o.order_id, 0) for o in problem.orders),
        late,
        status == cp_model.OPTIMAL,
        int(solver.objective_value),
        int(solver.best_objective_bound),
    )


def _add_setups(model, problem: SewingProblem, ops: dict[str, _Op]) -> None:
    """Different thread colours back to back on a station need `setup_minutes` between them."""
    if problem.setup_minutes <= 0:
        return
    colour = {op.op_id: op.thread_colour for op in problem.operations}
    ids = list(ops)
    for a_index, a in enumerate(ids):
        for b in ids[a_index + 1 :]:
            if colour[a] == colour[b]:
                continue
            for station in set(ops[a].choices) & set(ops[b].choices):
                pa, pb = ops[a].choices[station][0], ops[b].choices[station][0]
                a_first = model.new_bool_var("")
                model.add(ops[b].start >= ops[a].end + problem.setup_minutes).only_enforce_if(
                    [pa, pb, a_first]
                )
                model.add(ops[a].start >= ops[b].end + problem.setup_minutes).only_enforce_if(
                    [pa, pb, a_first.Not()]
                )


def _add_orders(model, problem: SewingProblem, ops: dict[str, _Op], horizon: int):
    order_end, tardiness, assumptions = {}, {}, {}
    for order in problem.orders:
        ends = [ops[op.op_id].end for op in problem.operations if op.order_id == order.order_id]
        if not ends:
            continue
        end = model.new_int_var(0, horizon, f"end_{order.order_id}")
        model.add_max_equality(end, ends)
        late = model.new_int_var(0, horizon, f"late_{order.order_id}")
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
