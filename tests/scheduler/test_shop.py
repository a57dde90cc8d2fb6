"""Job-shop models on instances with known optima, the parsers and the solution checker."""

from __future__ import annotations

from dataclasses import replace

import pytest

from core.errors import InputError
from scheduler.bench import DATA
from scheduler.shop import check_solution, load_instance, parse_fjsp, parse_jssp
from scheduler.shop_solver import dispatch, solve_plain, solve_shop

FT06 = DATA / "jobshop" / "jssp" / "ft06.txt"
MK01 = DATA / "jobshop" / "fjsp" / "mk01.txt"


@pytest.mark.parametrize("solve", [solve_shop, solve_plain])
def test_ft06_reaches_its_optimum_55(solve):
    instance = load_instance(FT06)
    progress = []
    solution = solve(instance, time_limit=20, workers=2, on_progress=lambda *a: progress.append(a))
    assert solution.makespan == 55
    assert check_solution(instance, solution) == []
    assert progress and progress[-1][0] == 55


def test_mk01_flexible_reaches_its_optimum_40():
    instance = load_instance(MK01)
    assert instance.flexible
    solution = solve_shop(instance, time_limit=20, workers=2)
    assert solution.makespan == 40
    assert check_solution(instance, solution) == []


def test_dispatching_rule_gives_a_feasible_schedule():
    instance = load_instance(MK01)
    first = dispatch(instance, seconds=0.1)
    assert check_solution(instance, first) == []
    assert first.makespan >= 40


def test_checker_finds_a_broken_job_order():
    instance = load_instance(FT06)
    good = dispatch(instance, seconds=0.05)
    job = list(good.assignment[0])
    machine, start, duration = job[1]
    job[1] = (machine, 0, duration)
    broken = replace(good, assignment=(tuple(job),) + good.assignment[1:])
    assert any(
        "before predecessor" in p or "overlap" in p for p in check_solution(instance, broken)
    )


def test_formats_are_detected_and_bad_files_named(tmp_path):
    assert not load_instance(FT06).flexible
    assert len(load_instance(MK01).jobs) == 10
    with pytest.raises(InputError, match="machine 9 must be in 0..1"):
        parse_jssp("1 2\n0 3 9 4\n", "bad")
    with pytest.raises(InputError, match="header says 3 jobs"):
        parse_jssp("3 2\n0 3 1 4\n", "short")
    with pytest.raises(InputError, match="job 1"):
        parse_fjsp("1 2 1\n2 1 1 5\n", "cut")
    with pytest.raises(InputError, match="does not exist"):
        load_instance(tmp_path / "missing.txt")
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    with pytest.raises(InputError, match="empty"):
        load_instance(empty)
