"""`atelier up`: start the plant on this machine (or join a cluster) until Ctrl-C or SIGTERM."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    @app.command("up")
    def up(
        port: int = typer.Option(8501, "--port", help="Port of the HMI (Streamlit)"),
        address: str | None = typer.Option(
            None, "--address", help="Join this Ray cluster (host:port) instead of starting one"
        ),
        factory: Path | None = typer.Option(None, "--factory", help="Factory YAML file"),
        heartbeat: float = typer.Option(2.0, "--heartbeat", help="Agents' heartbeat, seconds"),
        num_cpus: int = typer.Option(2, "--num-cpus", help="CPUs the local Ray instance offers"),
        agents: bool = typer.Option(
            True, "--agents/--no-agents", help="Run the lines' edge agents here (off on a centre)"
        ),
        opcua_port_base: int | None = typer.Option(
            None,
            "--opcua-port-base",
            help="Serve simulated lines' OPC-UA on ports N, N+1, ... instead of the factory's",
        ),
    ) -> None:
        """Start store, Ray (token auth), central services, edge agents, HMI; Ctrl-C stops all."""
        import signal
        import threading

        from cluster.up import Plant, UpOptions

        stop = threading.Event()
        plant = Plant(
            UpOptions(
                port=port,
                address=address,
                factory=factory,
                heartbeat_s=heartbeat,
                num_cpus=num_cpus,
                agents=agents,
                opcua_port_base=opcua_port_base,
            ),
            on_progress=lambda msg: typer.echo(f"  {msg}", err=True),
        )
        # Set before starting so a Ctrl-C during start-up still stops what was started.
        previous = {
            sig: signal.signal(sig, lambda *_: stop.set())
            for sig in (signal.SIGINT, signal.SIGTERM)
        }
        try:
            url = plant.start()
            # ray.init installs its own SIGTERM handler; ours must win.
            for sig in previous:
                signal.signal(sig, lambda *_: stop.set())
            if not stop.is_set():
                typer.echo(f"atelier is up: HMI on {url}", err=False)
                plant.supervise(stop)
        finally:
            typer.echo("stopping ...", err=True)
            plant.stop()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
