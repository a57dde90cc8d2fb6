"""A tiny real model shared by the inspection tests: 16 good images, 6 stains, 6 synthetic holes."""

from __future__ import annotations

import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch

from inspection.fabric_stain import DATA_DIR
from inspection.images import read_image
from inspection.synthetic import make_defect

GOOD = DATA_DIR / "images" / "defect_free"
STAIN = DATA_DIR / "images" / "stain"


@pytest.fixture(scope="session")
def tiny_data(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("fabric")
    for sub in ("good", "stain", "hole"):
        (root / sub).mkdir()
    for i in range(1, 9):
        for name in (f"{i}.jpg", f"{i}_0.jpg"):
            shutil.copy(GOOD / name, root / "good" / name)
    for i in range(1, 7):
        shutil.copy(STAIN / f"{i}.jpg", root / "stain" / f"{i}.jpg")
    rng = np.random.default_rng(0)
    for i in range(20, 26):
        d = make_defect(read_image(GOOD / f"{i}.jpg"), "hole", rng)
        cv2.imwrite(str(root / "hole" / f"{i}.png"), cv2.cvtColor(d.image, cv2.COLOR_RGB2BGR))
    return root


@pytest.fixture(scope="session")
def tiny_model(tiny_data, tmp_path_factory) -> Path:
    """Trained and exported to ONNX once per session (about 20 s on 2 idle cores)."""
    from inspection.export import export_onnx
    from inspection.train import TrainOptions, train

    torch.set_num_threads(2)
    out = tmp_path_factory.mktemp("model") / "m"
    opts = TrainOptions(bank_size=256, views=2, inner_folds=2, tta_views=2)  # exports rot90
    train(
        tiny_data / "good",
        [tiny_data / "stain", tiny_data / "hole"],
        out,
        opts,
        cache_dir=tmp_path_factory.mktemp("cache"),
    )
    export_onnx(out)
    return out
