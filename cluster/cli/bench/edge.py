"""`atelier bench edge`: OPC-UA ingest rate, loss and resume time of one line agent's link."""

from __future__ import annotations

import typer


def register(bench: typer.Typer) -> None:
    @bench.command("edge")
    def edge(
        json_out: bool = typer.Option(False, "--json", help="Print the results as JSON"),
        machines: int = typer.Option(
            200, help="Simulated machines on the endpoint (200 at 10 Hz offer about 7,000 values/s)"
        ),
        rate: float = typer.Option(10.0, help="Simulator updates per second per machine"),
        seconds: float = typer.Option(10.0, help="How long to ingest"),
        outbox_events: int = typer.Option(20_000, help="Events shipped outbox -> store"),
        outbox_batch: int = typer.Option(5_000, help="Uplink batch size for the outbox run"),
        outbox_mix: str = typer.Option(
            "line", help="Outbox events: line (mostly telemetry aggregates) or facts (none)"
        ),
        security: str = typer.Option(
            "Basic256Sha256_SignAndEncrypt", help="Basic256Sha256_SignAndEncrypt or None"
        ),
    ) -> None:
        """OPC-UA values/s ingested with no loss, values lost, resume after a server restart,
        and events/s from a line's outbox to the central store (batched, through Ray)."""
        import json

        from edge_agents.opcua.bench import run_opcua_bench

        def progress(message: str) -> None:
            typer.echo(f"... {message}", err=True)

        from cluster.bench_events import MIXES, run_event_path_bench
        from core.errors import InputError

        if outbox_mix not in MIXES:
            raise InputError(f"--outbox-mix must be one of {', '.join(MIXES)}, not {outbox_mix!r}")
        result = run_opcua_bench(machines, rate, seconds, security, progress)
        progress(
            f"outbox -> store: {outbox_events:,} events ({outbox_mix}), batches of {outbox_batch}"
        )
        path = run_event_path_bench(
            events=outbox_events, appends=100, batch_size=outbox_batch, mix=outbox_mix
        )
        data = result.to_dict() | {
            "outbox_events_per_s": round(path.ship_per_s),
            "outbox_batch": outbox_batch,
            "outbox_mix": outbox_mix,
            "outbox_replay_new": path.replay_new,
            "telemetry_catch_up_s": round(path.telemetry_catch_up_s, 2),
        }
        if json_out:
            typer.echo(json.dumps(data))
            return
        for key, value in data.items():
            typer.echo(f"{key:<22} {value}")
