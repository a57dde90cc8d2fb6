"""`atelier plan` (plan the orders, store a draft version, write markers and the Gantt) and
`atelier plans list | show | publish` (the stored versions)."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import typer


def _prepare() -> Any:
    from core.db import make_engine
    from core.migrate import require_current

    # Alembic's revision check and ezdxf's R12 notes would bury the report.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    logging.getLogger("ezdxf").setLevel(logging.ERROR)
    # The progress display shows the stages; INFO lines would tear it.
    for name in ("scheduler", "design_bridge", "cluster", "core.importer"):
        logging.getLogger(name).setLevel(logging.WARNING)
    require_current()
    return make_engine()


def _console() -> Any:
    from rich.console import Console

    console = Console()
    return console if console.is_terminal else Console(width=160)


def _kpi_tables(kpis: dict[str, Any]) -> list[Any]:
    from rich.table import Table

    head = Table(title=f"plan v{kpis['version']}: {len(kpis['orders'])} orders")
    head.add_column("KPI")
    head.add_column("value", justify="right")
    head.add_row("fabric used", f"{kpis['fabric_used_m']:.2f} m")
    head.add_row("marker efficiency", f"{kpis['marker_efficiency']:.1%}")
    head.add_row("markers", str(kpis["markers"]))
    head.add_row("makespan", f"{kpis['makespan_min']} min (ends {kpis['makespan_end'][:16]})")
    late = kpis["orders_late_min"]
    head.add_row("orders late", str(len(late)))
    head.add_row("seconds", f"{kpis['seconds']:.1f}")
    markers = Table(title="markers")
    markers.add_column("marker")
    markers.add_column("efficiency", justify="right")
    for name, eff in sorted(kpis["marker_efficiencies"].items()):
        markers.add_row(name, f"{eff:.1%}")
    stations = Table(title="station utilisation (up to the makespan)")
    stations.add_column("station")
    stations.add_column("busy", justify="right")
    for station, share in kpis["station_utilisation"].items():
        stations.add_row(station, f"{share:.0%}")
    tables = [head, markers, stations]
    if late:
        lateness = Table(title="late orders")
        lateness.add_column("order")
        lateness.add_column("minutes late", justify="right")
        for order, minutes in sorted(late.items(), key=lambda item: -item[1]):
            lateness.add_row(order, str(minutes))
        tables.append(lateness)
    return tables


def register(app: typer.Typer) -> None:
    @app.command("plan")
    def plan(
        batch: Path | None = typer.Option(
            None, "--batch", help="Plan this batch file (CSV or JSON) instead of the store's orders"
        ),
        out: Path | None = typer.Option(
            None, "--out", help="Folder for markers and gantt.png (default: home/plans/<version>)"
        ),
        time_limit: float = typer.Option(
            20.0,
            "--time-limit",
            min=1.0,
            help="Seconds for the sewing schedule (a quarter each "
            "for cut planning and every marker)",
        ),
        factory: Path | None = typer.Option(None, "--factory", help="Factory YAML file"),
        as_json: bool = typer.Option(False, "--json", help="Print the KPIs as JSON"),
    ) -> None:
        """Plan the unplanned orders: markers, sewing schedule, KPIs; stored as a draft version."""
        from rich.console import Console
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        from cluster.planning import PlanningSettings, plan_orders
        from core.config import default_factory_path, load_factory
        from core.settings import atelier_home

        plant = load_factory(factory or default_factory_path())
        engine = _prepare()
        settings = PlanningSettings(time_limit_s=time_limit)
        try:
            with Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                TimeElapsedColumn(),
                transient=True,
                console=Console(stderr=True),
            ) as progress:
                task = progress.add_task("planning", total=None)
                run = plan_orders(
                    engine,
                    plant,
                    batch=batch,
                    settings=settings,
                    on_progress=lambda stage, msg: progress.update(
                        task, description=f"{stage}: {msg}"
                    ),
                )
        finally:
            engine.dispose()
        folder = out or atelier_home() / "plans" / str(run.version)
        files = run.write_files(folder)
        if as_json:
            typer.echo(json.dumps({**run.kpis, "folder": str(folder), "files": len(files)}))
            return
        console = _console()
        for table in _kpi_tables(run.kpis):
            console.print(table)
        for warning in run.kpis["warnings"]:
            console.print(f"[yellow]warning:[/] {warning}")
        console.print(
            f"draft plan v{run.version} stored; {len(files)} files in {folder}; "
            f"publish with: atelier plans publish {run.version}"
        )

    plans = typer.Typer(help="Stored plan versions: list, show, publish.", no_args_is_help=True)

    @plans.command("list")
    def list_(as_json: bool = typer.Option(False, "--json", help="Print as JSON")) -> None:
        """Every plan version with its status and headline KPIs."""
        from rich.table import Table

        from cluster.plan_versions import list_versions

        engine = _prepare()
        try:
            versions = list_versions(engine)
        finally:
            engine.dispose()
        if as_json:
            typer.echo(json.dumps([{"version": v.version, "rows": v.rows} for v in versions]))
            return
        if not versions:
            typer.echo("no plans yet: run atelier plan")
            return
        table = Table("version", "status", "orders", "fabric m", "efficiency", "makespan", "late")
        for v in versions:
            k = v.kpis
            table.add_row(
                str(v.version),
                v.status,
                str(len(k.get("orders", []))),
                f"{k.get('fabric_used_m', 0):.2f}",
                f"{k.get('marker_efficiency', 0):.1%}",
                f"{k.get('makespan_min', '-')} min",
                str(k.get("late_orders", "-")),
            )
        _console().print(table)

    @plans.command("show")
    def show(
        version: int = typer.Argument(..., help="Plan version"),
        as_json: bool = typer.Option(False, "--json", help="Print the version and payloads"),
    ) -> None:
        """One version's KPIs, status per family and what each line gets."""
        from cluster.plan_versions import get_version

        engine = _prepare()
        try:
            found = get_version(engine, version)
        finally:
            engine.dispose()
        if as_json:
            body = {"version": version, "rows": found.rows, "payloads": found.payloads}
            typer.echo(json.dumps(body))
            return
        console = _console()
        for family, row in found.rows.items():
            console.print(f"{family} v{version}: {row['status']} (by {row['created_by']})")
        for table in _kpi_tables({**found.kpis, "version": version}):
            console.print(table)

    @plans.command("publish")
    def publish(
        version: int = typer.Argument(..., help="Draft plan version to publish"),
        as_json: bool = typer.Option(False, "--json", help="Print the outcome as JSON"),
    ) -> None:
        """Publish a draft version (superseding the published one) and deliver it to the lines."""
        from cluster.plan_publish import publish_version

        engine = _prepare()
        try:
            result = publish_version(engine, version)
        finally:
            engine.dispose()
        if as_json:
            typer.echo(json.dumps(result.to_dict()))
            return
        done = ", ".join(result.published) or "nothing new (already published)"
        typer.echo(f"plan v{version} published: {done}")
        for family, old in result.superseded.items():
            typer.echo(f"  {family} v{old} superseded")
        for line in result.delivered:
            typer.echo(f"  delivered to line {line}")
        for line, why in result.pending.items():
            typer.echo(f"  delivery to line {line} pending: {why}")

    app.add_typer(plans, name="plans")
