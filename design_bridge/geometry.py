"""Small plane-geometry helpers for drafting: curves, lengths, points along a polyline (mm)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

Point = tuple[float, float]

CURVE_STEPS = 12  # points per drafted curve; 12 keeps lengths within 0.1 % of the true curve


def cubic(p0: Point, p1: Point, p2: Point, p3: Point, steps: int = CURVE_STEPS) -> list[Point]:
    """Points of a cubic Bezier from p0 to p3 (both included)."""
    out = []
    for i in range(steps + 1):
        t = i / steps
        u = 1 - t
        a, b, c, d = u * u * u, 3 * u * u * t, 3 * u * t * t, t * t * t
        out.append(
            (
                a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0],
                a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1],
            )
        )
    return out


def length(points: Sequence[Point]) -> float:
    return sum(math.dist(a, b) for a, b in zip(points, points[1:], strict=False))


def point_at(points: Sequence[Point], distance: float) -> tuple[Point, Point]:
    """The point `distance` mm along a polyline, and the unit tangent there."""
    remaining = max(0.0, distance)
    for a, b in zip(points, points[1:], strict=False):
        seg = math.dist(a, b)
        if seg > 0 and remaining <= seg:
            t = remaining / seg
            tangent = ((b[0] - a[0]) / seg, (b[1] - a[1]) / seg)
            return (a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])), tangent
        remaining -= seg
    a, b = points[-2], points[-1]
    seg = math.dist(a, b) or 1.0
    return b, ((b[0] - a[0]) / seg, (b[1] - a[1]) / seg)


def mirror_x(points: Sequence[Point], axis: float = 0.0) -> list[Point]:
    """Mirror about the vertical line x = axis."""
    return [(2 * axis - x, y) for x, y in points]


def solve(f: Callable[[float], float], lo: float, hi: float, tol: float = 0.01) -> float:
    """Root of an increasing function f on [lo, hi] by bisection; clamps at the ends."""
    if f(lo) >= 0:
        return lo
    if f(hi) <= 0:
        return hi
    while hi - lo > tol:
        mid = (lo + hi) / 2
        if f(mid) < 0:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def sleeve_cap(width: float, height: float, steps: int = CURVE_STEPS) -> list[Point]:
    """A sleeve cap from the back underarm (-w/2, 0) over the crown (0, h) to the front (w/2, 0)."""
    half = width / 2
    back = cubic(
        (-half, 0), (-half * 0.55, 0.1 * height), (-half * 0.45, height), (0, height), steps
    )
    front = cubic((0, height), (half * 0.45, height), (half * 0.55, 0.1 * height), (half, 0), steps)
    return back + front[1:]
