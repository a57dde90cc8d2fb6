"""Speed of the model (torch eager vs onnxruntime) and of the whole camera pipeline."""

from __future__ import annotations

import logging
import os
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import cv2
import numpy as np

from inspection.fabric_stain import DATA_DIR
from inspection.images import check_frame, read_image
from inspection.modeldir import read_manifest

log = logging.getLogger(__name__)

FRAME_W, FRAME_H = 1920, 1080


def good_images(n: int) -> list[Path]:
    return originals("defect_free", n)


def originals(kind: str, n: int) -> list[Path]:
    paths = sorted((DATA_DIR / "images" / kind).glob("*.jpg"))
    return [p for p in paths if "_" not in p.stem][:n]


def build_bench_model(out: Path, progress: Callable[[str, int, int], None] | None = None) -> Path:
    """The default model, at production size, as `atelier inspect train GOOD --defects STAIN`
    builds it (memory bank, supervised head, its test-time views), exported to ONNX. Trained
    on 32 good images and 16 stains: inference cost depends on the options, not on the data.
    Only the training augmentation is cut to 1 view to save time; it costs nothing at run time.
    """
    import shutil

    from inspection.export import export_onnx
    from inspection.train import TrainOptions, train

    folders = {"good": good_images(32), "stain": originals("stain", 16)}
    for name, paths in folders.items():
        (out / name).mkdir(parents=True, exist_ok=True)
        for p in paths:
            shutil.copy(p, out / name / p.name)
    model_dir = out / "model"
    opts = TrainOptions(views=1)
    train(
        out / "good", [out / "stain"], model_dir, opts, progress=progress, cache_dir=out / "cache"
    )
    export_onnx(model_dir)
    return model_dir


def time_calls(fn: Callable[[], object], repeats: int, warmup: int = 3) -> np.ndarray:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return np.array(times) * 1000.0


def fabric_frame(seed: int = 0) -> np.ndarray:
    """A 1920x1080 frame of real fabric: a mosaic of defect-free photos upscaled 2x."""
    rng = np.random.default_rng(seed)
    tiles = [cv2.resize(read_image(p), (448, 448)) for p in good_images(32)]
    rows = []
    for _ in range(3):
        rows.append(
            np.concatenate([tiles[int(rng.integers(len(tiles)))] for _ in range(5)], axis=1)
        )
    return np.ascontiguousarray(np.concatenate(rows, axis=0)[:FRAME_H, :FRAME_W])


def run(repeats: int = 30, frames: int = 6, progress: Callable[[str], None] | None = None) -> dict:
    """Latency per batch at batch 1 and 8 for both backends, and pipeline throughput."""
    import torch

    from inspection.backends import OnnxRuntimeConfig, TorchConfig, create_backend
    from inspection.camera.gating import Gate, GateConfig
    from inspection.camera.pipeline import CameraConfig, CameraPipeline
    from inspection.camera.sources import DemoSourceConfig
    from inspection.camera.tiling import tile_boxes

    torch.set_num_threads(2)
    result: dict[str, float | int | str] = {"load_avg_1min_start": round(os.getloadavg()[0], 2)}
    with tempfile.TemporaryDirectory(prefix="atelier-bench-") as tmp:
        if progress:
            progress("building the bench model")
        model_dir = build_bench_model(Path(tmp))
        manifest = read_manifest(model_dir)
        result["model_tta_views"] = manifest.tta_views
        result["model_bank_size"] = manifest.bank_size
        backends = {
            "torch_eager": create_backend(TorchConfig(threads=2), model_dir),
            "onnxruntime": create_backend(OnnxRuntimeConfig(threads=2, cuda=False), model_dir),
        }
        imgs = np.stack([cv2.resize(read_image(p), (224, 224)) for p in good_images(8)])
        x8 = imgs.transpose(0, 3, 1, 2).astype(np.float32) / 255.0
        for name, backend in backends.items():
            for b in (1, 8):
                if progress:
                    progress(f"{name} batch {b}")
                batch = x8[:b]
                ms = time_calls(partial(backend.infer, batch), repeats)
                suffix = "" if b == 1 else "_b8"
                result[f"{name}_ms_p50{suffix}"] = round(float(np.percentile(ms, 50)), 2)
                result[f"{name}_ms_p99{suffix}"] = round(float(np.percentile(ms, 99)), 2)
                result[f"{name}_images_per_s{suffix}"] = round(b * 1000 / float(np.median(ms)), 1)
        result["onnxruntime_speedup_b1"] = round(
            float(result["torch_eager_ms_p50"]) / float(result["onnxruntime_ms_p50"]), 2
        )
        result["onnxruntime_speedup_b8"] = round(
            float(result["torch_eager_ms_p50_b8"]) / float(result["onnxruntime_ms_p50_b8"]), 2
        )
        if progress:
            progress("pipeline on 1920x1080 frames")
        encoded = [
            cv2.imencode(".jpg", cv2.cvtColor(fabric_frame(s), cv2.COLOR_RGB2BGR))[1]
            for s in range(frames)
        ]
        config = CameraConfig(
            name="bench",
            line="bench",
            source=DemoSourceConfig(),
            model_dir=model_dir,
            image_dir=Path(tmp) / "images",
        )
        pipe = CameraPipeline(config, emit=lambda e: None, backend=backends["onnxruntime"])
        gate = Gate(GateConfig(motion_threshold=0.0))
        pipe.process_frame(check_frame(cv2.imdecode(encoded[0], cv2.IMREAD_COLOR), "bench"))
        model_s = total_s = 0.0
        for buf in encoded:
            t0 = time.perf_counter()
            frame = check_frame(cv2.imdecode(buf, cv2.IMREAD_COLOR), "bench")
            gate.check(frame)
            res = pipe.process_frame(frame)
            total_s += time.perf_counter() - t0
            model_s += res.model_s
        result["pipeline_frames"] = frames
        boxes = tile_boxes(FRAME_H, FRAME_W, pipe.tile, config.overlap)
        result["pipeline_tiles_per_frame"] = len(boxes)
        result["pipeline_mp_per_s"] = round(frames * FRAME_W * FRAME_H / 1e6 / total_s, 2)
        result["pipeline_ms_per_frame"] = round(total_s / frames * 1000, 1)
        result["pipeline_overhead_pct"] = round(100 * (total_s - model_s) / model_s, 1)
    result["load_avg_1min_end"] = round(os.getloadavg()[0], 2)
    return result
