"""Benchmark runs: shop instances (our model vs the OR-Tools sample, or the tabu search alone) and
nesting (ours vs spyrrow).

Each run returns plain dicts in the shape `atelier bench scheduler --json` prints.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from core.errors import InputError

log = logging.getLogger(__name__)

DATA = Path(__file__).resolve().parent.parent / "data" / "benchmarks"
SUITES = {
    "jssp": (DATA / "jobshop" / "jssp", "*.txt"),
    "fjsp": (DATA / "jobshop" / "fjsp", "*.txt"),
    "nesting": (DATA / "nesting", "*.json"),
}

# on_instance(name, result dict) after each instance; on_progress(name, objective, seconds).
InstanceDone = Callable[[str, dict], None]


def suite_files(suite: str) -> list[Path]:
    if suite not in SUITES:
        raise InputError(f"unknown suite {suite!r}; expected one of {', '.join(SUITES)}")
    folder, pattern = SUITES[suite]
    return sorted((p for p in folder.glob(pattern) if p.name != "bounds.json"), key=_natural)


def _natural(path: Path) -> tuple:
    import re

    return tuple(int(t) if t.isdigit() else t for t in re.split(r"(\d+)", path.stem))


def shop_best_known(name: str) -> int | None:
    bounds = json.loads((DATA / "jobshop" / "bounds.json").read_text())
    entry = bounds.get(name)
    if entry is None:
        return None
    return entry.get("optimum", entry.get("ub"))


def _gap(objective: float | None, best: float | None) -> float | None:
    if objective is None or not best:
        return None
    return round(100.0 * (objective - best) / best, 3)


def run_shop(
    files: Sequence[Path],
    fmt: str | None,
    time_limit: float,
    workers: int,
    baseline: bool,
    on_instance: InstanceDone | None = None,
) -> dict:
    """Solve each instance with our model (and the plain sample when `baseline`)."""
    from scheduler.shop import check_solution, load_instance
    from scheduler.shop_search import warm_up
    from scheduler.shop_solver import solve_plain, solve_shop

    # Once per process, before the first instance's clock starts: numba compiles the search
    # kernels (or loads them from its cache), which no instance's time limit should pay for.
    warm_up_seconds = warm_up()
    log.info("shop search kernels ready in %.2f s", warm_up_seconds)
    rows = []
    for path in files:
        instance = load_instance(path, fmt)
        t0 = time.monotonic()
        solved = solve_shop(instance, time_limit=time_limit, workers=workers)
        seconds = time.monotonic() - t0
        if solved is None:
            raise InputError(f"{path.name}: no solution within {time_limit:g} s")
        problems = check_solution(instance, solved)
        if problems:
            raise InputError(f"{path.name}: solution failed the check: {problems[:3]}")
        best = shop_best_known(instance.name)
        row: dict = {
            "name": instance.name,
            "objective": solved.makespan,
            "lower_bound": solved.lower_bound,
            "best_known": best,
            "gap_pct": _gap(solved.makespan, best),
            "seconds": round(seconds, 2),
            "baseline_objective": None,
        }
        if baseline:
            plain = solve_plain(instance, time_limit=time_limit, workers=workers)
            row["baseline_objective"] = plain.makespan if plain else None
            row["baseline_gap_pct"] = _gap(row["baseline_objective"], best)
        rows.append(row)
        if on_instance is not None:
            on_instance(instance.name, row)
    return {**_summary(rows, baseline), "warm_up_seconds": round(warm_up_seconds, 2)}


def run_search(
    files: Sequence[Path],
    fmt: str | None,
    seconds: float,
    on_instance: InstanceDone | None = None,
) -> dict:
    """The tabu search alone, one thread, seed 0, from the dispatching rule's schedule: the
    search that `solve_shop` runs for its share of the time (N7 for pure job shops, the
    flexible one otherwise), with its iterations per second."""
    from scheduler.shop import load_instance
    from scheduler.shop_search import new_search, warm_up
    from scheduler.shop_solver import dispatch

    warm_up_seconds = warm_up()
    rows = []
    for path in files:
        instance = load_instance(path, fmt)
        start = dispatch(instance, seconds=0.2)
        search = new_search(instance, start, seed=0, stop_at=0)
        t0 = time.monotonic()
        search.run(t0 + seconds)
        took = time.monotonic() - t0
        best = shop_best_known(instance.name)
        row = {
            "name": instance.name,
            "search": "flexible" if instance.flexible else "n7",
            "operations": len(search.ops),
            "start_objective": start.makespan,
            "objective": search.best_makespan,
            "best_known": best,
            "gap_pct": _gap(search.best_makespan, best),
            "iterations": search.iterations,
            "iterations_per_second": round(search.iterations / max(took, 1e-9)),
            "seconds": round(took, 2),
        }
        rows.append(row)
        if on_instance is not None:
            on_instance(instance.name, row)
    return {**_summary(rows, False), "warm_up_seconds": round(warm_up_seconds, 2)}


def run_nesting(
    files: Sequence[Path],
    time_limit: float,
    workers: int,
    baseline: bool,
    on_instance: InstanceDone | None = None,
) -> dict:
    """Nest each strip-packing instance through our wrapper (and spyrrow directly)."""
    from scheduler.nesting import load_strip_instance, nest

    bounds_file = DATA / "nesting" / "bounds.json"
    bounds = json.loads(bounds_file.read_text())
    rows = []
    for path in files:
        name, height, pieces = load_strip_instance(path)
        t0 = time.monotonic()
        result = nest(pieces, height, time_limit=time_limit, workers=workers)
        seconds = time.monotonic() - t0
        record = bounds.get(path.stem, {}).get("record_length")
        area = result.density * height * result.length
        row: dict = {
            "name": path.stem,
            "objective": round(result.length, 3),
            "lower_bound": round(area / height, 3),
            "best_known": record,
            "gap_pct": _gap(result.length, record),
            "seconds": round(seconds, 2),
            "density": round(result.density, 4),
            "baseline_objective": None,
        }
        if baseline:
            length, density = _spyrrow_direct(path, time_limit, workers)
            row["baseline_objective"] = round(length, 3)
            row["baseline_density"] = round(density, 4)
            row["baseline_gap_pct"] = _gap(length, record)
        rows.append(row)
        if on_instance is not None:
            on_instance(path.stem, row)
    return _summary(rows, baseline)


def _spyrrow_direct(path: Path, time_limit: float, workers: int) -> tuple[float, float]:
    """spyrrow straight from the JSON, no Atelier code in between."""
    import spyrrow

    data = json.loads(path.read_text())
    items = [
        spyrrow.Item(
            str(it["id"]),
            [tuple(p) for p in it["shape"]["data"]],
            it["demand"],
            it.get("allowed_orientations"),
        )
        for it in data["items"]
    ]
    instance = spyrrow.StripPackingInstance(data["name"], data["strip_height"], items)
    config = spyrrow.StripPackingConfig(
        total_computation_time=max(1, round(time_limit)), num_workers=workers, seed=0
    )
    solution = instance.solve(config)
    return solution.width, solution.density


def _summary(rows: list[dict], baseline: bool) -> dict:
    def mean(key: str) -> float | None:
        values = [r[key] for r in rows if r.get(key) is not None]
        return round(sum(values) / len(values), 3) if values else None

    return {
        "instances": rows,
        "mean_gap_pct": mean("gap_pct"),
        "baseline_mean_gap_pct": mean("baseline_gap_pct") if baseline else None,
    }
