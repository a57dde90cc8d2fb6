"""Exports: DXF-AAMA read back by ezdxf, SVG parsed as XML, HPGL commands."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import ezdxf
import pytest

from design_bridge import draft_order
from design_bridge.export.dxf import LAYERS, write_dxf
from design_bridge.export.hpgl import UNITS_PER_MM, order_hpgl
from design_bridge.export.svg import order_svg

from .conftest import make_order

STYLES = ["shirt", "trousers", "skirt", "tshirt"]


@pytest.mark.parametrize("style", STYLES)
def test_dxf_round_trip_keeps_every_piece_on_the_aama_layers(tmp_path, style):
    d = draft_order(make_order(style, size="S"))
    path = tmp_path / "p.dxf"
    write_dxf(path, style, d.pieces)
    doc = ezdxf.readfile(path)
    assert doc.dxfversion == "AC1009"  # R12
    inserts = list(doc.modelspace().query("INSERT"))
    assert [i.dxf.name for i in inserts] == [p.name for p in d.pieces]
    for piece in d.pieces:
        block = doc.blocks.get(piece.name)
        boundary = [e for e in block if e.dxf.layer == LAYERS["boundary"]]
        sew = [e for e in block if e.dxf.layer == LAYERS["sew"]]
        assert len(boundary) == 1 and len(sew) == 1
        got = [tuple(v.dxf.location)[:2] for v in boundary[0].vertices]
        want = list(piece.cut_line.exterior.coords)[:-1]
        assert len(got) == len(want)
        assert all(
            abs(a - c) < 0.01 and abs(b - e) < 0.01
            for (a, b), (c, e) in zip(got, want, strict=True)
        )
        assert boundary[0].is_closed
        notches = [e for e in block if e.dxf.layer == LAYERS["notch"]]
        assert len(notches) == len(piece.notches)
        assert len([e for e in block if e.dxf.layer == LAYERS["grain"]]) == 1
        assert len([e for e in block if e.dxf.layer == LAYERS["internal"]]) == 2 * len(piece.darts)
        texts = [e.dxf.text for e in block if e.dxf.layer == LAYERS["text"]]
        assert f"Piece Name: {piece.name}" in texts and f"Quantity: {piece.quantity}" in texts


def test_svg_has_one_group_per_piece_with_outline_grain_notches_and_label():
    d = draft_order(make_order("shirt", size="M"))
    root = ET.fromstring(order_svg("T-1 shirt", d.pieces))
    ns = {"s": "http://www.w3.org/2000/svg"}
    groups = root.findall("s:g", ns)
    assert [g.get("id") for g in groups] == [p.name for p in d.pieces]
    for g, p in zip(groups, d.pieces, strict=True):
        assert len(g.findall("s:path", ns)) >= 2
        assert len(g.findall("s:line[@class='notch']", ns)) == len(p.notches)
        assert g.find("s:text", ns).text == p.label


def test_hpgl_draws_each_cut_line_in_plotter_units():
    d = draft_order(make_order("skirt", size="M"))
    text = order_hpgl(d.pieces)
    assert text.startswith("IN;") and text.rstrip().endswith("SP0;")
    assert text.count("SP1;") == len(d.pieces) and text.count("LB") == len(d.pieces)
    first = re.search(r"SP1;\nPU(-?\d+),(-?\d+);PD([^;]+);", text)
    points = first.group(3).split(",")
    assert len(points) // 2 == len(d.pieces[0].cut_line.exterior.coords) - 1
    xs = [int(v) for v in points[0::2]]
    minx, _, maxx, _ = d.pieces[0].cut_line.bounds
    assert (max(xs) - min(xs)) / UNITS_PER_MM == pytest.approx(maxx - minx, abs=0.1)
