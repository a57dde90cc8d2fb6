"""TensorRT backend (TensorRT 10/11 Python API) for edge PCs and nodes with an NVIDIA GPU.

The engine is built from the model directory's ONNX with an optimisation profile over the batch
size and a persistent timing cache, and cached per GPU model and TensorRT version, since an
engine only runs on the GPU and TensorRT release it was built for. Buffers and the CUDA stream
come from torch (CUDA build), which the GPU nodes carry anyway.
"""

from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel, Field

from core.errors import ConfigError, InputError
from inspection.backends.base import Detections, InferenceBackend

log = logging.getLogger(__name__)

DETECTOR_KEY = "tensorrt"
OUTPUTS = ("score", "heat", "class_logits")


class TensorRTConfig(BaseModel):
    type: Literal["tensorrt"] = Field(default="tensorrt", description="backend key")
    device: int = Field(default=0, ge=0, description="CUDA device index")
    max_batch: int = Field(default=8, ge=1, description="largest batch of the optimisation profile")
    opt_batch: int = Field(default=8, ge=1, description="batch size the engine is tuned for")
    fp16: bool = Field(
        default=True, description="allow FP16 kernels (scores checked against torch)"
    )
    workspace_mb: int = Field(default=1024, ge=64, description="builder workspace memory limit")


def available() -> str | None:
    """None when TensorRT can run here, else the reason it cannot."""
    try:
        import tensorrt  # noqa: F401
    except ImportError:
        return "the tensorrt Python package is not installed"
    try:
        import torch
    except ImportError:
        return "torch is not installed"
    if not torch.cuda.is_available():
        return "no CUDA GPU is visible to torch"
    return None


def engine_path(model_dir: Path, onnx_bytes: bytes, config: TensorRTConfig) -> Path:
    """Engine file keyed by GPU model, TensorRT version, batch profile and the ONNX content."""
    import tensorrt as trt
    import torch

    gpu = re.sub(r"[^A-Za-z0-9]+", "-", torch.cuda.get_device_name(config.device)).strip("-")
    digest = hashlib.sha256(onnx_bytes).hexdigest()[:12]
    precision = "fp16" if config.fp16 else "fp32"
    name = f"{gpu}-trt{trt.__version__}-b{config.max_batch}-{precision}-{digest}.engine"
    return Path(model_dir) / "tensorrt" / name


def build_engine(
    onnx_bytes: bytes, input_size: int, config: TensorRTConfig, cache_dir: Path
) -> bytes:
    """Serialized engine from ONNX, reusing and updating the timing cache in `cache_dir`."""
    import tensorrt as trt

    logger = trt.Logger(trt.Logger.WARNING)
    builder = trt.Builder(logger)
    network = builder.create_network(0)  # explicit batch is the only mode in TensorRT 10+
    parser = trt.OnnxParser(network, logger)
    if not parser.parse(onnx_bytes):
        errors = "; ".join(str(parser.get_error(i)) for i in range(parser.num_errors))
        raise InputError(f"TensorRT cannot parse the ONNX model: {errors}")
    builder_config = builder.create_builder_config()
    builder_config.set_memory_pool_limit(trt.MemoryPoolType.WORKSPACE, config.workspace_mb << 20)
    if config.fp16:
        builder_config.set_flag(trt.BuilderFlag.FP16)
    profile = builder.create_optimization_profile()
    name = network.get_input(0).name
    shape = (3, input_size, input_size)
    profile.set_shape(name, (1, *shape), (config.opt_batch, *shape), (config.max_batch, *shape))
    builder_config.add_optimization_profile(profile)
    timing_file = cache_dir / "timing.cache"
    timing = builder_config.create_timing_cache(
        timing_file.read_bytes() if timing_file.exists() else b""
    )
    builder_config.set_timing_cache(timing, ignore_mismatch=False)
    serialized = builder.build_serialized_network(network, builder_config)
    if serialized is None:
        raise InputError("TensorRT failed to build an engine from the ONNX model")
    cache_dir.mkdir(parents=True, exist_ok=True)
    timing_file.write_bytes(memoryview(builder_config.get_timing_cache().serialize()))
    return bytes(serialized)


class TensorRTBackend(InferenceBackend):
    key = DETECTOR_KEY

    def __init__(self, config: TensorRTConfig, model_dir: Path) -> None:
        reason = available()
        if reason:
            raise ConfigError(f"inference backend 'tensorrt' cannot run here: {reason}")
        import tensorrt as trt
        import torch

        from inspection.modeldir import ONNX, read_manifest

        self._torch = torch
        self.config = config
        self.input_size = read_manifest(model_dir).input_size
        onnx_path = Path(model_dir) / ONNX
        if not onnx_path.exists():
            raise InputError(
                f"{onnx_path}: no ONNX model; run `atelier inspect export {model_dir}`"
            )
        onnx_bytes = onnx_path.read_bytes()
        torch.cuda.set_device(config.device)
        path = engine_path(model_dir, onnx_bytes, config)
        if path.exists():
            serialized = path.read_bytes()
        else:
            log.info("building TensorRT engine %s (minutes, once per GPU model)", path.name)
            serialized = build_engine(onnx_bytes, self.input_size, config, path.parent)
            path.write_bytes(serialized)
        self.runtime = trt.Runtime(trt.Logger(trt.Logger.WARNING))
        self.engine = self.runtime.deserialize_cuda_engine(serialized)
        self.context = self.engine.create_execution_context()
        names = [self.engine.get_tensor_name(i) for i in range(self.engine.num_io_tensors)]
        self.input_name = next(
            n for n in names if self.engine.get_tensor_mode(n) == trt.TensorIOMode.INPUT
        )
        self.output_names = [n for n in names if n != self.input_name]
        self.stream = torch.cuda.Stream(device=config.device)

    def infer(self, batch: np.ndarray) -> Detections:
        torch = self._torch
        results: dict[str, list[np.ndarray]] = {}
        for start in range(0, len(batch), self.config.max_batch):
            part = np.ascontiguousarray(batch[start : start + self.config.max_batch], np.float32)
            x = torch.from_numpy(part).cuda(self.config.device, non_blocking=False)
            self.context.set_input_shape(self.input_name, tuple(x.shape))
            self.context.set_tensor_address(self.input_name, x.data_ptr())
            outs = {}
            for name in self.output_names:
                shape = tuple(self.context.get_tensor_shape(name))
                outs[name] = torch.empty(shape, dtype=torch.float32, device=x.device)
                self.context.set_tensor_address(name, outs[name].data_ptr())
            if not self.context.execute_async_v3(self.stream.cuda_stream):
                raise InputError("TensorRT execution failed")
            self.stream.synchronize()
            for name, t in outs.items():
                results.setdefault(name, []).append(t.cpu().numpy())
        merged = {n: np.concatenate(v) for n, v in results.items()}
        return Detections(*(merged[n] for n in OUTPUTS))
