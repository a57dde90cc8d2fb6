"""A defect's camera image with its heat map laid over it and its region boxed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, UnidentifiedImageError

from core.errors import InputError
from core.settings import atelier_home
from hmi.quality.defects import Defect

_HEAT_ALPHA = 0.45


def _open(relative: str, what: str, defect_id: int) -> Image.Image:
    home = Path(atelier_home()).resolve()
    path = (home / relative).resolve()
    if not path.is_relative_to(home):
        # Paths come from the lines' events; never read outside Atelier's home.
        raise InputError(f"defect {defect_id}: {what} path {relative!r} leaves Atelier's home")
    try:
        with Image.open(path) as img:
            img.load()
            return img
    except FileNotFoundError:
        raise InputError(f"defect {defect_id}: {what} {path} is missing") from None
    except (UnidentifiedImageError, OSError) as exc:
        raise InputError(f"defect {defect_id}: {what} {path} cannot be read: {exc}") from None


def _heat_colours(heat: np.ndarray) -> np.ndarray:
    """Map 0..1 to transparent-to-red: a heat map is an abnormal state, so it may be coloured."""
    rgb = np.zeros((*heat.shape, 3), dtype=np.float32)
    rgb[..., 0] = 1.0
    rgb[..., 1] = np.clip(1.0 - 2 * heat, 0, 1) * 0.6
    return rgb


def overlay(defect: Defect) -> Image.Image:
    """The image (paths relative to Atelier's home) with the heat map and the region box."""
    image = _open(defect.image_path, "image", defect.id).convert("RGB")
    base = np.asarray(image, dtype=np.float32) / 255.0
    if defect.heatmap_path:
        heat_img = _open(defect.heatmap_path, "heat map", defect.id).convert("L")
        heat_img = heat_img.resize(image.size, Image.Resampling.BILINEAR)
        heat = np.asarray(heat_img, dtype=np.float32) / 255.0
        alpha = (_HEAT_ALPHA * heat)[..., None]
        base = base * (1 - alpha) + _heat_colours(heat) * alpha
    out = Image.fromarray((base * 255).round().astype(np.uint8))
    x, y, w, h = defect.box
    ImageDraw.Draw(out).rectangle([x, y, x + w - 1, y + h - 1], outline=(198, 40, 40), width=3)
    return out
