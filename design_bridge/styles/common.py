"""What every style draft returns, and the piece shapes styles share (mirrored halves, bands)."""

from __future__ import annotations

from dataclasses import dataclass, field

from shapely.geometry import LineString

from design_bridge.geometry import Point, length, mirror_x
from design_bridge.pieces import Piece, PieceBuilder

MIRROR = "_m"  # suffix of an edge's mirror image on a piece drafted as two halves


@dataclass(frozen=True)
class Seam:
    """Two sides sewn together: (piece, edge, count) each. `ease` is the allowed (min, max) of
    len(b) - len(a) in mm: (-tol, tol) for seams that must match, more where one side is eased."""

    name: str
    a: tuple[tuple[str, str, int], ...]
    b: tuple[tuple[str, str, int], ...]
    ease: tuple[float, float]


@dataclass(frozen=True)
class GirthLine:
    """A finished girth measured on the pieces: sum(count * width at height y) over `parts`, plus
    sum(count * sewn length) over `edges` (waistbands), less the overlap of closures."""

    name: str
    parts: tuple[tuple[str, float, int], ...] = ()
    overlap: float = 0.0
    edges: tuple[tuple[str, str, int], ...] = ()


@dataclass
class StyleDraft:
    pieces: list[Piece]
    seams: list[Seam] = field(default_factory=list)
    girths: list[GirthLine] = field(default_factory=list)

    def piece(self, name: str) -> Piece:
        return next(p for p in self.pieces if p.name == name)


def half_to_full(b: PieceBuilder, half: list[tuple[str, list[Point], float]]) -> PieceBuilder:
    """Edges of a piece symmetric about x = 0 from its right half, drafted counter-clockwise from
    the centre line at the bottom to the centre line at the top."""
    first, *middle, last = half
    b.edge(first[0], [*reversed(mirror_x(first[1])), *first[1][1:]], first[2])
    for name, points, sa in middle:
        b.edge(name, points, sa)
    b.edge(last[0], [*last[1], *mirror_x(last[1])[::-1][1:]], last[2])
    for name, points, sa in reversed(middle):
        b.edge(name + MIRROR, list(reversed(mirror_x(points))), sa)
    return b


def band(name: str, length: float, height: float, sa: float, along_grain: bool) -> PieceBuilder:
    """A rectangle band; `attach` is the edge sewn to the garment. Grain is always along y, so a
    band cut along the grain is drafted standing up."""
    if along_grain:
        b = PieceBuilder(name)
        b.edge("end_l", [(0, 0), (height, 0)], sa)
        b.edge("attach", [(height, 0), (height, length)], sa)
        b.edge("end_r", [(height, length), (0, length)], sa)
        b.edge("top", [(0, length), (0, 0)], sa)
        return b
    b = PieceBuilder(name)
    b.edge("attach", [(0, 0), (length, 0)], sa)
    b.edge("end_r", [(length, 0), (length, height)], sa)
    b.edge("top", [(length, height), (0, height)], sa)
    b.edge("end_l", [(0, height), (0, 0)], sa)
    return b


def split_at_y(points: list[Point], y: float) -> tuple[list[Point], list[Point]]:
    """Split a polyline where it first crosses height y; both parts share the crossing point."""
    for i, (a, b) in enumerate(zip(points, points[1:], strict=False)):
        if (a[1] - y) * (b[1] - y) <= 0 and a[1] != b[1]:
            t = (y - a[1]) / (b[1] - a[1])
            p = (a[0] + t * (b[0] - a[0]), y)
            return [*points[: i + 1], p], [p, *points[i + 1 :]]
    raise ValueError(f"polyline does not cross y={y:.1f}")


def fraction_at(points: list[Point], index: int) -> float:
    """Share of a polyline's length from its start to its point `index`."""
    return length(points[: index + 1]) / length(points)


def width_at(piece: Piece, y: float) -> float:
    """Width of a piece's sewing line along the horizontal line at height y."""
    minx, _, maxx, _ = piece.sewing_line.bounds
    cut = piece.sewing_line.intersection(LineString([(minx - 1, y), (maxx + 1, y)]))
    return float(cut.length)
