"""HPGL for pattern plotters: pen 1 cut line, pen 2 sewing line, notches, grain line, labels.

Plotter units are 0.025 mm (40 per mm), the HP-GL default.
"""

from __future__ import annotations

from design_bridge.export.layout import sheet_layout
from design_bridge.pieces import Piece

UNITS_PER_MM = 40


def order_hpgl(pieces: list[Piece]) -> str:
    placed, _, _ = sheet_layout(pieces)
    out = ["IN;", "DI1,0;", "SI0.3,0.4;"]
    for piece, dx, dy in placed:

        def u(x: float, y: float) -> str:
            return f"{round((x + dx) * UNITS_PER_MM)},{round((y + dy) * UNITS_PER_MM)}"  # noqa: B023

        out.append("SP1;")
        out.append(_polyline([u(x, y) for x, y in piece.cut_line.exterior.coords]))
        for n in piece.notches:
            start, end = piece.notch_slit(n)
            out.append(f"PU{u(*start)};PD{u(*end)};")
        out.append("SP2;")
        out.append(_polyline([u(x, y) for x, y in piece.sewing_line.exterior.coords]))
        a, b = piece.grain_line
        out.append(f"PU{u(*a)};PD{u(*b)};")
        for d in piece.darts:
            out.append(f"PU{u(*d.left)};PD{u(*d.apex)},{u(*d.right)};")
        c = piece.sewing_line.representative_point()
        label = piece.label.encode("ascii", "replace").decode("ascii").replace(";", ",")
        out.append(f"PU{u(c.x, c.y)};LB{label}\x03;")
    out.append("PU;SP0;")
    return "\n".join(out) + "\n"


def _polyline(points: list[str]) -> str:
    return f"PU{points[0]};PD{','.join(points[1:])};"
