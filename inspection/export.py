"""Export a model directory to ONNX (and a TensorRT engine where TensorRT and a GPU exist)."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

import numpy as np
import torch

from inspection import modeldir

log = logging.getLogger(__name__)

OPSET = 17


def export_onnx(model_dir: Path) -> Path:
    """Write MODEL_DIR/model.onnx with a dynamic batch axis; returns its path."""
    model, manifest = modeldir.load(model_dir)
    size = manifest.input_size
    dummy = torch.rand(1, 3, size, size)
    out = Path(model_dir) / modeldir.ONNX
    tmp = out.with_suffix(".onnx.tmp")
    with warnings.catch_warnings():
        # the fixed input size turns the 'SAME' padding arithmetic into constants, as intended
        warnings.simplefilter("ignore", category=torch.jit.TracerWarning)
        warnings.simplefilter("ignore", category=DeprecationWarning)
        torch.onnx.export(
            model,
            (dummy,),
            str(tmp),
            dynamo=False,  # the dynamo exporter needs onnxscript, which the edge does not carry
            input_names=["image"],
            output_names=["score", "heat", "class_logits"],
            dynamic_axes={
                "image": {0: "batch"},
                "score": {0: "batch"},
                "heat": {0: "batch"},
                "class_logits": {0: "batch"},
            },
            opset_version=OPSET,
        )
    tmp.replace(out)
    log.info("exported %s", out)
    return out


def export_tensorrt(model_dir: Path) -> Path | None:
    """Build and cache the TensorRT engine; None (with the reason logged) where it cannot run."""
    from inspection.backends.tensorrt import TensorRTBackend, TensorRTConfig, available, engine_path

    reason = available()
    if reason:
        log.info("no TensorRT engine built: %s", reason)
        return None
    config = TensorRTConfig()
    backend = TensorRTBackend(config, model_dir)
    size = modeldir.read_manifest(model_dir).input_size
    backend.infer(np.zeros((1, 3, size, size), np.float32))
    return engine_path(model_dir, (Path(model_dir) / modeldir.ONNX).read_bytes(), config)
