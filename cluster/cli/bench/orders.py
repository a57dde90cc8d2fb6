"""`atelier bench import`: how fast a batch of custom orders is validated and stored."""

from __future__ import annotations

from pathlib import Path

import typer


def register(bench: typer.Typer) -> None:
    @bench.command("import")
    def import_(
        rows: int = typer.Option(10_000, "--rows", min=1, max=50_000, help="Orders in the batch"),
        url: str | None = typer.Option(
            None, "--url", help="Store URL to import into (default: a fresh SQLite file)"
        ),
    ) -> None:
        """Validate and store a synthetic batch, then import it again (all duplicates)."""
        import tempfile

        from core.importer.bench import run

        with tempfile.TemporaryDirectory(prefix="atelier-bench-") as tmp:
            target = url or f"sqlite:///{Path(tmp) / 'bench.db'}"
            typer.echo(f"importing {rows} orders into {target.split('?')[0]} ...", err=True)
            result = run(
                rows, target, Path(tmp), step=lambda what: typer.echo(f"  {what} ...", err=True)
            )
        typer.echo(
            f"rows {result.rows}: parse {result.parse_s:.2f} s, "
            f"import (parse + store) {result.import_s:.2f} s ({result.rows_per_s:.0f} rows/s), "
            f"re-import {result.reimport_s:.2f} s, peak RSS {result.peak_rss_mib:.0f} MiB"
        )
