"""`atelier status [--json]`: each line's agent from the store, and the cluster's nodes."""

from __future__ import annotations

import json
from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    @app.command("status")
    def status(
        as_json: bool = typer.Option(False, "--json", help="Print JSON instead of tables"),
        address: str | None = typer.Option(
            None, "--address", help="Ray cluster to ask (default: the one `atelier up` started)"
        ),
        factory: Path | None = typer.Option(None, "--factory", help="Factory YAML file"),
        online_within: float = typer.Option(
            10.0, "--online-within", help="An agent is online if it beat within this many seconds"
        ),
        nodes: bool = typer.Option(
            True, "--nodes/--no-nodes", help="Ask the cluster for its nodes"
        ),
    ) -> None:
        """Lines' agents (online, last heartbeat, outbox depth, inspection model, events
        shipped, links), telemetry still to be charted after a backlog, and Ray nodes."""
        from cluster.status import cluster_nodes, known_address, line_statuses, local_outbox
        from cluster.store import prepare_store
        from cluster.token import enable_token_auth, token_path
        from core.config import load_factory
        from core.db import make_engine, transaction
        from core.settings import atelier_home, database_url
        from core.store_telemetry import pending_aggregates

        plant = load_factory(factory)
        url = database_url()
        prepare_store(url)
        engine = make_engine(url)
        lines = line_statuses(engine, [ln.id for ln in plant.lines], online_within)
        with transaction(engine) as session:
            behind = pending_aggregates(session)
        engine.dispose()
        home = atelier_home()
        local = {s.line: local_outbox(home, s.line) for s in lines}
        address = address or known_address(home)
        node_list = None
        if nodes and address:
            if token_path(home).exists():
                enable_token_auth(token_path(home))
            node_list = cluster_nodes(address)
        if as_json:
            typer.echo(
                json.dumps(
                    {
                        "lines": [s.to_dict() | {"local": local[s.line]} for s in lines],
                        "telemetry_pending": behind,
                        "cluster": {
                            "address": address,
                            "reachable": node_list is not None,
                            "nodes": node_list or [],
                        },
                    },
                    indent=2,
                )
            )
            return
        _print_tables(lines, local, address, node_list)
        if behind:
            typer.echo(f"telemetry: {behind:,} aggregates stored, not yet in the telemetry tables")


def _print_tables(lines, local, address, node_list) -> None:  # type: ignore[no-untyped-def]
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(title="Lines")
    cols = (
        "line", "agent", "last heartbeat", "outbox depth", "model", "events shipped", "links",
        "here",
    )  # fmt: skip
    for col in cols:
        table.add_column(col)
    for s in lines:
        beat = f"{s.heartbeat_age_s:.0f} s ago" if s.heartbeat_age_s is not None else "never"
        links = ", ".join(f"{k}: {v.get('state')}" for k, v in sorted(s.links.items()))
        table.add_row(
            s.line,
            "[green]online[/]" if s.online else "[red]offline[/]",
            beat,
            str(s.outbox_depth),
            s.model_version or "-",
            str(s.events_shipped),
            links or "-",
            _here(local[s.line]),
        )
    console.print(table)
    if node_list is None:
        console.print(
            f"cluster: {'not reachable at ' + address if address else 'no address known'}"
        )
        return
    nodes = Table(title=f"Ray cluster at {address}")
    for col in ("node", "alive", "roles", "labels"):
        nodes.add_column(col)
    for n in node_list:
        roles = ", ".join(
            sorted(k for k in n["resources"] if k == "central" or k.startswith("line_"))
        )
        labels = ", ".join(f"{k}={v}" for k, v in sorted(n["labels"].items()))
        nodes.add_row(n["node_id"][:12], "yes" if n["alive"] else "no", roles or "-", labels or "-")
    console.print(nodes)


def _here(local) -> str:  # type: ignore[no-untyped-def]
    """The line's outbox on this machine: depth and the uplink as seen from the line."""
    if local is None:
        return "-"
    uplink = local["links"].get("uplink")
    link = f", uplink {uplink['state']} since {uplink['since'][11:19]}" if uplink else ""
    return f"depth {local['outbox_depth']}{link}"
