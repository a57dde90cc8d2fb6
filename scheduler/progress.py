"""Solver progress: one CP-SAT solution callback that reports to a plain function."""

from __future__ import annotations

import time
from collections.abc import Callable

# on_progress(objective, best_bound, seconds) for every improving solution.
Progress = Callable[[int, int, float], None]


def solution_reporter(on_progress: Progress | None):
    """A CpSolverSolutionCallback calling `on_progress`; built lazily so ortools loads late."""
    from ortools.sat.python import cp_model

    class _Reporter(cp_model.CpSolverSolutionCallback):
        def __init__(self) -> None:
            super().__init__()
            self._t0 = time.monotonic()

        def on_solution_callback(self) -> None:
            if on_progress is not None:
                on_progress(
                    int(self.objective_value),
                    int(self.best_objective_bound),
                    time.monotonic() - self._t0,
                )

    return _Reporter()
