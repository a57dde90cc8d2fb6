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
        outbox_max: int = typer.Option(
            2_000_000, "--outbox-max-events", help="Outbox bound: telemetry is thinned there"
        ),
        link_down: float = typer.Option(
            30.0,
            "--link-down-s",
            help="Seconds a machine link may be lost before its station is down",
        ),
        metrics_port: int = typer.Option(
            0, "--metrics-port", help="Port for /health and /metrics (0: not served)"
        ),
        metrics_host: str = typer.Option(
            "127.0.0.1", "--metrics-host", help="Address the health and metrics server listens on"
        ),
    ) -> None:
        """Run the line's agent until SIGTERM or Ctrl-C; every event goes to the outbox first."""
        from core.config import load_factory
        from edge_agents.agent import LineAgent, serve
        from edge_agents.devices import wire_line
        from edge_agents.opcua.ports import with_port_base
        from edge_agents.outbox import Outbox, outbox_path
        from edge_agents.outbox_guard import OutboxLimits

        plant = with_port_base(load_factory(factory))
        known = [ln.id for ln in plant.lines]
        if line not in known:
            raise InputError(
                f"line {line!r} is not in the factory file (lines: {', '.join(known)})"
            )
        if heartbeat <= 0:
            raise InputError(f"--heartbeat must be more than 0 seconds, got {heartbeat}")
        if outbox_max < 100 or link_down <= 0:
            raise InputError(
                f"--outbox-max-events must be at least 100 (got {outbox_max}) and --link-down-s "
                f"more than 0 (got {link_down})"
            )
        if not 0 <= metrics_port <= 65535:
            raise InputError(f"--metrics-port must be 0 (off) or a port number, got {metrics_port}")
        with Outbox(outbox or outbox_path(line)) as box:
            limits = OutboxLimits(max_events=outbox_max)
            agent = LineAgent(
                line, box, heartbeat_s=heartbeat, limits=limits, link_down_s=link_down
            )
            links = wire_line(agent, plant, line).links if devices else []
            health = None
            if metrics_port:
                from edge_agents.health import HealthServer

                health = HealthServer(agent, metrics_host, metrics_port, links)
                health.start()
            try:
                serve(agent)
            finally:
                if health:
                    health.stop()

    @edge.command("queue")
    def queue(
        line: str = typer.Option(..., "--line", help="Line id, e.g. L1"),
        outbox: Path | None = typer.Option(
            None, "--outbox", help="Outbox file (default <ATELIER_HOME>/outbox/<line>.sqlite)"
        ),
    ) -> None:
        """Show the plan the line executes: each station's open operations, in planned order."""
        from rich.console import Console
        from rich.table import Table

        from edge_agents.execution.state import ExecutionState
        from edge_agents.outbox import Outbox, outbox_path

        path = outbox or outbox_path(line)
        if not path.exists():
            raise InputError(f"no outbox for line {line!r} at {path}: has its agent run here?")
        with Outbox(path) as box:
            state = ExecutionState(box, line)
            records = state.records()
            table = Table(title=f"line {line}: plan {state.plan_id or '(none yet)'}")
            for column in ("station", "bundle", "operation", "order", "planned", "status", "good"):
                table.add_column(column)
            for op in sorted(records, key=lambda o: (o.station, o.start, o.seq)):
                planned = f"{op.start:%d %b %H:%M}-{op.end:%H:%M}"
                table.add_row(op.station, op.bundle, op.operation, op.order_id, planned,
                              op.status, str(op.good))  # fmt: skip
            Console().print(table)

    app.add_typer(edge, name="edge")
