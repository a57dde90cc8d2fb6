"""`atelier central demand|trends|designs`: run the central jobs on the cluster, now or on a
schedule, and write their results (JSON, PNG) under atelier_home()/central/."""

from __future__ import annotations

from pathlib import Path

import typer

central = typer.Typer(
    help="Central intelligence: demand, trends, design proposals.", no_args_is_help=True
)

ADDRESS = typer.Option(None, "--address", help="Ray cluster address; default: a local Ray")
OUT = typer.Option(None, "--out", help="Result folder; default ATELIER_HOME/central")
EVERY = typer.Option(None, "--every", help="Repeat every N minutes (a schedule)")
RUNS = typer.Option(None, "--runs", help="With --every: stop after N runs")
CUSTOMERS = typer.Option(
    None, "--max-customers", help="Random subset of at least 50 customers, for a quick run"
)


def _run(
    job: str,
    address: str | None,
    out: Path | None,
    every: float | None,
    runs: int | None,
    max_customers: int | None,
) -> None:
    import threading

    from rich.console import Console

    from cluster.central.outputs import central_dir
    from cluster.central.service import run_jobs, run_periodically
    from cluster.central.settings import CentralSettings
    from core.errors import InputError

    # Checked here rather than by typer, so a bad value is one `error:` line with exit code 2.
    if max_customers is not None and max_customers < 50:
        raise InputError(f"--max-customers must be at least 50, got {max_customers}")
    if every is not None and every <= 0:
        raise InputError(f"--every must be a positive number of minutes, got {every}")
    if runs is not None and (every is None or runs < 1):
        raise InputError("--runs needs --every and a count of at least 1")
    console = Console(stderr=True)
    settings = CentralSettings()
    if max_customers:
        settings.demand.max_customers = max_customers
        settings.trends.max_customers = max_customers
    folder = out or central_dir()

    def progress(message: str) -> None:
        console.log(message)

    kwargs = {"settings": settings, "out": folder, "address": address, "progress": progress}
    if every is None:
        with console.status(f"central {job} running"):
            run_jobs([job], **kwargs)
    else:
        stop = threading.Event()
        try:
            run_periodically([job], every * 60, runs, stop, **kwargs)
        except KeyboardInterrupt:
            stop.set()
    typer.echo(f"{job}: results in {folder}")


@central.command("demand")
def demand(
    address: str | None = ADDRESS,
    out: Path | None = OUT,
    every: float | None = EVERY,
    runs: int | None = RUNS,
    max_customers: int | None = CUSTOMERS,
) -> None:
    """Recommenders vs popularity on the time split, and the demand outlook per attribute."""
    _run("demand", address, out, every, runs, max_customers)


@central.command("trends")
def trends(
    address: str | None = ADDRESS,
    out: Path | None = OUT,
    every: float | None = EVERY,
    runs: int | None = RUNS,
    max_customers: int | None = CUSTOMERS,
) -> None:
    """Backtests on clothing-store sales and attribute series, forecast and trend palette."""
    _run("trends", address, out, every, runs, max_customers)


@central.command("designs")
def designs(
    address: str | None = ADDRESS,
    out: Path | None = OUT,
    every: float | None = EVERY,
    runs: int | None = RUNS,
    max_customers: int | None = CUSTOMERS,
) -> None:
    """Design proposals with score breakdowns and swatches (runs demand and trends if missing)."""
    _run("designs", address, out, every, runs, max_customers)


def register(app: typer.Typer) -> None:
    app.add_typer(central, name="central")
