"""`atelier inspect`: train, evaluate and export fabric defect models; make synthetic defects."""

from __future__ import annotations

import json
from pathlib import Path

import typer

BACKENDS = ("torch", "onnxruntime", "tensorrt")


def _progress():
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    # progress on stderr so `--json` output on stdout stays machine-readable
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
    )


def _backend(name: str, model_dir: Path):
    from core.errors import InputError
    from inspection.backends import OnnxRuntimeConfig, TensorRTConfig, TorchConfig, create_backend

    configs = {"torch": TorchConfig, "onnxruntime": OnnxRuntimeConfig, "tensorrt": TensorRTConfig}
    if name not in configs:
        raise InputError(f"--backend {name!r}: choose one of {', '.join(configs)}")
    return create_backend(configs[name](), model_dir)


def register(app: typer.Typer) -> None:
    inspect = typer.Typer(help="Fabric and garment defect models.", no_args_is_help=True)

    @inspect.command("train")
    def train_cmd(
        good_dir: Path = typer.Argument(..., help="folder of defect-free fabric images"),
        defects: list[Path] = typer.Option(
            [], "--defects", help="folder of one defect class; repeat"
        ),
        out: Path = typer.Option(..., "--out", help="model directory to write"),
        bank_size: int = typer.Option(2000, help="memory bank rows"),
        target_fpr: float = typer.Option(0.05, help="false-alarm rate the threshold aims at"),
        views: int = typer.Option(8, help="flip/rotation views per image for the supervised head"),
        tta_views: int = typer.Option(
            4,
            min=1,
            max=8,
            help="views the head averages at inference (upright, quarter turn, ...): "
            "each costs one backbone pass",
        ),
    ) -> None:
        """Train a model: memory bank from good fabric, supervised head from defects."""
        import torch

        from inspection.train import TrainOptions, train

        torch.set_num_threads(2)
        opts = TrainOptions(
            bank_size=bank_size, target_fpr=target_fpr, views=views, tta_views=tta_views
        )
        with _progress() as bar:
            tasks: dict[str, int] = {}

            def step(stage: str, done: int, total: int) -> None:
                if stage not in tasks:
                    tasks[stage] = bar.add_task(stage, total=total)
                bar.update(tasks[stage], completed=done, total=total)

            manifest = train(good_dir, defects, out, opts, progress=step)
        typer.echo(f"model {manifest.version} written to {out}")
        typer.echo(f"threshold {manifest.threshold.value:.4f}: {manifest.threshold.method}")
        for k, v in manifest.metrics.items():
            typer.echo(f"  {k} (out-of-fold): {v:.3f}")

    @inspect.command("eval")
    def eval_cmd(
        model_dir: Path = typer.Argument(..., help="model directory"),
        good: Path = typer.Option(..., "--good", help="folder of defect-free images"),
        defect: list[Path] = typer.Option(..., "--defect", help="folder of defect images; repeat"),
        backend: str = typer.Option("torch", help="torch, onnxruntime or tensorrt"),
        bootstrap: int = typer.Option(500, min=10, help="bootstrap rounds for the intervals"),
        as_json: bool = typer.Option(False, "--json", help="print JSON"),
    ) -> None:
        """Image AUROC, recall at 5% and 1% false alarms, best F1, pixel AUROC (with masks)."""
        import torch

        from inspection.evaluate import evaluate
        from inspection.images import list_images
        from inspection.modeldir import read_manifest

        torch.set_num_threads(2)
        manifest = read_manifest(model_dir)
        runner = _backend(backend, model_dir)
        total = len(list_images(good)) + sum(len(list_images(d)) for d in defect)
        with _progress() as bar:
            task = bar.add_task("scoring", total=total)
            result = evaluate(
                runner,
                manifest.input_size,
                good,
                defect,
                rounds=bootstrap,
                progress=lambda n: bar.update(task, advance=n),
            )
        if as_json:
            typer.echo(json.dumps(result, indent=2))
            return
        ci = result["intervals_95"]
        for key in ("image_auroc", "recall_at_5pct_fpr", "recall_at_1pct_fpr", "best_f1"):
            lo, hi = ci[key]  # type: ignore[index]
            typer.echo(f"{key:20s} {result[key]:.3f}  (95% CI {lo:.3f} - {hi:.3f})")
        if result["pixel_auroc"] is not None:
            masked = result["masked_images"]
            typer.echo(f"pixel_auroc          {result['pixel_auroc']:.3f} ({masked} masks)")
        typer.echo(f"{result['good_images']} good, {result['defect_images']} defect images")

    @inspect.command("export")
    def export_cmd(model_dir: Path = typer.Argument(..., help="model directory")) -> None:
        """Write model.onnx, and a TensorRT engine where TensorRT and a GPU exist."""
        import torch

        from inspection.export import export_onnx, export_tensorrt

        torch.set_num_threads(2)
        typer.echo(f"ONNX: {export_onnx(model_dir)}")
        engine = export_tensorrt(model_dir)
        if engine is None:
            from inspection.backends.tensorrt import available

            typer.echo(f"TensorRT: skipped ({available()})")
        else:
            typer.echo(f"TensorRT: {engine}")

    @inspect.command("synth")
    def synth_cmd(
        good_dir: Path = typer.Argument(..., help="folder of defect-free fabric images"),
        out: Path = typer.Option(..., "--out", help="folder for defect images (masks in masks/)"),
        count: int = typer.Option(50, min=1, help="images to make"),
        kind: list[str] = typer.Option(
            [], "--kind", help="hole, stain, broken_yarn, slub, oil_spot"
        ),
        seed: int = typer.Option(0, help="random seed"),
    ) -> None:
        """Paint synthetic defects with masks on good fabric (commissioning, pixel metrics)."""
        from inspection.synthetic_set import write_synthetic_set

        with _progress() as bar:
            task = bar.add_task("painting", total=count)
            written = write_synthetic_set(
                good_dir, out, count, kind or None, seed, lambda d, t: bar.update(task, completed=d)
            )
        typer.echo(f"{len(written)} images with masks in {out}")

    app.add_typer(inspect, name="inspect")
