"""DXF in the AAMA / ASTM D6673 scheme: one BLOCK per piece, inserted side by side.

Layers (AAMA numbers): 1 boundary (cut line), 4 notches, 7 grain line, 8 internal lines (darts),
14 sew line, 15 annotation text. Units are millimetres (R12 has no units header; AAMA files are
metric by agreement); DXF R12, the version pattern CAD and
cutters read.
"""

from __future__ import annotations

from pathlib import Path

from design_bridge.export.layout import sheet_layout
from design_bridge.pieces import Piece

LAYERS = {"boundary": "1", "notch": "4", "grain": "7", "internal": "8", "sew": "14", "text": "15"}
TEXT_HEIGHT = 8.0


def write_dxf(path: Path, style_name: str, pieces: list[Piece]) -> None:
    import ezdxf  # half of `import design_bridge`'s time; only exports need it

    doc = ezdxf.new("R12")
    for name in LAYERS.values():
        doc.layers.add(name)
    msp = doc.modelspace()
    placed, _, _ = sheet_layout(pieces)
    for piece, dx, dy in placed:
        block = doc.blocks.new(name=_block_name(piece))
        block.add_polyline2d(
            _ring(piece.cut_line), close=True, dxfattribs={"layer": LAYERS["boundary"]}
        )
        block.add_polyline2d(
            _ring(piece.sewing_line), close=True, dxfattribs={"layer": LAYERS["sew"]}
        )
        for n in piece.notches:
            start, end = piece.notch_slit(n)
            block.add_line(start, end, dxfattribs={"layer": LAYERS["notch"]})
        block.add_line(*piece.grain_line, dxfattribs={"layer": LAYERS["grain"]})
        for d in piece.darts:
            block.add_line(d.left, d.apex, dxfattribs={"layer": LAYERS["internal"]})
            block.add_line(d.apex, d.right, dxfattribs={"layer": LAYERS["internal"]})
        c = piece.sewing_line.representative_point()
        lines = [
            f"Piece Name: {piece.name}",
            f"Style Name: {style_name}",
            f"Quantity: {piece.quantity}",
            f"Mirrored: {'Y' if piece.mirrored else 'N'}",
            f"Annotation: {piece.label}",
        ]
        for i, text in enumerate(lines):
            block.add_text(
                _ascii(text),
                height=TEXT_HEIGHT,
                dxfattribs={"layer": LAYERS["text"], "insert": (c.x, c.y - i * 1.6 * TEXT_HEIGHT)},
            )
        msp.add_blockref(block.name, (dx, dy))
    doc.saveas(path)


def _ring(poly) -> list[tuple[float, float]]:
    return [(round(x, 3), round(y, 3)) for x, y in poly.exterior.coords[:-1]]


def _block_name(piece: Piece) -> str:
    return _ascii(piece.name).replace(" ", "_")


def _ascii(text: str) -> str:
    # ASTM D6673 files carry 7-bit ASCII only
    return text.encode("ascii", "replace").decode("ascii")
