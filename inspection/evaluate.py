"""Evaluating a model directory on folders of good and defect images."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from core.errors import InputError
from inspection.backends import InferenceBackend
from inspection.features import to_tensor
from inspection.images import list_images, read_image
from inspection.metrics import bootstrap, image_metrics, pixel_auroc

log = logging.getLogger(__name__)

MASK_DIR = "masks"  # a defect folder may hold masks/<image stem>.png, 255 on defect pixels


def score_folder(
    backend: InferenceBackend,
    folder: Path,
    size: int,
    batch: int = 8,
    progress: Callable[[int], None] | None = None,
) -> tuple[list[Path], np.ndarray, list[np.ndarray]]:
    """Scores and heat maps (at model input size) of every image in the folder."""
    paths = list_images(folder)
    scores: list[np.ndarray] = []
    heats: list[np.ndarray] = []
    for s in range(0, len(paths), batch):
        imgs = [read_image(p) for p in paths[s : s + batch]]
        out = backend.infer(to_tensor(imgs, size).numpy())
        scores.append(out.scores)
        heats.extend(out.heat)
        if progress:
            progress(len(imgs))
    return paths, np.concatenate(scores), heats


def evaluate(
    backend: InferenceBackend,
    size: int,
    good_dir: Path,
    defect_dirs: list[Path],
    rounds: int = 500,
    progress: Callable[[int], None] | None = None,
) -> dict[str, object]:
    """Image metrics with 95% bootstrap intervals, and pixel AUROC where masks exist."""
    _, good, _ = score_folder(backend, good_dir, size, progress=progress)
    bad_scores, masks, mask_heats = [], [], []
    for d in defect_dirs:
        paths, scores, heats = score_folder(backend, d, size, progress=progress)
        bad_scores.append(scores)
        for p, h in zip(paths, heats, strict=True):
            mask_path = d / MASK_DIR / f"{p.stem}.png"
            if mask_path.exists():
                m = cv2.imread(str(mask_path), cv2.IMREAD_GRAYSCALE)
                if m is None:
                    raise InputError(f"{mask_path}: not a readable mask image")
                masks.append(cv2.resize(m, (size, size), interpolation=cv2.INTER_NEAREST))
                mask_heats.append(h)
    bad = np.concatenate(bad_scores)
    labels = np.concatenate([np.zeros(len(good), int), np.ones(len(bad), int)])
    scores = np.concatenate([good, bad])
    result: dict[str, object] = dict(image_metrics(labels, scores))
    result["intervals_95"] = {
        k: list(v) for k, v in bootstrap(labels, scores, rounds=rounds).items()
    }
    result["pixel_auroc"] = pixel_auroc(masks, mask_heats) if masks else None
    result["good_images"] = int(len(good))
    result["defect_images"] = int(len(bad))
    result["masked_images"] = len(masks)
    return result
