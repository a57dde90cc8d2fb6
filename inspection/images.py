"""Decoding and checking images from files and cameras: hostile input becomes an InputError."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from core.errors import InputError

log = logging.getLogger(__name__)

# 8K x 8K is far beyond any inspection camera; larger claims are decompression bombs.
MAX_PIXELS = 64_000_000
MIN_SIDE = 16
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp")


def decode_image(data: bytes, where: str) -> np.ndarray:
    """Encoded bytes to an RGB uint8 array (H, W, 3), checking size before decoding."""
    if not data:
        raise InputError(f"{where}: empty image file (0 bytes)")
    try:
        with Image.open(io.BytesIO(data)) as img:
            width, height = img.size
            check_size(width, height, where)
            img.load()  # PIL raises on truncated data here instead of padding it with grey
            if img.mode not in ("RGB", "L", "RGBA", "P", "LA", "I;16", "CMYK"):
                raise InputError(f"{where}: unsupported pixel mode {img.mode}")
            rgb = img.convert("RGB")
            return np.asarray(rgb, dtype=np.uint8).copy()
    except InputError:
        raise
    except Image.DecompressionBombError as exc:
        raise InputError(f"{where}: image too large ({exc})") from exc
    except (OSError, ValueError, SyntaxError) as exc:
        raise InputError(f"{where}: not a readable image ({exc})") from exc


def read_image(path: str | Path) -> np.ndarray:
    """Read and decode one image file to RGB uint8."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read image ({exc.strerror})") from exc
    return decode_image(data, str(path))


def check_size(width: int, height: int, where: str) -> None:
    if width < MIN_SIDE or height < MIN_SIDE:
        raise InputError(f"{where}: image is {width}x{height}, smaller than {MIN_SIDE}x{MIN_SIDE}")
    if width * height > MAX_PIXELS:
        raise InputError(
            f"{where}: image is {width}x{height} ({width * height / 1e6:.0f} MP), "
            f"more than the {MAX_PIXELS / 1e6:.0f} MP limit"
        )


def check_frame(frame: object, where: str) -> np.ndarray:
    """A camera frame (BGR or grey from OpenCV) to RGB uint8 (H, W, 3), or an InputError."""
    if not isinstance(frame, np.ndarray):
        raise InputError(f"{where}: frame is {type(frame).__name__}, not an image array")
    if frame.ndim == 2:
        frame = frame[:, :, None]
    if frame.ndim != 3:
        raise InputError(f"{where}: frame has {frame.ndim} dimensions, expected 2 or 3")
    height, width, channels = frame.shape
    check_size(width, height, where)
    if frame.dtype != np.uint8:
        raise InputError(f"{where}: frame dtype is {frame.dtype}, expected uint8")
    if channels == 1:
        return cv2.cvtColor(frame, cv2.COLOR_GRAY2RGB)
    if channels == 3:
        return cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
    if channels == 4:
        return cv2.cvtColor(frame, cv2.COLOR_BGRA2RGB)
    raise InputError(f"{where}: frame has {channels} channels, expected 1, 3 or 4")


def list_images(folder: str | Path) -> list[Path]:
    """Image files directly in `folder`, sorted; an InputError if there are none."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(f"{folder}: not a folder of images")
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    if not files:
        raise InputError(f"{folder}: no image files ({', '.join(IMAGE_SUFFIXES)})")
    return files
