"""`atelier bench events`: durable appends at the line and outbox-to-store throughput."""

from __future__ import annotations

import typer


def register(bench: typer.Typer) -> None:
    @bench.command("events")
    def events(
        count: int = typer.Option(20_000, "--events", help="Events to ship through Ray"),
        appends: int = typer.Option(1_000, "--appends", help="One-event durable appends to time"),
        batch: int = typer.Option(5_000, "--batch", help="Uplink batch size"),
        store: str | None = typer.Option(None, "--store", help="Store URL (default: temp SQLite)"),
        mix: str = typer.Option(
            "line", "--mix", help="line: mostly telemetry aggregates; facts: no telemetry rows"
        ),
    ) -> None:
        """Measure the event path on a local Ray (token auth on) with a scratch store."""
        from rich.progress import Progress

        from cluster.bench_events import MIXES, run_event_path_bench
        from core.errors import InputError

        if count < 1 or appends < 1 or batch < 1:
            raise InputError("--events, --appends and --batch must be at least 1")
        if mix not in MIXES:
            raise InputError(f"--mix must be one of {', '.join(MIXES)}, not {mix!r}")
        with Progress(transient=True) as bar:
            tasks: dict[str, int] = {}

            def show(stage: str, done: int, total: int) -> None:
                if stage not in tasks:
                    tasks[stage] = bar.add_task(stage, total=total)
                bar.update(tasks[stage], completed=done)

            result = run_event_path_bench(count, appends, batch, store, on_progress=show, mix=mix)
        typer.echo(f"durable appends (1 event each): {result.append_per_s:,.0f} events/s")
        typer.echo(
            f"outbox -> store via Ray: {result.events:,} events in {result.ship_s:.1f} s "
            f"= {result.ship_per_s:,.0f} events/s (batch {batch})"
        )
        typer.echo(
            f"telemetry tables caught up {result.telemetry_catch_up_s:.1f} s after the backlog"
        )
        typer.echo(
            f"full replay: {result.events:,} events in {result.replay_s:.1f} s, "
            f"{result.replay_new} new rows"
        )
