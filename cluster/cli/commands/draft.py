"""`atelier draft FILE --out DIR`: draft every order of a batch file into exports and a summary."""

from __future__ import annotations

import logging
from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    @app.command("draft")
    def draft(
        file: Path = typer.Argument(..., help="Batch file (CSV or JSON), the order import format"),
        out: Path = typer.Option(..., "--out", help="Output folder; must not exist or be empty"),
    ) -> None:
        """Draft the pattern pieces, routing and bill of materials of every order in a batch."""
        from rich.console import Console
        from rich.progress import Progress
        from rich.table import Table

        from core.errors import InputError
        from core.importer import parse_batch
        from design_bridge import draft_batch

        logging.getLogger("ezdxf").setLevel(logging.ERROR)  # its R12 notes drown the output
        parsed = parse_batch(file)
        if parsed.errors:
            lines = [f"row {e.row}, {e.field}: {e.message}" for e in parsed.errors]
            raise InputError(
                f"{file}: {len(lines)} bad rows, nothing drafted:\n  " + "\n  ".join(lines)
            )
        orders = [order for _, order in parsed.orders]
        with Progress(transient=True) as progress:
            task = progress.add_task("drafting and writing", total=2 * len(orders))
            drafted = draft_batch(
                orders,
                out,
                progress=lambda done, total, order_id: progress.update(
                    task, completed=done, total=total, description=order_id
                ),
            )
        table = Table(title=f"{len(drafted)} orders drafted into {out}")
        for column in ("order", "style", "size", "qty", "pieces", "fabric m", "SMV", "fit"):
            table.add_column(column)
        for d in drafted:
            flags = "ok" if not d.flags else "; ".join(d.flags)
            table.add_row(
                d.order_id,
                d.style,
                d.size or "MTM",
                str(d.quantity),
                str(sum(p.quantity for p in d.pieces)),
                f"{d.bom.fabric_length_m:.2f}",
                f"{d.smv_total:.1f}",
                flags,
            )
        Console().print(table)
