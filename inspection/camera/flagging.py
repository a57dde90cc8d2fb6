"""A flagged defect: its region, files on disk (crop, heat map, full frame) and its event."""

from __future__ import annotations

import logging
from pathlib import Path

import cv2
import numpy as np

from core.events import Event, EventType, new_event_id, utcnow

log = logging.getLogger(__name__)


def defect_region(
    heat: np.ndarray, box: tuple[int, int, int, int], scale: int
) -> tuple[int, int, int, int]:
    """The hot area inside a flagged tile, in frame pixels: pixels above half the tile's peak
    heat around it; the whole tile when the heat is flat."""
    x, y, w, h = box
    sub = heat[y // scale : (y + h) // scale, x // scale : (x + w) // scale]
    if sub.size == 0 or float(sub.max()) <= 0:
        return box
    ys, xs = np.nonzero(sub >= 0.5 * float(sub.max()))
    x0, y0 = x + int(xs.min()) * scale, y + int(ys.min()) * scale
    x1, y1 = x + (int(xs.max()) + 1) * scale, y + (int(ys.max()) + 1) * scale
    return x0, y0, max(1, x1 - x0), max(1, y1 - y0)


def heat_overlay(frame: np.ndarray, heat: np.ndarray) -> np.ndarray:
    """BGR picture of the frame with the heat map on top, for the quality team's review."""
    norm = np.clip(heat / max(float(heat.max()), 1e-6), 0, 1)
    colour = cv2.applyColorMap((norm * 255).astype(np.uint8), cv2.COLORMAP_JET)
    colour = cv2.resize(colour, (frame.shape[1], frame.shape[0]), interpolation=cv2.INTER_LINEAR)
    return cv2.addWeighted(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR), 0.6, colour, 0.4, 0)


def save_and_build_event(
    *,
    frame: np.ndarray,
    heat: np.ndarray,
    region: tuple[int, int, int, int],
    score: float,
    defect_class: str | None,
    camera: str,
    line: str,
    station: str | None,
    model_version: str,
    threshold: float,
    image_dir: Path,
) -> Event:
    """Write crop, heat overlay and full frame under image_dir/camera/day, then the event."""
    event_id = new_event_id()
    now = utcnow()
    folder = image_dir / camera / f"{now:%Y-%m-%d}"
    folder.mkdir(parents=True, exist_ok=True)
    x, y, w, h = region
    pad = max(16, max(w, h) // 4)  # context around the defect helps the reviewer
    crop = frame[max(0, y - pad) : y + h + pad, max(0, x - pad) : x + w + pad]
    paths = {
        "crop": folder / f"{event_id}-crop.jpg",
        "heat_map": folder / f"{event_id}-heat.jpg",
        "frame": folder / f"{event_id}-frame.jpg",
    }
    cv2.imwrite(str(paths["crop"]), cv2.cvtColor(crop, cv2.COLOR_RGB2BGR))
    cv2.imwrite(str(paths["heat_map"]), heat_overlay(frame, heat))
    cv2.imwrite(
        str(paths["frame"]), cv2.cvtColor(frame, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 80]
    )
    payload = {
        "camera": camera,
        "region": {"x": x, "y": y, "w": w, "h": h},
        "score": round(score, 6),
        "threshold": threshold,
        "class": defect_class,
        "model_version": model_version,
        "frame_size": {"w": frame.shape[1], "h": frame.shape[0]},
        "files": {k: str(v) for k, v in paths.items()},
    }
    return Event(
        line=line,
        station=station,
        type=EventType.DEFECT_FLAGGED,
        payload=payload,
        id=event_id,
        time=now,
    )
