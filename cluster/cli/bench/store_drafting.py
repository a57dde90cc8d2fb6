"""`atelier bench store-drafting`: imported orders drafted into production orders per second."""

from __future__ import annotations

import json as json_lib
from pathlib import Path

import typer


def register(bench: typer.Typer) -> None:
    @bench.command("store-drafting")
    def store_drafting(
        orders: int = typer.Option(1000, "--orders", min=1, max=50_000, help="Orders in the batch"),
        url: str | None = typer.Option(
            None, "--url", help="Store URL (default: a fresh SQLite file in a temporary folder)"
        ),
        json: bool = typer.Option(False, "--json", help="Print the result as JSON"),
    ) -> None:
        """Import a synthetic batch, draft every order into the store, import it again."""
        import logging
        import tempfile

        from rich.console import Console
        from rich.progress import Progress

        from design_bridge.tools.store_bench import run

        logging.getLogger("alembic").setLevel(logging.WARNING)
        with tempfile.TemporaryDirectory(prefix="atelier-bench-") as tmp:
            target = url or f"sqlite:///{Path(tmp) / 'bench.db'}"
            with Progress(console=Console(stderr=True), transient=True) as progress:
                task = progress.add_task("preparing", total=None)
                result = run(
                    orders,
                    target,
                    Path(tmp),
                    step=lambda what: progress.update(task, description=what),
                    progress=lambda done, total, _id: progress.update(
                        task, completed=done, total=total
                    ),
                )
        if json:
            typer.echo(json_lib.dumps(result.to_dict()))
            return
        typer.echo(
            f"{result.orders} orders: import {result.import_s:.2f} s, drafting into the store "
            f"{result.draft_s:.2f} s ({result.drafted_per_s:.1f} orders/s; {result.pieces} "
            f"pieces, {result.operations} operations), re-import {result.reimport_s:.2f} s, "
            f"peak RSS {result.peak_rss_mib:.0f} MiB"
        )
