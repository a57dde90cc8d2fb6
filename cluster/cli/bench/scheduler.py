"""`atelier bench scheduler`: job shop, flexible job shop and nesting against best-known results;
`atelier bench shop-search`: the shop tabu search alone, with its iterations per second."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from core.errors import InputError


def register(bench: typer.Typer) -> None:
    @bench.command("scheduler")
    def scheduler_bench(
        files: list[Path] = typer.Argument(None, help="Instance files (default: the suite's)"),
        suite: str = typer.Option(None, help="jssp, fjsp or nesting (default fjsp)"),
        fmt: str = typer.Option(None, "--format", help="jssp or fjsp (default: detected)"),
        time_limit: float = typer.Option(20.0, help="Seconds per instance and solver"),
        workers: int = typer.Option(2, help="Solver threads"),
        baseline: bool = typer.Option(False, help="Also run the plain OR-Tools model / spyrrow"),
        as_json: bool = typer.Option(False, "--json", help="Print one JSON document"),
    ) -> None:
        """Per instance: objective, lower bound, best known, gap %, seconds (and the baseline)."""
        from rich.console import Console

        from scheduler import bench as runs

        if time_limit <= 0 or workers < 1:
            raise InputError("--time-limit must be positive and --workers at least 1")
        if suite not in (None, "jssp", "fjsp", "nesting"):
            raise InputError(f"unknown suite {suite!r}; expected jssp, fjsp or nesting")
        if fmt not in (None, "jssp", "fjsp"):
            raise InputError(f"unknown --format {fmt!r}; expected jssp or fjsp")
        paths = list(files or [])
        if suite is None:
            suite = "nesting" if paths and all(p.suffix == ".json" for p in paths) else "fjsp"
            if paths and suite == "fjsp":
                suite = "shop"
        if not paths:
            paths = runs.suite_files(suite)
        console = Console(stderr=True)

        def done(name: str, row: dict) -> None:
            base = ""
            if row.get("baseline_objective") is not None:
                base = f"  baseline {row['baseline_objective']}"
            density = f"  density {row['density']:.3f}" if "density" in row else ""
            console.print(
                f"{name:10} objective {row['objective']}{density}  lb {row['lower_bound']}  "
                f"best {row['best_known']}  gap {row['gap_pct']}%  {row['seconds']}s{base}"
            )

        with console.status(f"running {len(paths)} instance(s), {time_limit:g}s each"):
            if suite == "nesting":
                result = runs.run_nesting(paths, time_limit, workers, baseline, done)
            else:
                result = runs.run_shop(paths, fmt, time_limit, workers, baseline, done)
        if as_json:
            typer.echo(json.dumps(result, indent=1))
        else:
            typer.echo(
                f"mean gap {result['mean_gap_pct']}%"
                + (f", baseline mean gap {result['baseline_mean_gap_pct']}%" if baseline else "")
            )

    @bench.command("shop-search")
    def shop_search_bench(
        files: list[Path] = typer.Argument(None, help="Instance files (default: the suite's)"),
        suite: str = typer.Option("jssp", help="jssp or fjsp"),
        fmt: str = typer.Option(None, "--format", help="jssp or fjsp (default: detected)"),
        seconds: float = typer.Option(5.0, help="Seconds of search per instance (one thread)"),
        as_json: bool = typer.Option(False, "--json", help="Print one JSON document"),
    ) -> None:
        """Per instance: which search, best makespan, gap %, iterations per second."""
        from rich.console import Console

        from scheduler import bench as runs

        if seconds <= 0:
            raise InputError("--seconds must be positive")
        if suite not in ("jssp", "fjsp"):
            raise InputError(f"unknown suite {suite!r}; expected jssp or fjsp")
        if fmt not in (None, "jssp", "fjsp"):
            raise InputError(f"unknown --format {fmt!r}; expected jssp or fjsp")
        paths = list(files or []) or runs.suite_files(suite)
        console = Console(stderr=True)

        def done(name: str, row: dict) -> None:
            console.print(
                f"{name:10} {row['search']:8} {row['operations']:4} ops  start "
                f"{row['start_objective']}  best {row['objective']}  known {row['best_known']}  "
                f"gap {row['gap_pct']}%  {row['iterations_per_second']:,} iterations/s"
            )

        with console.status(f"searching {len(paths)} instance(s), {seconds:g}s each"):
            result = runs.run_search(paths, fmt, seconds, done)
        if as_json:
            typer.echo(json.dumps(result, indent=1))
        else:
            typer.echo(f"mean gap {result['mean_gap_pct']}%")
