"""ONNX Runtime backend: CPU everywhere, CUDA where the provider and a GPU exist."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel, Field

from core.errors import InputError
from inspection.backends.base import Detections, InferenceBackend

log = logging.getLogger(__name__)

DETECTOR_KEY = "onnxruntime"


class OnnxRuntimeConfig(BaseModel):
    type: Literal["onnxruntime"] = Field(default="onnxruntime", description="backend key")
    threads: int = Field(
        default=2, ge=1, description="intra-op threads (the edge PC has few cores)"
    )
    cuda: bool = Field(default=True, description="use the CUDA provider when it is available")


class OnnxRuntimeBackend(InferenceBackend):
    key = DETECTOR_KEY

    def __init__(self, config: OnnxRuntimeConfig, model_dir: Path) -> None:
        import onnxruntime as ort

        from inspection.modeldir import ONNX

        path = Path(model_dir) / ONNX
        if not path.exists():
            raise InputError(f"{path}: no ONNX model; run `atelier inspect export {model_dir}`")
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = config.threads
        opts.inter_op_num_threads = 1
        # the graph is one chain of ops: parallel execution of branches would buy nothing
        opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        providers = ["CPUExecutionProvider"]
        if config.cuda and "CUDAExecutionProvider" in ort.get_available_providers():
            providers.insert(0, "CUDAExecutionProvider")
        self.session = ort.InferenceSession(str(path), opts, providers=providers)
        self.input_name = self.session.get_inputs()[0].name
        log.info("onnxruntime session on %s", self.session.get_providers()[0])

    def infer(self, batch: np.ndarray) -> Detections:
        x = np.ascontiguousarray(batch, dtype=np.float32)
        score, heat, logits = self.session.run(None, {self.input_name: x})
        return Detections(score, heat, logits)
