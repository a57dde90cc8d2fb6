"""Torch eager backend: the reference every other backend is checked against."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel, Field

from inspection.backends.base import Detections, InferenceBackend

log = logging.getLogger(__name__)

DETECTOR_KEY = "torch"


class TorchConfig(BaseModel):
    type: Literal["torch"] = Field(default="torch", description="backend key")
    threads: int = Field(default=2, ge=1, description="torch intra-op threads")
    device: str = Field(default="cpu", description="torch device, e.g. cpu or cuda:0")


class TorchBackend(InferenceBackend):
    key = DETECTOR_KEY

    def __init__(self, config: TorchConfig, model_dir: Path) -> None:
        import torch

        from inspection import modeldir

        torch.set_num_threads(config.threads)
        self._torch = torch
        self.device = torch.device(config.device)
        model, _ = modeldir.load(model_dir)
        self.model = model.to(self.device)

    def infer(self, batch: np.ndarray) -> Detections:
        with self._torch.inference_mode():
            x = self._torch.from_numpy(np.ascontiguousarray(batch, dtype=np.float32))
            score, heat, logits = self.model(x.to(self.device))
        return Detections(score.cpu().numpy(), heat.cpu().numpy(), logits.cpu().numpy())
