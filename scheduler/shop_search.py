"""Tabu search on the disjunctive graph of a (flexible) job shop, for `solve_shop`'s first schedule.

Pure job shops (every operation on one machine) take `jobshop_search.JobShopSearch`, the N7
neighbourhood of critical blocks with estimated moves; flexible shops the search below.

Mastrolilli-Gambardella style: each iteration moves one critical operation to another place on
its machine or onto another eligible machine (for a pure job shop that includes the
Nowicki-Smutnicki swaps in critical blocks), the move evaluated exactly from heads and tails of
the graph without that operation; the way back is tabu for a random tenure unless it beats the
best; after a long stall the search goes back to the best schedule and kicks it with a few random
moves. The kernels are numba functions in `shop_moves.py`; this module turns instances and
schedules into arrays and back, and runs the kernels in short slices until the time is up.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from scheduler import shop_moves as k
from scheduler.shop import ShopInstance, ShopOperation, ShopSolution

log = logging.getLogger(__name__)

_SLICE_SECONDS = 0.05  # how long one kernel call runs before the clock is looked at


class _Search:
    """Problem arrays and one search's state (current schedule, best schedule, tabu list)."""

    def __init__(self, instance: ShopInstance, start: ShopSolution, seed: int, stop_at: int):
        ops = [(j, o) for j, job in enumerate(instance.jobs) for o in range(len(job))]
        index = {jo: i for i, jo in enumerate(ops)}
        n, m = len(ops), instance.n_machines
        self.ops = ops
        self.jp = np.full(n, k.NONE, np.int64)
        self.js = np.full(n, k.NONE, np.int64)
        alt_ptr, alt_m, alt_d = [0], [], []
        for i, (j, o) in enumerate(ops):
            if o > 0:
                self.jp[i] = index[(j, o - 1)]
                self.js[index[(j, o - 1)]] = i
            for machine, duration in instance.jobs[j][o].alternatives:
                alt_m.append(machine)
                alt_d.append(duration)
            alt_ptr.append(len(alt_m))
        self.alt_ptr = np.array(alt_ptr, np.int64)
        self.alt_m = np.array(alt_m, np.int64)
        self.alt_d = np.array(alt_d, np.int64)
        self.seq = np.full((m, n), k.NONE, np.int64)
        self.seq_len = np.zeros(m, np.int64)
        self.mach = np.zeros(n, np.int64)
        self.dur = np.zeros(n, np.int64)
        placed = sorted(
            (start.assignment[j][o][1], start.assignment[j][o][2], i)
            for i, (j, o) in enumerate(ops)
        )
        for _start, _duration, i in placed:
            j, o = ops[i]
            machine, _s, duration = start.assignment[j][o]
            self.seq[machine, self.seq_len[machine]] = i
            self.seq_len[machine] += 1
            self.mach[i] = machine
            self.dur[i] = duration
        self.mp = np.zeros(n, np.int64)
        self.ms = np.zeros(n, np.int64)
        self.order = np.zeros(n, np.int64)
        self.r = np.zeros(n, np.int64)
        self.q = np.zeros(n, np.int64)
        cmax = self._evaluate()
        if cmax < 0:
            raise ValueError(f"{instance.name}: the start schedule's machine orders make a cycle")
        self.best = (self.seq.copy(), self.seq_len.copy(), self.mach.copy(), self.dur.copy())
        self.tabu = np.zeros((n + m, n + m), np.int64)
        self.stats = np.array([0, cmax, cmax, 0, stop_at, 0], np.int64)
        spread = max(2, n // max(1, m))
        stall = max(2000, 20 * n)
        self.params = np.array([2 + n // max(1, m) // 2, spread, stall, 3, 1, 1], np.int64)
        self.path = np.zeros(n, np.int64)
        self.rm = np.zeros(n, np.int64)
        self.qm = np.zeros(n, np.int64)
        self.move = np.zeros(5, np.int64)
        self.seed = seed
        self.iterations = 0  # run so far, over all `run` calls

    def _evaluate(self) -> int:
        cmax = k.evaluate(
            self.jp, self.js, self.seq, self.seq_len, self.dur, self.mp, self.ms, self.order,
            self.r, self.q,
        )  # fmt: skip
        return int(cmax)

    @property
    def best_makespan(self) -> int:
        return int(self.stats[2])

    def run(self, deadline: float, steps: int = 0) -> None:
        """Tabu iterations until `deadline` (monotonic clock) or `steps` of them when > 0."""
        k.seed_random(self.seed)
        chunk = 20
        done = 0
        while (time.monotonic() < deadline or steps) and self.stats[2] > self.stats[4]:
            n_steps = min(chunk, steps - done) if steps else chunk
            t = time.monotonic()
            self._steps(n_steps)
            self.iterations += n_steps
            done += n_steps
            if steps and done >= steps:
                break
            took = time.monotonic() - t
            chunk = max(1, min(chunk * 4, int(chunk * _SLICE_SECONDS / max(took, 1e-6))))

    def _steps(self, n_steps: int) -> None:
        k.tabu_steps(
            self.jp, self.js, self.alt_ptr, self.alt_m, self.alt_d, self.seq, self.seq_len,
            self.mach, self.dur, self.mp, self.ms, self.order, self.r, self.q, *self.best,
            self.tabu, self.stats, self.params, self.rm, self.qm, self.move, self.path, n_steps,
        )  # fmt: skip

    def best_assignment(self) -> tuple[int, tuple[tuple[tuple[int, int, int], ...], ...]]:
        """The best schedule with every operation at its earliest start (semi-active)."""
        self.seq[:, :], self.seq_len[:], self.mach[:], self.dur[:] = self.best
        cmax = self._evaluate()
        plan: dict[tuple[int, int], tuple[int, int, int]] = {}
        for i, jo in enumerate(self.ops):
            plan[jo] = (int(self.mach[i]), int(self.r[i]), int(self.dur[i]))
        n_jobs = 1 + max((j for j, _ in self.ops), default=-1)
        jobs = [[] for _ in range(n_jobs)]  # type: list[list[tuple[int, int, int]]]
        for j, o in self.ops:
            jobs[j].append(plan[(j, o)])
        return cmax, tuple(tuple(row) for row in jobs)


def new_search(instance: ShopInstance, start: ShopSolution, seed: int, stop_at: int) -> _Search:
    """The search for this shop: N7 (`jobshop_search`) for a pure job shop, this module's for a
    flexible one."""
    from scheduler.jobshop_search import JobShopSearch

    kind = _Search if instance.flexible else JobShopSearch
    return kind(instance, start, seed, stop_at)


def tabu_search(
    instance: ShopInstance,
    seconds: float,
    seed: int = 0,
    start: ShopSolution | None = None,
    threads: int = 1,
    stop_at: int = 0,
    steps: int = 0,
) -> ShopSolution:
    """Best schedule found in `seconds` by `threads` independent searches (seeds seed, seed+1..;
    N7 searches for a pure job shop, the searches above for a flexible one) from `start` (the
    dispatching rule's schedule when None); stops early at makespan `stop_at`. `steps` > 0 runs
    exactly that many iterations per search instead (for tests)."""
    from scheduler.shop_solver import dispatch

    t0 = time.monotonic()
    if start is None:
        start = dispatch(instance, seconds=min(0.2, 0.05 * seconds), seed=seed)
    if not any(instance.jobs):
        return start
    searches = [new_search(instance, start, seed + i, stop_at) for i in range(max(1, threads))]
    deadline = t0 + seconds
    if len(searches) == 1:
        searches[0].run(deadline, steps)
    else:
        with ThreadPoolExecutor(len(searches)) as pool:
            list(pool.map(lambda s: s.run(deadline, steps), searches))
    winner = min(searches, key=lambda s: s.best_makespan)
    makespan, assignment = winner.best_assignment()
    if makespan >= start.makespan:
        return ShopSolution(start.makespan, 0, False, time.monotonic() - t0, start.assignment)
    log.debug("tabu search %s: %d -> %d", instance.name, start.makespan, makespan)
    return ShopSolution(makespan, 0, False, time.monotonic() - t0, assignment)


def warm_up() -> float:
    """Compile the kernels (or load them from numba's cache) on a tiny shop; returns seconds.
    Run once per process so that no instance's time limit pays for the compilation."""
    t0 = time.monotonic()
    tiny = ShopInstance(
        "warm-up",
        2,
        (
            (ShopOperation(((0, 3), (1, 4))), ShopOperation(((1, 2),))),
            (ShopOperation(((1, 3),)), ShopOperation(((0, 2), (1, 1)))),
        ),
    )
    pure = ShopInstance(
        "warm-up",
        2,
        (
            (ShopOperation(((0, 3),)), ShopOperation(((1, 2),))),
            (ShopOperation(((0, 2),)), ShopOperation(((1, 4),))),
            (ShopOperation(((1, 3),)), ShopOperation(((0, 2),))),
        ),
    )
    for shop in (tiny, pure):
        tabu_search(shop, seconds=0.0, steps=5)
        tabu_search(shop, seconds=0.0, steps=5, threads=2)
    return time.monotonic() - t0
