"""The pure job-shop tabu search (N7 moves): safe moves never make a cycle, undo restores the
schedule, searches give schedules the independent checker accepts and reach known optima."""

from __future__ import annotations

import numpy as np
import pytest

from scheduler import jobshop_moves as k
from scheduler.bench import DATA
from scheduler.jobshop_search import JobShopSearch
from scheduler.shop import ShopInstance, ShopOperation, check_solution, load_instance
from scheduler.shop_moves import evaluate
from scheduler.shop_search import tabu_search, warm_up
from scheduler.shop_solver import dispatch

JSSP = DATA / "jobshop" / "jssp"


@pytest.fixture(scope="module", autouse=True)
def compiled():
    warm_up()


def _evaluate(s: JobShopSearch) -> int:
    return int(evaluate(s.jp, s.js, s.seq, s.seq_len, s.dur, s.mp, s.ms, s.order, s.r, s.q))


def _one_machine_twice() -> ShopInstance:
    """Jobs that visit a machine twice in a row and operations of no duration."""
    op = ShopOperation
    return ShopInstance(
        "revisits",
        3,
        (
            (op(((0, 4),)), op(((0, 3),)), op(((1, 0),)), op(((2, 5),))),
            (op(((1, 2),)), op(((0, 0),)), op(((0, 6),)), op(((2, 1),))),
            (op(((2, 3),)), op(((2, 2),)), op(((1, 4),)), op(((0, 2),))),
            (op(((0, 1),)), op(((1, 3),)), op(((1, 1),)), op(((2, 0),))),
        ),
    )


@pytest.mark.parametrize("name", ["ft06", "la01", "ft10", "revisits"])
def test_every_safe_move_leaves_an_acyclic_schedule_and_undo_restores_it(name):
    instance = _one_machine_twice() if name == "revisits" else load_instance(JSSP / f"{name}.txt")
    search = JobShopSearch(instance, dispatch(instance, seconds=0.02), seed=4, stop_at=0)
    tried = 0
    for visit in range(30):  # different schedules along a search, each move of each
        search.run(deadline=0.0, steps=7 + visit)
        cmax = _evaluate(search)
        _, n_blocks = k.critical_blocks(
            search.jp, search.mp, search.dur, search.r, cmax, search.path, search.first,
            search.last,
        )  # fmt: skip
        n_moves = k.block_moves(search.path, search.first, search.last, n_blocks, search.moves)
        heads, tails = search.r.copy(), search.q.copy()
        for u, v, direction in search.moves[:n_moves]:
            if not k.is_safe(u, v, direction, search.jp, search.js, search.dur, heads, tails):
                continue
            before = search.seq.copy()
            old = search.pos[u]
            k.apply_move(u, v, direction, search.seq, search.pos, search.mach)
            assert not np.array_equal(before, search.seq)
            assert _evaluate(search) >= 0, f"move of {u} next to {v} made a cycle"
            k.undo_move(u, old, search.seq, search.pos, search.mach)
            assert np.array_equal(before, search.seq)
            tried += 1
        assert _evaluate(search) == cmax
    assert tried > 0


@pytest.mark.parametrize("name", ["ft06", "la01", "abz5", "revisits"])
def test_searches_give_checked_schedules_never_worse_than_their_start(name):
    instance = _one_machine_twice() if name == "revisits" else load_instance(JSSP / f"{name}.txt")
    start = dispatch(instance, seconds=0.02)
    search = JobShopSearch(instance, start, seed=1, stop_at=0)
    search.params[2] = 40  # go back to the best and kick often, to test that too
    search.run(deadline=0.0, steps=3000)
    assert search.stats[6] == 0  # no move had to be undone for making a cycle
    assert search.stats[5] > 0  # it did go back to the best and kick
    makespan, assignment = search.best_assignment()
    assert makespan == search.best_makespan <= start.makespan
    solution = tabu_search(instance, seconds=0.0, seed=2, start=start, steps=500, threads=2)
    assert check_solution(instance, solution) == []
    assert solution.makespan <= start.makespan


@pytest.mark.parametrize(("name", "optimum"), [("ft06", 55), ("la01", 666), ("ft10", 930)])
def test_reaches_known_optima(name, optimum):
    instance = load_instance(JSSP / f"{name}.txt")
    solution = tabu_search(instance, seconds=120, seed=0, stop_at=optimum)
    assert solution.makespan == optimum
    assert check_solution(instance, solution) == []


def test_a_critical_path_of_one_job_stops_the_search():
    """One machine per job: no two operations share a machine, the longest job is optimal."""
    op = ShopOperation
    instance = ShopInstance(
        "apart", 4, ((op(((0, 5),)), op(((1, 2),))), (op(((2, 3),)), op(((3, 1),))))
    )
    search = JobShopSearch(instance, dispatch(instance, seconds=0.0), seed=0, stop_at=0)
    search.run(deadline=0.0, steps=100)
    assert search.best_makespan == 7
    assert search.stats[0] == 1  # the first iteration found no block and stopped
