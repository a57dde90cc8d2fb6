"""`atelier bench edge`: OPC-UA ingest rate, loss and resume time of one line agent's link."""

from __future__ import annotations

import typer


def register(bench: typer.Typer) -> None:
    @bench.command("edge")
    def edge(
        json_out: bool = typer.Option(False, "--json", help="Print the results as JSON"),
        machines: int = typer.Option(60, help="Simulated machines on the endpoint"),
        rate: float = typer.Option(10.0, help="Simulator updates per second per machine"),
        seconds: float = typer.Option(10.0, help="How long to ingest"),
        security: str = typer.Option(
            "Basic256Sha256_SignAndEncrypt", help="Basic256Sha256_SignAndEncrypt or None"
        ),
    ) -> None:
        """Measure OPC-UA values/s ingested with no loss, values lost, and resume after a restart.

        outbox_events_per_s is measured by the outbox's own benchmark (null here).
        """
        import json

        from edge_agents.opcua.bench import run_opcua_bench

        def progress(message: str) -> None:
            typer.echo(f"... {message}", err=True)

        result = run_opcua_bench(machines, rate, seconds, security, progress)
        data = result.to_dict() | {"outbox_events_per_s": None}
        if json_out:
            typer.echo(json.dumps(data))
            return
        for key, value in data.items():
            typer.echo(f"{key:<22} {value}")
