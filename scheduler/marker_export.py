"""Marker files: SVG for the HMI, DXF in the AAMA layer scheme for CAD and cutters, HPGL for
plotters. Coordinates are millimetres, x along the marker's length, y across the fabric width.
"""

from __future__ import annotations

import logging
from pathlib import Path
from xml.sax.saxutils import escape

from scheduler.model import Marker

log = logging.getLogger(__name__)

# AAMA / ASTM D6673 layer numbers: 1 boundary (cut line), 7 grain line, 15 annotation text.
AAMA_BOUNDARY, AAMA_GRAIN, AAMA_TEXT = "1", "7", "15"
HPGL_UNITS_PER_MM = 40  # plotter units are 0.025 mm


def _centre(points) -> tuple[float, float]:
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2


def marker_svg(marker: Marker) -> str:
    """An SVG of the marker: fabric outline, pieces coloured by order, labels, grain lines."""
    palette = ["#8dd3c7", "#ffffb3", "#bebada", "#fb8072", "#80b1d3", "#fdb462", "#b3de69"]
    orders = sorted({p.order_id for p in marker.placements})
    colour = {o: palette[i % len(palette)] for i, o in enumerate(orders)}
    w, h = marker.length_mm, marker.width_mm
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w:.1f} {h:.1f}" '
        f'width="{w / 5:.0f}" height="{h / 5:.0f}">',
        f"<title>{escape(marker.marker_id)}: {marker.efficiency:.1%}</title>",
        f'<rect x="0" y="0" width="{w:.1f}" height="{h:.1f}" fill="white" stroke="black"/>',
    ]
    for p in marker.placements:
        points = " ".join(f"{x:.1f},{h - y:.1f}" for x, y in p.polygon)
        parts.append(
            f'<polygon points="{points}" fill="{colour[p.order_id]}" stroke="black" '
            f'stroke-width="1"><title>{escape(p.order_id)} {escape(p.piece_id)}</title></polygon>'
        )
        if p.grain_line:
            (x1, y1), (x2, y2) = p.grain_line
            parts.append(
                f'<line x1="{x1:.1f}" y1="{h - y1:.1f}" x2="{x2:.1f}" y2="{h - y2:.1f}" '
                'stroke="black" stroke-dasharray="8,4"/>'
            )
        cx, cy = _centre(p.polygon)
        parts.append(
            f'<text x="{cx:.1f}" y="{h - cy:.1f}" font-size="24" '
            f'text-anchor="middle">{escape(p.label or p.piece_id)}</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts)


def write_dxf(marker: Marker, path: Path) -> None:
    """DXF with AAMA layers: each piece's cut line on layer 1, grain line 7, label 15."""
    import ezdxf

    doc = ezdxf.new("R2000", units=4)  # 4 = millimetres
    for name in (AAMA_BOUNDARY, AAMA_GRAIN, AAMA_TEXT, "MARKER"):
        doc.layers.add(name)
    msp = doc.modelspace()
    msp.add_lwpolyline(
        [(0, 0), (marker.length_mm, 0), (marker.length_mm, marker.width_mm), (0, marker.width_mm)],
        close=True,
        dxfattribs={"layer": "MARKER"},
    )
    for p in marker.placements:
        msp.add_lwpolyline(p.polygon, close=True, dxfattribs={"layer": AAMA_BOUNDARY})
        if p.grain_line:
            msp.add_line(p.grain_line[0], p.grain_line[1], dxfattribs={"layer": AAMA_GRAIN})
        msp.add_text(
            f"{p.order_id} {p.label or p.piece_id}", height=12, dxfattribs={"layer": AAMA_TEXT}
        ).set_placement(_centre(p.polygon))
    doc.saveas(path)


def marker_hpgl(marker: Marker) -> str:
    """HPGL for a pen plotter or cutter: pen up to each piece, pen down around its cut line."""

    def unit(v: float) -> int:
        return round(v * HPGL_UNITS_PER_MM)

    out = ["IN;", "SP1;"]
    for p in marker.placements:
        first = p.polygon[0]
        out.append(f"PU{unit(first[0])},{unit(first[1])};")
        coords = ",".join(f"{unit(x)},{unit(y)}" for x, y in list(p.polygon[1:]) + [first])
        out.append(f"PD{coords};")
        cx, cy = _centre(p.polygon)
        out.append(f"PU{unit(cx)},{unit(cy)};LB{p.order_id} {p.label or p.piece_id}\x03;")
    out += ["PU;", "SP0;"]
    return "\n".join(out) + "\n"


def write_marker_files(marker: Marker, folder: Path) -> list[Path]:
    """SVG, DXF and HPGL of a marker in `folder`, named after the marker."""
    folder.mkdir(parents=True, exist_ok=True)
    svg, dxf, plt = (folder / f"{marker.marker_id}.{ext}" for ext in ("svg", "dxf", "plt"))
    svg.write_text(marker_svg(marker))
    write_dxf(marker, dxf)
    plt.write_text(marker_hpgl(marker))
    log.info("wrote marker %s to %s", marker.marker_id, folder)
    return [svg, dxf, plt]
