"""Motion and fabric-present gating: still or empty frames are not sent to the model."""

from __future__ import annotations

import cv2
import numpy as np
from pydantic import BaseModel, Field

SMALL = (64, 36)  # gating looks at a thumbnail; the decision does not need full resolution


class GateConfig(BaseModel):
    motion_threshold: float = Field(
        default=2.0,
        ge=0,
        description="mean absolute grey change (0..255) vs the last inferred frame",
    )
    min_texture: float = Field(
        default=1.0,
        ge=0,
        description="grey standard deviation below which the table is taken as empty",
    )
    min_brightness: float = Field(
        default=15.0, ge=0, description="mean grey below which the view is dark"
    )


class Gate:
    """Says whether a frame is worth inferring; remembers the last frame that was."""

    def __init__(self, config: GateConfig) -> None:
        self.config = config
        self._last: np.ndarray | None = None

    def check(self, frame: np.ndarray) -> str | None:
        """None to infer, or the reason to skip: 'empty' or 'still'."""
        small = cv2.resize(
            cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY), SMALL, interpolation=cv2.INTER_AREA
        )
        small = small.astype(np.float32)
        if small.mean() < self.config.min_brightness or small.std() < self.config.min_texture:
            return "empty"
        if self._last is not None:
            if float(np.abs(small - self._last).mean()) < self.config.motion_threshold:
                return "still"
        self._last = small
        return None
