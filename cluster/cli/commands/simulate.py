"""`atelier simulate`: device simulators for demos, commissioning and tests."""

from __future__ import annotations

from pathlib import Path

import typer


async def _until_stopped(work) -> None:  # noqa: ANN001 - a coroutine
    """Run `work` until it ends or SIGINT/SIGTERM arrives; its cleanup runs either way."""
    import asyncio
    import signal

    task = asyncio.ensure_future(work)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, task.cancel)
    try:
        await task
    except asyncio.CancelledError:
        pass


def register(app: typer.Typer) -> None:
    sim_app = typer.Typer(help="Run device simulators (until Ctrl-C).", no_args_is_help=True)

    @sim_app.command("opcua")
    def opcua(
        line: str = typer.Option(..., help="Line id whose machines to serve, e.g. L1"),
        factory: Path = typer.Option(
            None, help="Factory YAML (default: ATELIER_FACTORY or the demo)"
        ),
        rate: float = typer.Option(10.0, help="Machine updates per second"),
        seed: int = typer.Option(0, help="Random seed"),
        thread_breaks_per_hour: float = typer.Option(
            6.0, help="Mean thread breaks per running hour"
        ),
        faults_per_hour: float = typer.Option(1.0, help="Mean machine faults per running hour"),
        url: str = typer.Option(
            None, help="Serve on this opc.tcp:// URL instead of the configured one"
        ),
        machines: int = typer.Option(
            0,
            help="Serve this many machines (copies of the line's stations) instead; for benchmarks",
        ),
    ) -> None:
        """Serve the line's machines over OPC-UA with the configured security."""
        import asyncio
        import logging

        from core.config.loader import load_factory
        from edge_agents.opcua.ports import with_port_base
        from edge_agents.simulators.machine_model import MachineBehaviour
        from edge_agents.simulators.opcua_line import LineSimulator, SimulatorSettings, widen_line

        config = with_port_base(load_factory(factory))
        if url or machines:
            config = widen_line(config, line, machines or None, url)
        settings = SimulatorSettings(
            rate_hz=rate,
            seed=seed,
            behaviour=MachineBehaviour(
                thread_breaks_per_hour=thread_breaks_per_hour, faults_per_hour=faults_per_hour
            ),
        )
        log = logging.getLogger("atelier.simulate")

        async def serve() -> None:
            sim = LineSimulator(config, line, settings)
            await sim.start()
            typer.echo(
                f"serving {len(sim.models)} machines of {line} on {sim.endpoint.url}", err=True
            )
            try:
                while True:
                    await asyncio.sleep(10)
                    log.info("%d ticks, %d values written", sim.ticks, sim.writes)
            finally:
                await sim.stop()

        asyncio.run(_until_stopped(serve()))
        typer.echo("simulator stopped", err=True)

    @sim_app.command("serial")
    def serial(
        line: str = typer.Option(..., help="Line id whose `port: sim` devices to simulate"),
        factory: Path = typer.Option(None, help="Factory YAML (default: ATELIER_FACTORY or demo)"),
        scan_every: float = typer.Option(5.0, help="Seconds between bundle scans per scanner"),
        seed: int = typer.Option(0, help="Random seed"),
    ) -> None:
        """Simulate the line's bundle scanners and plotters on pty pairs (ATELIER_HOME/serial)."""
        import asyncio

        from core.config.loader import load_factory
        from core.errors import ConfigError
        from edge_agents.simulators.serial_line import run_serial_sims, sim_port_path

        config = load_factory(factory)
        try:
            line_config = config.line(line)
        except KeyError:
            raise ConfigError(f"no line {line!r} in the factory configuration") from None
        for device in line_config.serial_devices:
            if device.port == "sim":
                typer.echo(f"{device.kind:<15} {sim_port_path(line, device.name)}", err=True)
        asyncio.run(_until_stopped(run_serial_sims(line_config, scan_every, seed)))
        typer.echo("simulators stopped", err=True)

    app.add_typer(sim_app, name="simulate")
