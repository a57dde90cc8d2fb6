"""Marker making: nest pattern pieces on the fabric width with `spyrrow` (sparrow), our interface.

spyrrow's strip is fixed in height (our fabric width, y) and minimised in width (our marker
length, x). It solves in a background thread here so progress can be drained and reported.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from core.errors import InputError
from scheduler.model import Fabric, Marker, MarkerPiece, Placement

log = logging.getLogger(__name__)

# on_progress(phase, length_mm, density, seconds): phase is exploring, compressing or final.
NestProgress = Callable[[str, float, float, float], None]


@dataclass(frozen=True)
class NestResult:
    length: float
    density: float
    placements: tuple[Placement, ...]
    seconds: float


def allowed_rotations(piece: MarkerPiece, fabric: Fabric | None) -> tuple[float, ...] | None:
    """The rotations a piece may take on a fabric: a directional nap allows 0 degrees only."""
    if fabric is None:
        return piece.rotations
    if fabric.directional:
        return (0.0,)
    if fabric.free_rotation:
        return None
    return piece.rotations


def _transform(points, rotation: float, translation) -> tuple[tuple[float, float], ...]:
    c, s = math.cos(math.radians(rotation)), math.sin(math.radians(rotation))
    tx, ty = translation
    return tuple((x * c - y * s + tx, x * s + y * c + ty) for x, y in points)


def nest(
    pieces: Sequence[MarkerPiece],
    width: float,
    *,
    fabric: Fabric | None = None,
    gap: float = 0.0,
    time_limit: float = 10.0,
    workers: int = 2,
    seed: int = 0,
    on_progress: NestProgress | None = None,
) -> NestResult:
    """Nest `pieces` (each `quantity` times) on a strip `width` high; returns length and layout."""
    import spyrrow
    from shapely.geometry import Polygon

    if not pieces:
        raise InputError("nothing to nest: the marker has no pieces")
    if width <= 0:
        raise InputError(f"fabric width must be positive, got {width}")
    items, area = [], 0.0
    for index, piece in enumerate(pieces):
        poly = Polygon(piece.polygon)
        if not poly.is_valid or poly.area <= 0:
            raise InputError(
                f"piece {piece.piece_id} of order {piece.order_id}: cut line is not a valid polygon"
            )
        min_y, max_y = poly.bounds[1], poly.bounds[3]
        min_x, max_x = poly.bounds[0], poly.bounds[2]
        rotations = allowed_rotations(piece, fabric)
        fits = (max_y - min_y) <= width or (
            (rotations is None or any(r % 180 == 90 for r in rotations))
            and (max_x - min_x) <= width
        )
        if not fits:
            raise InputError(
                f"piece {piece.piece_id} of order {piece.order_id} is {max_y - min_y:.0f} mm "
                f"across the grain but the fabric is only {width:.0f} mm wide"
            )
        area += poly.area * piece.quantity
        items.append(
            spyrrow.Item(
                str(index),
                [(float(x), float(y)) for x, y in piece.polygon],
                piece.quantity,
                None if rotations is None else list(rotations),
            )
        )
    instance = spyrrow.StripPackingInstance("marker", float(width), items)
    config = spyrrow.StripPackingConfig(
        early_termination=True,
        min_items_separation=gap or None,
        total_computation_time=max(1, round(time_limit)),
        num_workers=workers,
        seed=seed,
    )
    queue = spyrrow.ProgressQueue()
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["solution"] = instance.solve(config, progress=queue)
        except BaseException as exc:  # re-raised in the caller's thread
            outcome["error"] = exc

    t0 = time.monotonic()
    worker = threading.Thread(target=run, name="spyrrow", daemon=True)
    worker.start()
    while worker.is_alive():
        worker.join(timeout=0.25)
        for report, solution in queue.drain():
            if on_progress is not None:
                on_progress(
                    report.phase_name(), solution.width, solution.density, time.monotonic() - t0
                )
    if "error" in outcome:
        raise InputError(f"nesting failed: {outcome['error']}")
    solution = outcome["solution"]
    placements = []
    for placed in solution.placed_items:
        piece = pieces[int(placed.id)]
        placements.append(
            Placement(
                piece.piece_id,
                piece.order_id,
                placed.rotation,
                _transform(piece.polygon, placed.rotation, placed.translation),
                None
                if piece.grain_line is None
                else _transform(piece.grain_line, placed.rotation, placed.translation),
                piece.label,
            )
        )
    seconds = time.monotonic() - t0
    if on_progress is not None:
        on_progress("final", solution.width, solution.density, seconds)
    log.info(
        "nested %d pieces: length %.1f, density %.3f in %.1fs",
        len(placements),
        solution.width,
        solution.density,
        seconds,
    )
    return NestResult(solution.width, area / (width * solution.width), tuple(placements), seconds)


def make_marker(
    marker_id: str,
    pieces: Sequence[MarkerPiece],
    fabric: Fabric,
    *,
    gap: float = 2.0,
    time_limit: float = 10.0,
    workers: int = 2,
    seed: int = 0,
    on_progress: NestProgress | None = None,
) -> Marker:
    """Nest a marker's pieces on a fabric; efficiency = pieces' area / (width x length)."""
    result = nest(
        pieces,
        fabric.width_mm,
        fabric=fabric,
        gap=gap,
        time_limit=time_limit,
        workers=workers,
        seed=seed,
        on_progress=on_progress,
    )
    return Marker(
        marker_id, fabric.code, fabric.width_mm, result.length, result.density, result.placements
    )


def load_strip_instance(path) -> tuple[str, float, list[MarkerPiece]]:
    """Read a jagua-rs/sparrow strip-packing JSON instance into pieces (benchmark files)."""
    import json

    try:
        data = json.loads(path.read_text())
        pieces = []
        for item in data["items"]:
            shape = item["shape"]
            if shape.get("type") != "simple_polygon":
                raise InputError(f"{path}: item {item['id']}: only simple_polygon shapes are read")
            points = [tuple(p) for p in shape["data"]]
            if points[0] == points[-1]:
                points = points[:-1]
            rotations = item.get("allowed_orientations")
            pieces.append(
                MarkerPiece(
                    str(item["id"]),
                    data.get("name", path.stem),
                    tuple(points),
                    int(item["demand"]),
                    None if rotations is None else tuple(rotations),
                )
            )
        return data.get("name", path.stem), float(data["strip_height"]), pieces
    except (KeyError, ValueError, TypeError) as exc:
        raise InputError(f"{path}: not a strip-packing instance ({exc})") from exc
