"""`atelier bench hmi-pages`: how long the overview, quality and planner pages take to answer
with N stations' telemetry, defects and alarms in the store."""

from __future__ import annotations

import json as json_lib

import typer


def register(bench: typer.Typer) -> None:
    @bench.command("hmi-pages")
    def hmi_pages(
        stations: int = typer.Option(50, min=1, help="Stations with telemetry"),
        minutes: int = typer.Option(60, min=1, help="Minutes of per-second telemetry each"),
        runs: int = typer.Option(5, min=1, help="Timed runs per page"),
        json: bool = typer.Option(False, "--json", help="Print the result as JSON"),
    ) -> None:
        """Seed a scratch store and time each page's server-side run (median and worst)."""
        import logging

        from rich.console import Console

        from hmi.bench import run_bench

        logging.getLogger("alembic").setLevel(logging.WARNING)
        # AppTest runs pages without a browser session; Streamlit warns about that each run.
        logging.getLogger("streamlit").setLevel(logging.ERROR)
        console = Console(stderr=True)
        with console.status("seeding the store...") as status:
            result = run_bench(stations, minutes, runs, lambda step: status.update(f"done: {step}"))
        if json:
            typer.echo(json_lib.dumps(result))
            return
        typer.echo(
            f"{result['stations']} stations, {result['telemetry_rows']} telemetry rows "
            f"(seeded in {result['seed_s']} s), {runs} runs per page:"
        )
        for page, t in result["pages"].items():
            typer.echo(f"  {page:9s} median {t['median_s']:.3f} s, worst {t['max_s']:.3f} s")
