"""CP-SAT models for the (flexible) job shop: the OR-Tools sample's plain model and ours.

Ours starts CP-SAT from a tabu search's schedule (`shop_search`): that schedule as a complete hint
and its makespan as the horizon, head/tail bounds on every start (README, "Job-shop benchmark
model").
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
    duration: Any = None  # the duration variable of an operation with alternatives


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
            row.append(_OpVars(start, end, choices, duration))
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


# Share of the time limit for the tabu search before CP-SAT (trials in the README): on flexible
# shops CP-SAT's LNS does better from an early tabu schedule with most of the time; on pure job
# shops the longer search wins (abz8, abz9).
FLEXIBLE_SEARCH_SHARE = 0.1
JOB_SHOP_SEARCH_SHARE = 0.5


def solve_shop(
    instance: ShopInstance,
    time_limit: float = 20.0,
    workers: int = 2,
    on_progress: Progress | None = None,
    search_share: float | None = None,
    seed: int = 0,
) -> ShopSolution | None:
    """Our model: a tabu search (`shop_search`) on `workers` threads for `search_share` of the
    time (default: a tenth for flexible shops, half for pure job shops; README, "Job-shop
    benchmark model", says why), then CP-SAT from its schedule: the schedule as a complete hint, its makespan as the
    horizon, head/tail bounds on every start and a makespan lower bound; for pure job shops a
    no-LP restart search as the full worker. README, "Job-shop benchmark model", has the trials.

    The numba kernels compile on the first call of a process; `shop_search.warm_up()` first
    keeps that out of the time limit.
    """
    from ortools.sat.python import cp_model

    from scheduler.shop_search import tabu_search

    t0 = time.monotonic()
    lower = max(
        max(sum(min(d for _, d in op.alternatives) for op in job) for job in instance.jobs),
        _machine_bound(instance),
    )
    if search_share is None:
        search_share = FLEXIBLE_SEARCH_SHARE if instance.flexible else JOB_SHOP_SEARCH_SHARE
    first = dispatch(instance, seconds=min(0.2, 0.01 * time_limit), seed=seed)
    best = tabu_search(
        instance,
        seconds=max(0.0, search_share * time_limit - (time.monotonic() - t0)),
        seed=seed,
        start=first,
        threads=max(1, min(workers, 2)),
        stop_at=lower,
    )
    if on_progress is not None:
        on_progress(best.makespan, lower, time.monotonic() - t0)
    if best.makespan <= lower:
        return ShopSolution(best.makespan, lower, True, time.monotonic() - t0, best.assignment)
    model = cp_model.CpModel()
    horizon = best.makespan
    jobs = _build(model, instance, horizon, tight=True, cumulative=False)
    makespan = model.new_int_var(lower, horizon, "makespan")
    for row in jobs:
        model.add(makespan >= row[-1].end)
    _hint(model, jobs, best, makespan)
    # CP-SAT overruns its limit a little (stopping workers, extracting), more on a loaded machine
    margin = max(0.3, 0.03 * time_limit)
    remaining = max(0.1, time_limit - margin - (time.monotonic() - t0))
    # Pure job shops: the LP relaxation of disjunctions is weak, a no-LP restart search did better
    # in trials; flexible ones keep the default (README, "Job-shop benchmark model").
    full = None if instance.flexible else "quick_restart_no_lp"
    solved = _solve(model, jobs, makespan, remaining, workers, on_progress, t0, full)
    if solved is None or solved.makespan > best.makespan:
        bound = lower if solved is None else solved.lower_bound
        return ShopSolution(best.makespan, bound, False, time.monotonic() - t0, best.assignment)
    return solved


def _hint(model, jobs: list[list[_OpVars]], schedule: ShopSolution, makespan) -> None:
    """Every variable hinted, so that CP-SAT's first solution is `schedule` itself."""
    model.add_hint(makespan, schedule.makespan)
    for row, planned in zip(jobs, schedule.assignment, strict=True):
        for v, (machine, start, duration) in zip(row, planned, strict=True):
            model.add_hint(v.start, start)
            model.add_hint(v.end, start + duration)
            if len(v.choices) > 1:
                model.add_hint(v.duration, duration)
                for m, d, present in v.choices:
                    model.add_hint(present, m == machine and d == duration)


def _machine_bound(instance: ShopInstance) -> int:
    """Makespan lower bound from operations that have only one machine to go to."""
    load = [0] * instance.n_machines
    for job in instance.jobs:
        for op in job:
            if len(op.alternatives) == 1:
                load[op.alternatives[0][0]] += op.alternatives[0][1]
    return max(load) if load else 0
