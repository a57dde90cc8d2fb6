"""`atelier certs`: the plant CA and OPC-UA certificates for agents and simulators."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    certs_app = typer.Typer(
        help="OPC-UA certificates: plant CA, agent (client) and simulator (server) certificates.",
        invoke_without_command=True,
    )

    @certs_app.callback()
    def plant(
        ctx: typer.Context,
        factory: Path = typer.Option(
            None, help="Factory YAML (default: ATELIER_FACTORY or the demo)"
        ),
        folder: Path = typer.Option(None, help="Certificates folder (default: ATELIER_HOME/certs)"),
    ) -> None:
        """Without a subcommand: the plant CA plus a certificate per line's agent and simulator."""
        if ctx.invoked_subcommand is not None:
            return
        from core.config.loader import load_factory
        from edge_agents.opcua import certs

        config = load_factory(factory)
        ca = certs.make_ca(folder)
        typer.echo(f"plant CA      {ca.cert}")
        for line in config.lines:
            for name, role in ((f"agent-{line.id}", "client"), (f"sim-{line.id}", "server")):
                pair = certs.ensure(name, role, folder)
                typer.echo(f"{role:<13} {pair.cert}  ({pair.application_uri})")

    @certs_app.command("issue")
    def issue(
        name: str = typer.Argument(..., help="Application name; the URI becomes urn:atelier:NAME"),
        role: str = typer.Option("client", help="client or server"),
        self_signed: bool = typer.Option(
            False, help="Self-signed instead of signed by the plant CA"
        ),
        host: list[str] = typer.Option(None, help="Host names or IPs for the certificate (repeat)"),
        folder: Path = typer.Option(None, help="Certificates folder (default: ATELIER_HOME/certs)"),
    ) -> None:
        """Issue (or replace) one certificate."""
        from edge_agents.opcua import certs

        pair = certs.issue(name, role, folder, hosts=host or None, self_signed=self_signed)
        typer.echo(f"{pair.cert}\n{pair.key}")

    @certs_app.command("ca")
    def ca(
        force: bool = typer.Option(
            False, help="Replace an existing CA (re-issue every certificate!)"
        ),
        folder: Path = typer.Option(None, help="Certificates folder (default: ATELIER_HOME/certs)"),
    ) -> None:
        """Create the plant CA."""
        from edge_agents.opcua import certs

        typer.echo(certs.make_ca(folder, force=force).cert)

    app.add_typer(certs_app, name="certs")
