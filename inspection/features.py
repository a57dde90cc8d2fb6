"""Running the feature extractor over image files, in batches, with progress and a disk cache."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from pathlib import Path

import cv2
import numpy as np
import torch

from inspection.images import read_image

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


def to_tensor(images: Sequence[np.ndarray], size: int) -> torch.Tensor:
    """RGB uint8 images to a float batch in [0, 1], resized to size x size."""
    batch = np.stack(
        [
            img
            if img.shape[:2] == (size, size)
            else cv2.resize(img, (size, size), interpolation=cv2.INTER_AREA)
            for img in images
        ]
    )
    return torch.from_numpy(batch).permute(0, 3, 1, 2).float().div_(255.0)


def dihedral(img: np.ndarray, k: int) -> np.ndarray:
    """The k-th of the 8 flips and quarter turns; fabric has no preferred orientation."""
    out = np.rot90(img, k % 4)
    if k >= 4:
        out = out[:, ::-1]
    return np.ascontiguousarray(out)


@torch.inference_mode()
def extract(
    extractor: torch.nn.Module,
    images: Sequence[np.ndarray],
    size: int,
    batch: int = 16,
    progress: Progress | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Patch features (N, D, h, w) as float16 and pooled descriptors (N, P) as float32."""
    patches, pooled = [], []
    for start in range(0, len(images), batch):
        p, g = extractor(to_tensor(images[start : start + batch], size))
        patches.append(p.numpy().astype(np.float16))
        pooled.append(g.numpy())
        if progress:
            progress(min(start + batch, len(images)), len(images))
    return np.concatenate(patches), np.concatenate(pooled)


def cached_extract(
    extractor: torch.nn.Module,
    paths: Sequence[Path],
    size: int,
    views: int,
    cache_dir: Path,
    progress: Progress | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Patch features of the upright view and pooled descriptors of `views` dihedral views,
    cached on disk under a key of the file contents, so experiments rerun in seconds."""
    key = hashlib.sha256()
    for p in paths:
        key.update(hashlib.sha256(Path(p).read_bytes()).digest())
    key.update(f"{size}/{views}".encode())
    cache = cache_dir / f"features-{key.hexdigest()[:16]}.npz"
    if cache.exists():
        data = np.load(cache)
        return data["patches"], data["pooled"]
    images = [read_image(p) for p in paths]
    total = len(images) * views
    done = 0

    def step(n: int, _total: int) -> None:
        if progress:
            progress(done + n, total)

    patches, pooled0 = extract(extractor, images, size, progress=step)
    pooled = [pooled0]
    for k in range(1, views):
        done = k * len(images)
        _, g = extract(extractor, [dihedral(i, k) for i in images], size, progress=step)
        pooled.append(g)
    pooled_all = np.stack(pooled, axis=1)
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_suffix(".tmp.npz")
    np.savez(tmp, patches=patches, pooled=pooled_all)
    tmp.replace(cache)
    return patches, pooled_all
