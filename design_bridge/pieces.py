"""Pattern pieces: the plain data the cutting room and the scheduler consume.

Coordinates are millimetres, x to the right, y up (the body's up), and every piece is drafted
with its grain line parallel to the y axis. `allowed_rotations` are the rotations (degrees,
counter-clockwise) that keep the grain line on the warp: (0, 180) for nap-free fabric, (0,) for
directional fabric (nap, pile, one-way print).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from shapely.affinity import scale
from shapely.geometry import LineString, Polygon
from shapely.geometry.polygon import orient
from shapely.ops import unary_union

from design_bridge.geometry import Point, length, point_at

MITRE_LIMIT = 2.0
NOTCH_DEPTH = 6.0  # mm, less than the smallest seam allowance


@dataclass(frozen=True)
class Notch:
    """A notch on the sewing line; `position` is mm along `edge` from the edge's start."""

    name: str
    edge: str
    position: float
    x: float
    y: float
    angle: float  # direction of the cut into the piece, degrees from +x

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "edge": self.edge,
            "position_mm": round(self.position, 2),
            "x": round(self.x, 2),
            "y": round(self.y, 2),
            "angle_deg": round(self.angle, 1),
        }


@dataclass(frozen=True)
class Dart:
    """A dart marked inside the piece: legs from the edge to the apex, intake taken from `edge`."""

    name: str
    edge: str
    left: Point
    apex: Point
    right: Point

    @property
    def intake(self) -> float:
        return math.dist(self.left, self.right)

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "edge": self.edge,
            "left": list(self.left),
            "apex": list(self.apex),
            "right": list(self.right),
            "intake_mm": round(self.intake, 2),
        }


@dataclass
class Piece:
    """One pattern piece: `quantity` are cut; when `mirrored`, half of them as mirror images."""

    name: str
    sewing_line: Polygon
    cut_line: Polygon
    edges: dict[str, list[Point]]
    seam_allowances: dict[str, float]
    grain_line: tuple[Point, Point]
    notches: list[Notch] = field(default_factory=list)
    darts: list[Dart] = field(default_factory=list)
    label: str = ""
    quantity: int = 1
    mirrored: bool = False
    material: str = "shell"
    interfaced: bool = False
    allowed_rotations: tuple[int, ...] = (0, 180)

    def edge_length(self, edge: str) -> float:
        """Sewn length of an edge: its length less the intake of darts that open on it."""
        intake = sum(d.intake for d in self.darts if d.edge == edge)
        return length(self.edges[edge]) - intake

    def notch_slit(self, notch: Notch, depth: float = NOTCH_DEPTH) -> tuple[Point, Point]:
        """The notch as cut: from the cut line, `depth` mm into the seam allowance."""
        ux, uy = math.cos(math.radians(notch.angle)), math.sin(math.radians(notch.angle))
        sa = self.seam_allowances[notch.edge]
        start = (notch.x - sa * ux, notch.y - sa * uy)
        return start, (start[0] + depth * ux, start[1] + depth * uy)

    def cut_polygons(self) -> list[Polygon]:
        """One cut line per piece to cut, mirror images for the second half of a mirrored pair:
        what a marker nests for one garment."""
        mirror = orient(scale(self.cut_line, xfact=-1.0, origin="centroid"), 1.0)
        if not self.mirrored:
            return [self.cut_line] * self.quantity
        half = self.quantity // 2
        return [self.cut_line] * (self.quantity - half) + [mirror] * half

    @property
    def cut_area_mm2(self) -> float:
        return float(self.cut_line.area)

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "label": self.label,
            "quantity": self.quantity,
            "mirrored": self.mirrored,
            "material": self.material,
            "interfaced": self.interfaced,
            "allowed_rotations": list(self.allowed_rotations),
            "sewing_line": _coords(self.sewing_line),
            "cut_line": _coords(self.cut_line),
            "grain_line": [list(p) for p in self.grain_line],
            "seam_allowances_mm": dict(self.seam_allowances),
            "edges": {k: [[round(x, 2), round(y, 2)] for x, y in v] for k, v in self.edges.items()},
            "notches": [n.to_dict() for n in self.notches],
            "darts": [d.to_dict() for d in self.darts],
            "cut_area_mm2": round(self.cut_area_mm2, 1),
        }


def _coords(poly: Polygon) -> list[list[float]]:
    return [[round(x, 2), round(y, 2)] for x, y in poly.exterior.coords[:-1]]


class PieceBuilder:
    """Builds a piece from named edges given in counter-clockwise order, each with its allowance."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._edges: list[tuple[str, list[Point], float]] = []
        self._notches: list[tuple[str, str, float]] = []
        self._darts: list[Dart] = []

    def edge(self, name: str, points: list[Point], allowance: float) -> PieceBuilder:
        if self._edges and self._edges[-1][1][-1] != points[0]:
            points = [self._edges[-1][1][-1], *points]
        self._edges.append((name, list(points), allowance))
        return self

    def notch(self, name: str, edge: str, fraction: float) -> PieceBuilder:
        """A notch at `fraction` of the edge's length from its start."""
        self._notches.append((name, edge, fraction))
        return self

    def dart(self, dart: Dart) -> PieceBuilder:
        self._darts.append(dart)
        return self

    def build(self, **attrs) -> Piece:
        outline: list[Point] = []
        for _, points, _ in self._edges:
            outline.extend(points[:-1])
        sewing = Polygon(outline)
        if not sewing.is_valid or not sewing.exterior.is_ccw:
            raise ValueError(f"piece {self.name}: drafted outline is not a simple CCW polygon")
        edges = {name: points for name, points, _ in self._edges}
        allowances = {name: sa for name, _, sa in self._edges}
        notches = []
        for notch_name, edge, fraction in self._notches:
            pts = edges[edge]
            pos = fraction * length(pts)
            (x, y), (tx, ty) = point_at(pts, pos)
            angle = math.degrees(math.atan2(tx, -ty))  # inward normal of a CCW outline
            notches.append(Notch(notch_name, edge, pos, x, y, angle))
        minx, miny, maxx, maxy = sewing.bounds
        gx = sewing.centroid.x
        span = maxy - miny
        grain = ((gx, miny + 0.2 * span), (gx, maxy - 0.2 * span))
        return Piece(
            name=self.name,
            sewing_line=sewing,
            cut_line=cut_line(sewing, self._edges, self._darts),
            edges=edges,
            seam_allowances=allowances,
            grain_line=grain,
            notches=notches,
            darts=list(self._darts),
            **attrs,
        )


def cut_line(
    sewing: Polygon, edges: list[tuple[str, list[Point], float]], darts: list[Dart]
) -> Polygon:
    """Seam allowance by offset: the smallest allowance all round, wider strips where an edge
    needs more (hems). Darts are folded closed before cutting, so their wedge is filled."""
    base_sa = min(sa for _, _, sa in edges)
    body = unary_union([sewing, *(Polygon([d.left, d.apex, d.right]) for d in darts)])
    parts = [body.buffer(base_sa, join_style="mitre", mitre_limit=MITRE_LIMIT)]
    for _, points, sa in edges:
        if sa > base_sa:
            # the outside of a CCW outline is on the right of the edge: a negative one-sided buffer
            strip = LineString(points).buffer(-sa, single_sided=True, join_style="mitre")
            parts.append(strip)
    cut = unary_union(parts)
    if cut.geom_type != "Polygon":
        cut = max(cut.geoms, key=lambda g: g.area)
    return orient(Polygon(cut.exterior), 1.0)
