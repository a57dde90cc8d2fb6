"""`atelier bench`: speed and quality measurements, one subcommand per package."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    from cluster.cli.main import _register_all

    bench = typer.Typer(help="Benchmarks; results are recorded in BENCHMARKS.md.", no_args_is_help=True)
    _register_all("cluster.cli.bench", bench)
    app.add_typer(bench, name="bench")
