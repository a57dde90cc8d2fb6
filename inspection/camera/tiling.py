"""Cutting large frames into overlapping model-sized tiles and stitching their heat maps."""

from __future__ import annotations

import cv2
import numpy as np


def tile_origins(length: int, tile: int, overlap: int) -> list[int]:
    """Start offsets covering [0, length) with tiles of `tile` overlapping by at least `overlap`."""
    if length <= tile:
        return [0]
    stride = tile - overlap
    starts = list(range(0, length - tile, stride))
    starts.append(length - tile)  # the last tile sits flush with the edge
    return starts


def tile_boxes(height: int, width: int, tile: int, overlap: int) -> list[tuple[int, int, int, int]]:
    """(x, y, w, h) of every tile; frames smaller than a tile give one box over the frame."""
    return [
        (x, y, min(tile, width), min(tile, height))
        for y in tile_origins(height, tile, overlap)
        for x in tile_origins(width, tile, overlap)
    ]


def cut_tiles(frame: np.ndarray, boxes: list[tuple[int, int, int, int]], size: int) -> np.ndarray:
    """Tiles as a float32 batch (N, 3, size, size) in [0, 1], resized when a tile is not `size`."""
    batch = np.empty((len(boxes), size, size, 3), np.uint8)
    for i, (x, y, w, h) in enumerate(boxes):
        crop = frame[y : y + h, x : x + w]
        batch[i] = crop if crop.shape[:2] == (size, size) else cv2.resize(crop, (size, size))
    return batch.transpose(0, 3, 1, 2).astype(np.float32) * (1.0 / 255.0)


def stitch(
    heats: np.ndarray, boxes: list[tuple[int, int, int, int]], height: int, width: int, scale: int
) -> np.ndarray:
    """Frame heat map at 1/scale resolution; overlaps keep the higher value."""
    out = np.full((-(-height // scale), -(-width // scale)), -np.inf, np.float32)
    for heat, (x, y, w, h) in zip(heats, boxes, strict=True):
        sw, sh = max(1, w // scale), max(1, h // scale)
        small = cv2.resize(heat, (sw, sh), interpolation=cv2.INTER_AREA)
        region = out[y // scale : y // scale + sh, x // scale : x // scale + sw]
        np.maximum(region, small[: region.shape[0], : region.shape[1]], out=region)
    out[np.isinf(out)] = 0.0
    return out
