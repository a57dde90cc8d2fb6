"""Where each piece sits in an order's preview sheet: rows of pieces left to right (mm)."""

from __future__ import annotations

from design_bridge.pieces import Piece

GAP = 30.0
ROW_WIDTH = 1500.0


def sheet_layout(pieces: list[Piece]) -> tuple[list[tuple[Piece, float, float]], float, float]:
    """Offsets (dx, dy) that move each piece's cut line into the sheet; and the sheet's size."""
    placed = []
    x = y = row_h = width = 0.0
    for p in pieces:
        minx, miny, maxx, maxy = p.cut_line.bounds
        w, h = maxx - minx, maxy - miny
        if x > 0 and x + w > ROW_WIDTH:
            x, y, row_h = 0.0, y + row_h + GAP, 0.0
        placed.append((p, x - minx, y - miny))
        x += w + GAP
        row_h = max(row_h, h)
        width = max(width, x - GAP)
    return placed, width, y + row_h
