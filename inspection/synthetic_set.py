"""Writing a folder of synthetic defects (images plus masks/) from a folder of good fabric."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from core.errors import InputError
from inspection.evaluate import MASK_DIR
from inspection.images import list_images, read_image
from inspection.synthetic import KINDS, make_defect

log = logging.getLogger(__name__)


def write_synthetic_set(
    good_dir: Path,
    out: Path,
    count: int,
    kinds: list[str] | None = None,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> list[Path]:
    """`count` defect images under out/, masks under out/masks/, kinds taken in turn."""
    kinds = kinds or list(KINDS)
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise InputError(f"unknown defect kinds {unknown}; known: {', '.join(KINDS)}")
    sources = list_images(good_dir)
    rng = np.random.default_rng(seed)
    (out / MASK_DIR).mkdir(parents=True, exist_ok=True)
    written = []
    for i in range(count):
        kind = kinds[i % len(kinds)]
        src = sources[int(rng.integers(len(sources)))]
        defect = make_defect(read_image(src), kind, rng)
        name = f"{i:05d}-{kind}-{src.stem}"
        cv2.imwrite(str(out / f"{name}.png"), cv2.cvtColor(defect.image, cv2.COLOR_RGB2BGR))
        cv2.imwrite(str(out / MASK_DIR / f"{name}.png"), defect.mask)
        written.append(out / f"{name}.png")
        if progress:
            progress(i + 1, count)
    return written
