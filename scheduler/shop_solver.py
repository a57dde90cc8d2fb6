"""CP-SAT models for the (flexible) job shop: the OR-Tools sample's plain model and ours.

Ours adds what is known to help CP-SAT on few cores: a dispatching-rule first solution given as a
hint and as the horizon, head/tail bounds on every start, a redundant cumulative over all
operations, and LNS-heavy workers (see README, "Job-shop benchmark model").
"""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass
from typing import Any

from scheduler.progress import Progress, solution_reporter
from scheduler.shop import ShopInstance, ShopSolution

log = logging.getLogger(__name__)


@dataclass
class _OpVars:
    start: Any  # solver variables: ortools is imported lazily, so no static type here
    end: Any
    choices: list[tuple[int, int, Any]]  # (machine, duration, presence literal)


def dispatch(instance: ShopInstance, seconds: float = 0.5, seed: int = 0) -> ShopSolution:
    """Randomised earliest-completion dispatching with most-work-remaining ties; best of many."""
    rng = random.Random(seed)
    remaining = [
        [sum(min(d for _, d in op.alternatives) for op in job[o:]) for o in range(len(job))]
        for job in instance.jobs
    ]
    t0 = time.monotonic()
    best: tuple[int, list] | None = None
    tries = 0
    while best is None or (time.monotonic() - t0 < seconds and tries < 5000):
        noise = 0.0 if tries == 0 else 0.3
        tries += 1
        machine_free = [0] * instance.n_machines
        job_free = [0] * len(instance.jobs)
        next_op = [0] * len(instance.jobs)
        plan: list[list[tuple[int, int, int]]] = [[] for _ in instance.jobs]
        left = sum(len(job) for job in instance.jobs)
        while left:
            choice = None
            for j, job in enumerate(instance.jobs):
                if next_op[j] >= len(job):
                    continue
                for machine, duration in job[next_op[j]].alternatives:
                    start = max(job_free[j], machine_free[machine])
                    key = (
                        (start + duration) * (1 + noise * rng.random()),
                        -remaining[j][next_op[j]],
                    )
                    if choice is None or key < choice[0]:
                        choice = (key, j, machine, start, duration)
            assert choice is not None  # some job always has an operation left here
            _, j, machine, start, duration = choice
            plan[j].append((machine, start, duration))
            machine_free[machine] = job_free[j] = start + duration
            next_op[j] += 1
            left -= 1
        makespan = max(job_free)
        if best is None or makespan < best[0]:
            best = (makespan, plan)
    makespan, plan = best
    log.debug("dispatching: %d tries, best makespan %d", tries, makespan)
    return ShopSolution(makespan, 0, False, time.monotonic() - t0, tuple(tuple(p) for p in plan))


def _build(
    model, instance: ShopInstance, horizon: int, tight: bool, cumulative: bool = True
) -> list[list[_OpVars]]:
    jobs: list[list[_OpVars]] = []
    machine_intervals: dict[int, list] = {m: [] for m in range(instance.n_machines)}
    all_main = []
    for j, job in enumerate(instance.jobs):
        mins = [min(d for _, d in op.alternatives) for op in job]
        row = []
        for o, op in enumerate(job):
            head = sum(mins[:o]) if tight else 0
            tail = sum(mins[o:]) if tight else 0
            lo_d = min(d for _, d in op.alternatives)
            hi_d = max(d for _, d in op.alternatives)
            start = model.new_int_var(head, max(head, horizon - tail), f"s{j}_{o}")
            end = model.new_int_var(head + lo_d, horizon, f"e{j}_{o}")
            if len(op.alternatives) == 1:
                machine, duration = op.alternatives[0]
                interval = model.new_interval_var(start, duration, end, f"i{j}_{o}")
                machine_intervals[machine].append(interval)
                row.append(_OpVars(start, end, [(machine, duration, model.new_constant(1))]))
                all_main.append((interval, 1))
                continue
            duration = model.new_int_var(lo_d, hi_d, f"d{j}_{o}")
            interval = model.new_interval_var(start, duration, end, f"i{j}_{o}")
            all_main.append((interval, 1))
            choices = []
            for a, (machine, dur) in enumerate(op.alternatives):
                present = model.new_bool_var(f"p{j}_{o}_{a}")
                alt = model.new_optional_interval_var(start, dur, end, present, f"a{j}_{o}_{a}")
                model.add(duration == dur).only_enforce_if(present)
                machine_intervals[machine].append(alt)
                choices.append((machine, dur, present))
            model.add_exactly_one(p for _, _, p in choices)
            row.append(_OpVars(start, end, choices))
        for before, after in zip(row, row[1:], strict=False):
            model.add(after.start >= before.end)
        jobs.append(row)
    for intervals in machine_intervals.values():
        model.add_no_overlap(intervals)
    if tight and cumulative and instance.flexible:
        # Redundant: at most n_machines operations run at once, whatever their machines.
        model.add_cumulative(
            [i for i, _ in all_main], [d for _, d in all_main], instance.n_machines
        )
    return jobs


def _extract(solver, jobs: list[list[_OpVars]]) -> tuple[tuple[tuple[int, int, int], ...], ...]:
    out = []
    for row in jobs:
        ops = []
        for v in row:
            machine, duration = next((m, d) for m, d, p in v.choices if solver.boolean_value(p))
            ops.append((machine, solver.value(v.start), duration))
        out.append(tuple(ops))
    return tuple(out)


def _solve(model, jobs, makespan, time_limit: float, workers: int, on_progress, t0, full=None):
    from ortools.sat.python import cp_model

    model.minimize(makespan)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = workers
    if full:
        solver.parameters.subsolvers.append(full)
    status = solver.solve(model, solution_reporter(on_progress))
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return ShopSolution(
        int(solver.objective_value),
        int(solver.best_objective_bound),
        status == cp_model.OPTIMAL,
        time.monotonic() - t0,
        _extract(solver, jobs),
    )


def solve_plain(
    instance: ShopInstance,
    time_limit: float = 20.0,
    workers: int = 2,
    on_progress: Progress | None = None,
) -> ShopSolution | None:
    """The OR-Tools job-shop sample's formulation: horizon = sum of durations, no hint."""
    from ortools.sat.python import cp_model

    t0 = time.monotonic()
    model = cp_model.CpModel()
    horizon = sum(max(d for _, d in op.alternatives) for job in instance.jobs for op in job)
    jobs = _build(model, instance, horizon, tight=False)
    makespan = model.new_int_var(0, horizon, "makespan")
    model.add_max_equality(makespan, [row[-1].end for row in jobs if row])
    return _solve(model, jobs, makespan, time_limit, workers, on_progress, t0)


def solve_shop(
    instance: ShopInstance,
    time_limit: float = 20.0,
    workers: int = 2,
    on_progress: Progress | None = None,
    hint_seconds: float | None = None,
    use_hint: bool = False,
    cumulative: bool = False,
) -> ShopSolution | None:
    """Our model: head/tail bounds on every start, a makespan lower bound, and for pure job
    shops the dispatching rule's makespan as the horizon and a no-LP restart search.

    The hint and the redundant cumulative are off by default; README, "Job-shop benchmark model",
    says what the trials showed.
    """
    from ortools.sat.python import cp_model

    t0 = time.monotonic()
    first = dispatch(
        instance, seconds=min(1.0, 0.05 * time_limit) if hint_seconds is None else hint_seconds
    )
    if on_progress is not None:
        on_progress(first.makespan, 0, time.monotonic() - t0)
    model = cp_model.CpModel()
    # A dispatching horizon starves flexible shops' first-solution search (mk09 ended at the
    # rule's own makespan in one trial), so they keep the sample's sum-of-durations horizon.
    horizon = first.makespan
    if instance.flexible:
        horizon = sum(max(d for _, d in op.alternatives) for job in instance.jobs for op in job)
    jobs = _build(model, instance, horizon, tight=True, cumulative=cumulative)
    lower = max(
        max(sum(min(d for _, d in op.alternatives) for op in job) for job in instance.jobs),
        _machine_bound(instance),
    )
    makespan = model.new_int_var(lower, horizon, "makespan")
    for row in jobs:
        model.add(makespan >= row[-1].end)
    for row, planned in zip(jobs, first.assignment if use_hint else (), strict=False):
        for v, (machine, start, _duration) in zip(row, planned, strict=True):
            model.add_hint(v.start, start)
            for m, _d, present in v.choices:
                if len(v.choices) > 1:
                    model.add_hint(present, m == machine)
    remaining = max(0.1, time_limit - (time.monotonic() - t0))
    # Pure job shops: the LP relaxation of disjunctions is weak, a no-LP restart search did better
    # in trials; flexible ones keep the default (README, "Job-shop benchmark model").
    full = None if instance.flexible else "quick_restart_no_lp"
    solved = _solve(model, jobs, makespan, remaining, workers, on_progress, t0, full)
    if solved is None or solved.makespan > first.makespan:
        bound = lower if solved is None else solved.lower_bound
        return ShopSolution(first.makespan, bound, False, time.monotonic() - t0, first.assignment)
    return solved


def _machine_bound(instance: ShopInstance) -> int:
    """Makespan lower bound from operations that have only one machine to go to."""
    load = [0] * instance.n_machines
    for job in instance.jobs:
        for op in job:
            if len(op.alternatives) == 1:
                load[op.alternatives[0][0]] += op.alternatives[0][1]
    return max(load) if load else 0
