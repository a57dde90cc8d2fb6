"""`atelier bench drafting`: orders drafted per second per core, over all styles and options."""

from __future__ import annotations

import json as json_lib
import logging

import typer


def register(bench: typer.Typer) -> None:
    @bench.command("drafting")
    def drafting(
        orders: int = typer.Option(400, help="Orders to draft (ANSUR II bodies x styles)"),
        json: bool = typer.Option(False, "--json", help="Print the result as JSON"),
    ) -> None:
        """Draft ANSUR II bodies in one process (one core) and report orders per second."""
        from rich.progress import Progress

        from design_bridge.tools.bench import run_bench

        logging.getLogger("ezdxf").setLevel(logging.ERROR)  # its R12 notes drown the output
        with Progress(transient=True, disable=json) as progress:
            task = progress.add_task("drafting", total=orders)
            result = run_bench(orders, lambda done: progress.update(task, completed=done))
        if json:
            typer.echo(json_lib.dumps(result))
            return
        typer.echo(
            f"{result['orders']} orders in {result['seconds']:.2f} s: "
            f"{result['orders_per_second_per_core']:.1f} orders/s/core "
            f"(drafting only; with exports {result['with_exports_per_second']:.1f} orders/s)"
        )
        for style, rate in result["per_style_orders_per_second"].items():
            typer.echo(f"  {style:9s} {rate:.1f} orders/s")
