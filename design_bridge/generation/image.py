"""Procedural print and colourway swatches (PNG) from the trend palette, with numpy and PIL."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from core.errors import InputError
from design_bridge.generation.options import COLOURS, PRINTS


def swatch(ground: str, accent: str, print_name: str, size: int = 256, seed: int = 0) -> np.ndarray:
    """An RGB uint8 swatch: the print in accent over the ground, with a faint woven texture."""
    for colour in (ground, accent):
        if colour not in COLOURS:
            raise InputError(f"unknown colour {colour!r}; expected one of {', '.join(COLOURS)}")
    if print_name not in PRINTS:
        raise InputError(f"unknown print {print_name!r}; expected one of {', '.join(PRINTS)}")
    if size < 16:
        raise InputError(f"swatch size must be at least 16 px, got {size}")
    y, x = np.mgrid[0:size, 0:size]
    repeat = max(size // 8, 2)
    if print_name == "solid":
        mask = np.zeros((size, size), dtype=bool)
    elif print_name == "stripe":
        mask = (x % repeat) < repeat // 3
    elif print_name == "check":
        mask = ((x % repeat) < repeat // 3) | ((y % repeat) < repeat // 3)
    else:
        cx = (x % repeat) - repeat / 2
        cy = (y % repeat) - repeat / 2
        mask = cx**2 + cy**2 < (repeat / 4) ** 2
    image = np.where(mask[..., None], COLOURS[accent], COLOURS[ground]).astype(np.float32)
    # Alternating warp/weft shading reads as cloth rather than flat paint.
    weave = ((x + y) % 2) * 6.0 - 3.0
    noise = np.random.default_rng(seed).normal(0.0, 2.0, (size, size))
    image += (weave + noise)[..., None]
    return np.clip(image, 0, 255).astype(np.uint8)


def write_swatch(
    path: Path | str, ground: str, accent: str, print_name: str, size: int = 256
) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(swatch(ground, accent, print_name, size)).save(path, format="PNG")
    return path
