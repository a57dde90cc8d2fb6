"""Tabu search for pure job shops (every operation has one machine): the N7 neighbourhood of
critical blocks with estimated moves (`jobshop_moves`), on the arrays of `shop_search._Search`.

Many more iterations per second than the flexible search's exact insertion moves, and a
neighbourhood that holds only moves that can shorten the critical path (README, "Job-shop
benchmark model").
"""

from __future__ import annotations

import numpy as np

from scheduler import jobshop_moves as k
from scheduler.shop import ShopInstance, ShopSolution
from scheduler.shop_search import _Search


class JobShopSearch(_Search):
    """One N7 tabu search: the current schedule's machine orders, the best ones, the tabu arcs."""

    def __init__(self, instance: ShopInstance, start: ShopSolution, seed: int, stop_at: int):
        super().__init__(instance, start, seed, stop_at)
        n, m = len(self.ops), instance.n_machines
        n_jobs = len(instance.jobs)
        self.pos = np.zeros(n, np.int64)
        k.positions(self.seq, self.seq_len, self.pos)
        self.first = np.zeros(n, np.int64)
        self.last = np.zeros(n, np.int64)
        self.moves = np.zeros((4 * n + 4, 3), np.int64)
        self.seg = np.zeros(n + 1, np.int64)
        self.rr = np.zeros(n + 1, np.int64)
        self.arcs = np.zeros((4, 2), np.int64)
        self.chosen = np.zeros(4, np.int64)
        cmax = int(self.stats[1])
        self.stats = np.array([0, cmax, cmax, 0, stop_at, 0, 0], np.int64)
        # Zhang et al.: tenure L = 10 + jobs / machines, drawn from [L, 1.4 L] (1.5 L when there
        # are more than twice as many jobs as machines)
        low = 10 + n_jobs // max(1, m)
        spread = int(low * (0.5 if n_jobs > 2 * m else 0.4))
        self.params = np.array([low, spread, max(10_000, 100 * n), 3], np.int64)

    def _steps(self, n_steps: int) -> None:
        k.tabu_steps(
            self.jp, self.js, self.seq, self.seq_len, self.mach, self.dur, self.mp, self.ms,
            self.order, self.r, self.q, self.pos, self.best[0], self.tabu, self.stats,
            self.params, self.path, self.first, self.last, self.moves, self.seg, self.rr,
            self.arcs, self.chosen, n_steps,
        )  # fmt: skip
