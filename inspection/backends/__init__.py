"""Inference backends, one small file each, chosen by the `type` key of the config.

A backend whose library is missing is still configurable; creating it raises a ConfigError that
says what is missing, and `usable_backends()` lists what runs here (logged, never a crash).
"""

from __future__ import annotations

import importlib
import logging
from pathlib import Path
from typing import Annotated

from pydantic import Field

from core.errors import ConfigError
from inspection.backends.base import Detections, InferenceBackend
from inspection.backends.onnxruntime import OnnxRuntimeBackend, OnnxRuntimeConfig
from inspection.backends.tensorrt import TensorRTBackend, TensorRTConfig
from inspection.backends.torch import TorchBackend, TorchConfig

log = logging.getLogger(__name__)

BackendConfig = Annotated[
    TorchConfig | OnnxRuntimeConfig | TensorRTConfig, Field(discriminator="type")
]

BACKENDS: dict[str, tuple[type[InferenceBackend], str]] = {
    "torch": (TorchBackend, "torch"),
    "onnxruntime": (OnnxRuntimeBackend, "onnxruntime"),
    "tensorrt": (TensorRTBackend, "tensorrt"),
}


def usable_backends() -> list[str]:
    """Backend keys whose library imports here."""
    keys = []
    for key, (_, module) in BACKENDS.items():
        try:
            importlib.import_module(module)
            keys.append(key)
        except ImportError:
            log.info("inference backend %s skipped: %s is not installed", key, module)
    return keys


def create_backend(
    config: TorchConfig | OnnxRuntimeConfig | TensorRTConfig, model_dir: Path
) -> InferenceBackend:
    cls, module = BACKENDS[config.type]
    try:
        importlib.import_module(module)
    except ImportError as exc:
        raise ConfigError(
            f"inference backend {config.type!r} needs the {module} package: {exc}"
        ) from exc
    return cls(config, model_dir)  # type: ignore[call-arg]


__all__ = [
    "BackendConfig",
    "Detections",
    "InferenceBackend",
    "OnnxRuntimeConfig",
    "TensorRTConfig",
    "TorchConfig",
    "create_backend",
    "usable_backends",
]
