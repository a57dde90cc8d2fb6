"""`atelier bench inspection`: model latency (torch eager vs onnxruntime) and pipeline speed."""

from __future__ import annotations

import json

import typer


def register(bench: typer.Typer) -> None:
    @bench.command("inspection")
    def inspection_cmd(
        repeats: int = typer.Option(30, min=3, help="timed calls per backend and batch size"),
        frames: int = typer.Option(6, min=1, help="1920x1080 frames through the pipeline"),
        as_json: bool = typer.Option(False, "--json", help="print JSON"),
    ) -> None:
        """Latency p50/p99 at batch 1 and 8, torch eager vs onnxruntime; pipeline MP/s."""
        from rich.console import Console

        from inspection.bench import run

        console = Console(stderr=True)
        with console.status("benchmark") as status:
            result = run(repeats, frames, progress=lambda s: status.update(s))
        if as_json:
            typer.echo(json.dumps(result, indent=2))
            return
        for k, v in result.items():
            typer.echo(f"{k:32s} {v}")

    @bench.command("inspection-cv")
    def inspection_cv_cmd(
        folds: int = typer.Option(5, min=2, help="cross-validation folds"),
        seed: int = typer.Option(0, help="fold seed"),
        as_json: bool = typer.Option(False, "--json", help="print JSON"),
    ) -> None:
        """Grouped, stratified k-fold CV on fabric_stain, with an ablation of the ingredients."""
        import torch

        from inspection.crossval import run_study

        torch.set_num_threads(2)
        from rich.console import Console

        console = Console(stderr=True)
        with console.status("cross-validation") as status:
            summary = run_study(folds, seed, progress=lambda s: status.update(s))
        if as_json:
            typer.echo(json.dumps(summary, indent=2))
            return
        for variant, metrics in summary.items():
            typer.echo(variant)
            for k, (mean, sd) in metrics.items():
                typer.echo(f"  {k:20s} {mean:.3f} ± {sd:.3f}")
