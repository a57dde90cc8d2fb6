"""The tabu search on small shops: feasible schedules, a known optimum, never worse than its start."""

from __future__ import annotations

import pytest

from scheduler.bench import DATA
from scheduler.shop import check_solution, load_instance
from scheduler.shop_search import _Search, tabu_search, warm_up
from scheduler.shop_solver import dispatch

FT06 = DATA / "jobshop" / "jssp" / "ft06.txt"
LA01 = DATA / "jobshop" / "jssp" / "la01.txt"
MK01 = DATA / "jobshop" / "fjsp" / "mk01.txt"
MK06 = DATA / "jobshop" / "fjsp" / "mk06.txt"


@pytest.fixture(scope="module", autouse=True)
def compiled():
    warm_up()


@pytest.mark.parametrize("path", [FT06, LA01, MK01, MK06])
def test_schedules_pass_the_checker_and_moves_are_evaluated_exactly(path):
    instance = load_instance(path)
    start = dispatch(instance, seconds=0.05)
    search = _Search(instance, start, seed=1, stop_at=0)
    search.params[2] = 50  # stall limit: go back to the best and kick often, to test that too
    search.run(deadline=0.0, steps=600)
    assert search.stats[5] == 0  # every move's predicted makespan was the evaluated one
    makespan, assignment = search.best_assignment()
    assert makespan == search.best_makespan <= start.makespan
    solution = tabu_search(instance, seconds=0.0, seed=2, start=start, steps=300, threads=2)
    assert check_solution(instance, solution) == []


def test_ft06_reaches_its_optimum_55():
    instance = load_instance(FT06)
    solution = tabu_search(instance, seconds=60, seed=0, stop_at=55)
    assert solution.makespan == 55
    assert check_solution(instance, solution) == []


def test_never_worse_than_its_start():
    instance = load_instance(MK01)
    good = tabu_search(instance, seconds=0.0, seed=0, steps=2000)
    again = tabu_search(instance, seconds=0.0, seed=3, start=good, steps=200)
    assert again.makespan <= good.makespan
    assert check_solution(instance, again) == []
    if again.makespan == good.makespan:
        assert again.assignment == good.assignment  # no better schedule: the start comes back
