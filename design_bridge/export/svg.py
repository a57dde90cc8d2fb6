"""SVG preview of an order's pieces for the HMI: cut line, sewing line, grain line, notches, labels.

The viewBox is in millimetres and the width is 100 %, so the HMI scales it to its panel; the
sheet's real size is in data-width-mm / data-height-mm. SVG's y axis points down, so each piece
is flipped within its row to keep the drafted "up" at the top.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from design_bridge.export.layout import sheet_layout
from design_bridge.pieces import Piece


def order_svg(title: str, pieces: list[Piece]) -> str:
    placed, width, height = sheet_layout(pieces)
    margin = 20.0
    out = [
        '<svg xmlns="http://www.w3.org/2000/svg" width="100%" '
        f'data-width-mm="{width + 2 * margin:.0f}" data-height-mm="{height + 2 * margin + 30:.0f}" '
        f'viewBox="{-margin:.1f} {-margin - 30:.1f} {width + 2 * margin:.1f} '
        f'{height + 2 * margin + 30:.1f}">',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="-12" font-size="18" font-family="sans-serif">{escape(title)}</text>',
    ]
    for piece, dx, dy in placed:
        _, miny, _, maxy = piece.cut_line.bounds
        top = dy + miny  # the piece's row starts here; flip the piece within it

        def tr(x: float, y: float) -> tuple[float, float]:
            return x + dx, top + maxy - y  # noqa: B023 - used inside this iteration only

        out.append(f'<g class="piece" id="{escape(piece.name)}">')
        out.append(
            _path(
                piece.cut_line.exterior.coords,
                tr,
                'fill="#f4efe6" stroke="#222" stroke-width="1.2"',
            )
        )
        out.append(
            _path(
                piece.sewing_line.exterior.coords,
                tr,
                'fill="none" stroke="#777" stroke-width="0.6" stroke-dasharray="6 4"',
            )
        )
        for d in piece.darts:
            out.append(
                _path([d.left, d.apex, d.right], tr, 'fill="none" stroke="#555"', close=False)
            )
        (gx0, gy0), (gx1, gy1) = piece.grain_line
        a, b = tr(gx0, gy0), tr(gx1, gy1)
        out.append(
            f'<line x1="{a[0]:.1f}" y1="{a[1]:.1f}" x2="{b[0]:.1f}" y2="{b[1]:.1f}" '
            'stroke="#0a58ca" stroke-width="1"/>'
        )
        out.append(
            f'<polygon points="{b[0]:.1f},{b[1]:.1f} {b[0] - 5:.1f},{b[1] + 12:.1f} '
            f'{b[0] + 5:.1f},{b[1] + 12:.1f}" fill="#0a58ca"/>'
        )
        for n in piece.notches:
            start, end = piece.notch_slit(n)
            p, q = tr(*start), tr(*end)
            out.append(
                f'<line class="notch" x1="{p[0]:.1f}" y1="{p[1]:.1f}" x2="{q[0]:.1f}" '
                f'y2="{q[1]:.1f}" stroke="#c00" stroke-width="1.2"/>'
            )
        c = piece.sewing_line.representative_point()
        cx, cy = tr(c.x, c.y)
        out.append(
            f'<text x="{cx:.1f}" y="{cy:.1f}" font-size="11" font-family="sans-serif" '
            f'text-anchor="middle">{escape(piece.label)}</text>'
        )
        out.append("</g>")
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _path(coords, tr, style: str, close: bool = True) -> str:
    pts = [tr(x, y) for x, y in coords]
    d = "M " + " L ".join(f"{x:.1f} {y:.1f}" for x, y in pts) + (" Z" if close else "")
    return f'<path d="{d}" {style}/>'
