"""`atelier edge run --line L`: the edge-agent process of one line (a service on the edge PC)."""

from __future__ import annotations

import logging
from pathlib import Path

import typer

from core.errors import InputError

log = logging.getLogger(__name__)


def register(app: typer.Typer) -> None:
    edge = typer.Typer(help="The edge agent of a line.", no_args_is_help=True)

    @edge.command("run")
    def run(
        line: str = typer.Option(..., "--line", help="Line id from the factory file, e.g. L1"),
        factory: Path | None = typer.Option(None, "--factory", help="Factory YAML file"),
        heartbeat: float = typer.Option(2.0, "--heartbeat", help="Seconds between heartbeats"),
        outbox: Path | None = typer.Option(
            None, "--outbox", help="Outbox file (default <ATELIER_HOME>/outbox/<line>.sqlite)"
        ),
        devices: bool = typer.Option(
            True, "--devices/--no-devices", help="Run the line's OPC-UA, serial and camera links"
        ),
    ) -> None:
        """Run the line's agent until SIGTERM or Ctrl-C; every event goes to the outbox first."""
        from core.config import load_factory
        from edge_agents.agent import LineAgent, serve
        from edge_agents.devices import wire_line
        from edge_agents.opcua.ports import with_port_base
        from edge_agents.outbox import Outbox, outbox_path

        plant = with_port_base(load_factory(factory))
        known = [ln.id for ln in plant.lines]
        if line not in known:
            raise InputError(
                f"line {line!r} is not in the factory file (lines: {', '.join(known)})"
            )
        if heartbeat <= 0:
            raise InputError(f"--heartbeat must be more than 0 seconds, got {heartbeat}")
        with Outbox(outbox or outbox_path(line)) as box:
            agent = LineAgent(line, box, heartbeat_s=heartbeat)
            if devices:
                wire_line(agent, plant, line)
            serve(agent)

    app.add_typer(edge, name="edge")
