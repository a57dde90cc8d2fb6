"""A large-neighbourhood search around CP-SAT for (flexible) job shops.

Each step keeps most of the incumbent: the kept operations keep their machine and their order
on it (their starts may move), the freed ones (some machines' operations, a time window or some
jobs) may change machine and place. CP-SAT re-solves that small problem for a short time from
the incumbent as a hint; a schedule no longer than the incumbent becomes the incumbent.
"""

from __future__ import annotations

import logging
import random
import time

from scheduler.progress import Progress
from scheduler.shop import ShopInstance, ShopSolution

log = logging.getLogger(__name__)

Op = tuple[int, int]  # (job, operation index)


def _freed(instance: ShopInstance, incumbent: ShopSolution, share: float, rng) -> set[Op]:
    ops = [(j, o) for j, job in enumerate(instance.jobs) for o in range(len(job))]
    target = max(2, int(share * len(ops)))
    kind = rng.randrange(3)
    if kind == 0:  # whole machines
        machines = list(range(instance.n_machines))
        rng.shuffle(machines)
        freed: set[Op] = set()
        for m in machines:
            freed |= {(j, o) for j, o in ops if incumbent.assignment[j][o][0] == m}
            if len(freed) >= target:
                break
        return freed
    if kind == 1:  # a time window
        by_start = sorted(ops, key=lambda jo: incumbent.assignment[jo[0]][jo[1]][1])
        first = rng.randrange(max(1, len(ops) - target + 1))
        return set(by_start[first : first + target])
    jobs = list(range(len(instance.jobs)))
    rng.shuffle(jobs)
    freed = set()
    for j in jobs:
        freed |= {(j, o) for o in range(len(instance.jobs[j]))}
        if len(freed) >= target:
            break
    return freed


def _step(
    instance: ShopInstance,
    incumbent: ShopSolution,
    freed: set[Op],
    lower: int,
    seconds: float,
    workers: int,
) -> tuple[ShopSolution | None, bool]:
    """Re-solve the neighbourhood; (schedule no longer than the incumbent or None, proved).

    Kept operations get only their machine's interval (no alternatives at all), so the model
    is small and presolve fast; every variable is hinted from the incumbent."""
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    horizon = incumbent.makespan
    on_machine: dict[int, list] = {m: [] for m in range(instance.n_machines)}
    kept: dict[int, list[tuple[int, Op]]] = {}
    starts, ends, choices = {}, {}, {}
    makespan = model.new_int_var(lower, horizon, "makespan")
    for j, job in enumerate(instance.jobs):
        for o, op in enumerate(job):
            machine, at, duration = incumbent.assignment[j][o]
            alternatives = op.alternatives if (j, o) in freed else ((machine, duration),)
            lo = min(d for _, d in alternatives)
            hi = max(d for _, d in alternatives)
            start = model.new_int_var(0, horizon - lo, "")
            end = model.new_int_var(lo, horizon, "")
            model.add_hint(start, at)
            model.add_hint(end, at + duration)
            if len(alternatives) == 1:
                on_machine[machine].append(model.new_interval_var(start, duration, end, ""))
                kept.setdefault(machine, []).append((at, (j, o)))
            else:
                size = model.new_int_var(lo, hi, "")
                model.add_hint(size, duration)
                model.new_interval_var(start, size, end, "")
                literals = []
                for m, d in alternatives:
                    present = model.new_bool_var("")
                    model.add_hint(present, (m, d) == (machine, duration))
                    on_machine[m].append(
                        model.new_optional_interval_var(start, d, end, present, "")
                    )
                    model.add(size == d).only_enforce_if(present)
                    literals.append((m, d, present))
                model.add_exactly_one(p for _, _, p in literals)
                choices[(j, o)] = literals
            starts[(j, o)], ends[(j, o)] = start, end
            if o:
                model.add(start >= ends[(j, o - 1)])
        model.add(makespan >= ends[(j, len(job) - 1)])
    for intervals in on_machine.values():
        model.add_no_overlap(intervals)
    for items in kept.values():
        items.sort()
        for (_s, a), (_t, b) in zip(items, items[1:], strict=False):
            model.add(starts[b] >= ends[a])
    model.add_hint(makespan, incumbent.makespan)
    model.minimize(makespan)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = workers
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, False
    assignment = []
    for j, job in enumerate(instance.jobs):
        row = []
        for o in range(len(job)):
            machine, _at, duration = incumbent.assignment[j][o]
            for m, d, present in choices.get((j, o), ()):
                if solver.boolean_value(present):
                    machine, duration = m, d
            row.append((machine, solver.value(starts[(j, o)]), duration))
        assignment.append(tuple(row))
    found = ShopSolution(
        int(solver.objective_value), incumbent.lower_bound, False, 0.0, tuple(assignment)
    )
    return found, status == cp_model.OPTIMAL


def improve(
    instance: ShopInstance,
    incumbent: ShopSolution,
    seconds: float,
    workers: int,
    lower: int,
    on_progress: Progress | None = None,
    seed: int = 0,
    share: float = 0.12,
    step_seconds: float = 0.5,
) -> ShopSolution:
    """LNS steps for `seconds`; the neighbourhood grows when steps are solved to optimality
    and shrinks when they run out of time."""
    rng = random.Random(seed)
    t0 = time.monotonic()
    steps, better = 0, 0
    while incumbent.makespan > lower:
        left = seconds - (time.monotonic() - t0)
        if left < 0.2:
            break
        freed = _freed(instance, incumbent, share, rng)
        found, proved = _step(instance, incumbent, freed, lower, min(step_seconds, left), workers)
        steps += 1
        log.debug(
            "step %d: %d freed, %s, proved %s, %.2fs",
            steps,
            len(freed),
            None if found is None else found.makespan,
            proved,
            time.monotonic() - t0,
        )
        if found is not None and found.makespan < incumbent.makespan:
            better += 1
            if on_progress is not None:
                on_progress(found.makespan, lower, time.monotonic() - t0)
        if found is not None:
            incumbent = found
        share = min(0.6, share * 1.1) if proved else max(0.08, share / 1.1)
    log.info(
        "shop LNS: %d steps, %d improving, makespan %d, share %.2f",
        steps,
        better,
        incumbent.makespan,
        share,
    )
    return incumbent
