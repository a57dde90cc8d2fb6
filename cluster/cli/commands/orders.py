"""`atelier orders`: import batches of custom orders (drafting each), draft, list."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    orders = typer.Typer(
        help="Custom orders: import and draft batches, list what is stored.", no_args_is_help=True
    )

    @orders.command("import")
    def import_(
        file: Path = typer.Argument(..., help="Batch file, CSV or JSON (see core/README.md)"),
        fmt: str | None = typer.Option(None, "--format", help="csv or json (default: by suffix)"),
        as_json: bool = typer.Option(False, "--json", help="Print the report as JSON"),
    ) -> None:
        """Validate a batch, store its good rows, then draft each into a production order."""
        from design_bridge.store import import_and_draft

        engine = _current_store()
        try:
            if as_json:
                report = import_and_draft(engine, file, fmt)
            else:
                report = _with_progress(
                    lambda rows, drafts: import_and_draft(engine, file, fmt, rows, drafts)
                )
        finally:
            engine.dispose()
        if as_json:
            typer.echo(json.dumps(report.to_dict()))
            return
        from rich.console import Console
        from rich.table import Table

        console = _console(Console)
        console.print(
            f"{file.name}: [green]{report.imported} imported[/], "
            f"{report.drafted} drafted, {report.duplicates} already stored, "
            f"[{'red' if report.errors else 'green'}]{len(report.errors)} errors[/]"
        )
        if report.errors:
            table = Table("row", "field", "problem")
            for e in report.errors:
                table.add_row(str(e.row), e.field, e.message)
            console.print(table)

    @orders.command("draft")
    def draft(
        as_json: bool = typer.Option(False, "--json", help="Print the report as JSON"),
    ) -> None:
        """Draft every stored order still `received` (HMI uploads, orders refused before)."""
        from design_bridge.store import draft_received

        engine = _current_store()
        try:
            if as_json:
                report = draft_received(engine)
            else:
                report = _with_progress(lambda _rows, drafts: draft_received(engine, drafts))
        finally:
            engine.dispose()
        if as_json:
            typer.echo(json.dumps(report.to_dict()))
            return
        from rich.console import Console
        from rich.table import Table

        console = _console(Console)
        console.print(
            f"[green]{report.drafted} drafted[/], "
            f"[{'red' if report.failures else 'green'}]{len(report.failures)} refused[/]"
            + (f", {report.skipped} drafted meanwhile by another run" if report.skipped else "")
        )
        if report.failures:
            table = Table("order", "field", "problem")
            for f in report.failures:
                table.add_row(f.order_id, f.field, f.message)
            console.print(table)

    @orders.command("list")
    def list_(
        status: str | None = typer.Option(None, "--status", help="Only orders in this status"),
        limit: int | None = typer.Option(None, "--limit", min=1, help="At most this many"),
        as_json: bool = typer.Option(False, "--json", help="Print the orders as JSON"),
    ) -> None:
        """List stored orders by due date."""
        from core.importer import list_orders

        engine = _current_store()
        try:
            rows = list_orders(engine, status, limit)
        finally:
            engine.dispose()
        if as_json:
            out = [{**o.model_dump(mode="json"), "status": s} for o, s in rows]
            typer.echo(json.dumps(out))
            return
        from rich.console import Console
        from rich.table import Table

        table = Table(
            "order", "customer", "style", "body", "fabric", "qty", "due", "priority", "status"
        )
        for o, s in rows:
            body = o.size or f"{len(o.measurements)} measurements"
            table.add_row(
                o.order_id,
                o.customer,
                o.style,
                body,
                o.fabric,
                str(o.quantity),
                o.due_date.isoformat(),
                o.priority.value,
                s,
            )
        console = Console()
        if not console.is_terminal:
            console = Console(width=160)  # a pipe or a file: do not squeeze to 80 columns
        console.print(table)
        typer.echo(f"{len(rows)} orders")

    app.add_typer(orders, name="orders")


def _current_store():  # type: ignore[no-untyped-def]
    """An engine on the store, refused with the fix when the store is not migrated."""
    from core.db import make_engine
    from core.migrate import require_current

    # Checking the store's revision is routine here; Alembic's INFO lines would bury the report.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    require_current()
    return make_engine()


def _console(console_class):  # type: ignore[no-untyped-def]
    console = console_class()
    if not console.is_terminal:
        console = console_class(width=160)  # a pipe or a file: do not squeeze to 80 columns
    return console


def _with_progress(work):  # type: ignore[no-untyped-def]
    """Run `work(rows_callback, drafts_callback)` under one progress bar on stderr (rows
    validated, then orders drafted) that disappears when done."""
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("validating rows", total=None)

        def rows(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        def drafts(done: int, total: int, order_id: str) -> None:
            progress.update(
                task, completed=done, total=total, description=f"drafting orders ({order_id})"
            )

        return work(rows, drafts)
