"""Synthetic defects painted on real defect-free fabric, each with its pixel mask.

For commissioning a new plant (before real defects have been confirmed), for pixel-level
evaluation (fabric_stain has no masks) and for the demo camera. Each kind is one function
from (image, rng) to (image, mask); sizes scale with the image so 224 px and 1080 px both work.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

log = logging.getLogger(__name__)

Painter = Callable[[np.ndarray, np.random.Generator], tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class SyntheticDefect:
    kind: str
    image: np.ndarray  # RGB uint8
    mask: np.ndarray  # uint8, 255 where the defect is


def _blob(shape: tuple[int, int], rng: np.random.Generator, radius: float) -> np.ndarray:
    """An irregular filled blob (a noisy polygon around a random centre), uint8 0/255."""
    h, w = shape
    cy = rng.uniform(radius, h - radius)
    cx = rng.uniform(radius, w - radius)
    angles = np.sort(rng.uniform(0, 2 * np.pi, 14))
    radii = radius * rng.uniform(0.55, 1.0, len(angles))
    pts = np.stack([cx + radii * np.cos(angles), cy + radii * np.sin(angles)], axis=1)
    mask = np.zeros(shape, np.uint8)
    cv2.fillPoly(mask, [pts.astype(np.int32)], 255)
    return mask


def _blend(image: np.ndarray, target: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    a = alpha[..., None].astype(np.float32)
    out = image.astype(np.float32) * (1 - a) + target.astype(np.float32) * a
    return np.clip(out, 0, 255).astype(np.uint8)


def _soft(mask: np.ndarray, sigma: float) -> np.ndarray:
    return cv2.GaussianBlur(mask.astype(np.float32) / 255.0, (0, 0), max(sigma, 0.5))


def stain(image: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """A tinted, soft-edged blot (ink, dirt, tea) that keeps the weave visible through it."""
    side = min(image.shape[:2])
    mask = _blob(image.shape[:2], rng, side * rng.uniform(0.06, 0.16))
    tint = np.array(rng.choice([[120, 80, 40], [60, 60, 110], [90, 100, 50]]), np.float32)
    target = image.astype(np.float32) * 0.55 + tint * 0.45
    alpha = _soft(mask, side * 0.02) * rng.uniform(0.6, 0.9)
    return _blend(image, target, alpha), mask


def oil_spot(image: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """A round darkened spot with a darker rim, as machine oil wicks into the yarn."""
    side = min(image.shape[:2])
    mask = np.zeros(image.shape[:2], np.uint8)
    r = side * rng.uniform(0.03, 0.08)
    c = (int(rng.uniform(r, image.shape[1] - r)), int(rng.uniform(r, image.shape[0] - r)))
    cv2.circle(mask, c, int(r), 255, -1)
    rim = np.zeros_like(mask)
    cv2.circle(rim, c, int(r), 255, max(1, int(r * 0.25)))
    dark = image.astype(np.float32) * 0.6
    alpha = np.clip(_soft(mask, r * 0.3) * 0.7 + _soft(rim, r * 0.1) * 0.3, 0, 1)
    return _blend(image, dark, alpha), mask


def hole(image: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """A small dark opening with a frayed, shadowed edge (the table shows through)."""
    side = min(image.shape[:2])
    mask = _blob(image.shape[:2], rng, side * rng.uniform(0.02, 0.06))
    edge = cv2.dilate(mask, np.ones((3, 3), np.uint8), iterations=max(1, side // 150))
    shadow = _soft(edge, side * 0.01) * 0.5
    out = _blend(image, np.zeros_like(image), shadow)
    out[mask > 0] = rng.integers(10, 40)
    return out, edge


def _yarn_line(image: np.ndarray, rng: np.random.Generator, width: int, length: float):
    h, w = image.shape[:2]
    mask = np.zeros((h, w), np.uint8)
    if rng.random() < 0.5:  # warp or weft
        y = int(rng.uniform(0.1, 0.9) * h)
        x0 = int(rng.uniform(0, 1 - length) * w)
        cv2.line(mask, (x0, y), (x0 + int(length * w), y), 255, width)
    else:
        x = int(rng.uniform(0.1, 0.9) * w)
        y0 = int(rng.uniform(0, 1 - length) * h)
        cv2.line(mask, (x, y0), (x, y0 + int(length * h)), 255, width)
    return mask


def broken_yarn(image: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """A missing yarn along warp or weft: a thin line lighter or darker than the weave."""
    side = min(image.shape[:2])
    mask = _yarn_line(image, rng, max(1, side // 110), rng.uniform(0.3, 0.8))
    shade = 1.5 if rng.random() < 0.5 else 0.45
    target = np.clip(image.astype(np.float32) * shade, 0, 255)
    return _blend(image, target, _soft(mask, 0.6) * 0.9), mask


def slub(image: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """A short thick yarn section, brighter than its neighbours and tapered at both ends."""
    side = min(image.shape[:2])
    mask = _yarn_line(image, rng, max(2, side // 45), rng.uniform(0.08, 0.25))
    bright = np.clip(image.astype(np.float32) * 1.35 + 20, 0, 255)
    return _blend(image, bright, _soft(mask, side * 0.01)), mask


KINDS: dict[str, Painter] = {
    "stain": stain,
    "oil_spot": oil_spot,
    "hole": hole,
    "broken_yarn": broken_yarn,
    "slub": slub,
}


def make_defect(image: np.ndarray, kind: str, rng: np.random.Generator) -> SyntheticDefect:
    """Paint one defect of `kind` on a copy of a good RGB image."""
    if kind not in KINDS:
        raise ValueError(f"unknown synthetic defect kind {kind!r}; known: {', '.join(KINDS)}")
    out, mask = KINDS[kind](image.copy(), rng)
    return SyntheticDefect(kind, out, mask)
