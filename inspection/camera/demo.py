"""Demo camera for `atelier up`: real fabric photos, some with real stains, some with synthetic
defects painted on, as an endless stream of frames."""

from __future__ import annotations

import logging

import cv2
import numpy as np

from inspection.camera.sources import DemoSourceConfig, FrameSource
from inspection.fabric_stain import DATA_DIR
from inspection.images import read_image
from inspection.synthetic import KINDS, make_defect

log = logging.getLogger(__name__)


class DemoSource(FrameSource):
    name = "demo"

    def __init__(self, config: DemoSourceConfig) -> None:
        self.config = config
        self.rng = np.random.default_rng(config.seed)
        self.good = sorted((DATA_DIR / "images" / "defect_free").glob("[0-9]*.jpg"))
        self.good = [p for p in self.good if "_" not in p.stem]
        self.stained = sorted((DATA_DIR / "images" / "stain").glob("*.jpg"))
        self.last_truth: str = "good"  # what the latest frame shows, for demos and checks

    def read(self) -> np.ndarray | None:
        size = (self.config.width, self.config.height)
        roll = self.rng.random()
        if roll < self.config.defect_rate / 2:
            path = self.stained[self.rng.integers(len(self.stained))]
            self.last_truth = "stain"
            return cv2.resize(read_image(path), size, interpolation=cv2.INTER_LINEAR)
        frame = cv2.resize(
            read_image(self.good[self.rng.integers(len(self.good))]),
            size,
            interpolation=cv2.INTER_LINEAR,
        )
        if roll < self.config.defect_rate:
            kind = list(KINDS)[self.rng.integers(len(KINDS))]
            self.last_truth = kind
            return make_defect(frame, kind, self.rng).image
        self.last_truth = "good"
        return frame
