"""What every inference backend returns, and the base it implements (Frigate's detector shape)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np


@dataclass
class Detections:
    """Model output for a batch, the same whichever backend produced it."""

    scores: np.ndarray  # (B,) defect probability in [0, 1]
    heat: np.ndarray  # (B, H, W) patch anomaly in good-fabric standard deviations
    class_logits: np.ndarray  # (B, C); C may be 0


class InferenceBackend(ABC):
    """Runs one model directory's network on batches of float32 (B, 3, S, S) in [0, 1]."""

    key: str

    @abstractmethod
    def infer(self, batch: np.ndarray) -> Detections: ...
