"""Geometric properties of drafted pieces: validity, seam allowance, notches, seams."""

from __future__ import annotations

import math

import pytest
from shapely.geometry import LineString, Point

from design_bridge import draft_order
from design_bridge.geometry import length, point_at
from design_bridge.styles.common import MIRROR

from .conftest import VARIANTS, make_order


@pytest.fixture
def drafted(variant):
    style, options = variant
    return draft_order(make_order(style, options=options, size="L"))


def test_pieces_are_valid_closed_polygons(drafted):
    assert drafted.pieces
    for p in drafted.pieces:
        for poly in (p.sewing_line, p.cut_line):
            assert poly.is_valid and poly.exterior.is_simple and poly.exterior.is_closed, p.name
            assert poly.area > 0
        assert p.sewing_line.exterior.is_ccw
        assert p.cut_line.contains(p.sewing_line), p.name
        assert p.quantity >= 1
        assert p.allowed_rotations == (0, 180)
        assert drafted.order_id in p.label and p.name in p.label


def test_cut_line_lies_at_each_edges_seam_allowance(drafted):
    for p in drafted.pieces:
        boundary = p.cut_line.exterior
        for edge, points in p.edges.items():
            sa = p.seam_allowances[edge]
            total = length(points)
            if total < 40:
                continue
            for share in (0.3, 0.5, 0.7):
                (x, y), _ = point_at(points, share * total)
                distance = boundary.distance(Point(x, y))
                assert abs(distance - sa) < 0.5, (p.name, edge, share, distance, sa)


def test_grain_line_is_inside_and_along_y(drafted):
    for p in drafted.pieces:
        (x0, y0), (x1, y1) = p.grain_line
        assert x0 == pytest.approx(x1) and y1 > y0
        assert p.sewing_line.contains(Point(x0, (y0 + y1) / 2)), p.name


def test_notches_sit_on_the_sewing_line_and_pair_up(drafted):
    pieces_by_notch: dict[str, set[str]] = {}
    for p in drafted.pieces:
        for n in p.notches:
            assert p.sewing_line.exterior.distance(Point(n.x, n.y)) < 0.01, (p.name, n.name)
            (x, y), _ = point_at(p.edges[n.edge], n.position)
            assert math.dist((x, y), (n.x, n.y)) < 0.01
            pieces_by_notch.setdefault(n.name, set()).add(p.name)
    for name, pieces in pieces_by_notch.items():
        assert len(pieces) >= 2, f"notch {name} only on {pieces}"


def test_notches_match_along_single_edge_seams(drafted):
    """Notches of one name sit the same sewn distance from the same end of both edges."""
    pieces = {p.name: p for p in drafted.pieces}

    def sewn_position(piece, notch) -> tuple[float, float]:
        edge = LineString(piece.edges[notch.edge])
        before = sum(
            d.intake
            for d in piece.darts
            if d.edge == notch.edge and edge.project(Point(d.left)) < notch.position
        )
        return notch.position - before, piece.edge_length(notch.edge)

    matched = 0
    for seam in drafted.seams:
        if len(seam.a) != 1 or len(seam.b) != 1 or seam.max_mm - seam.min_mm > 5:
            continue
        (pa, ea, _), (pb, eb, _) = seam.a[0], seam.b[0]
        on_a = {n.name: n for n in pieces[pa].notches if n.edge in (ea, ea + MIRROR)}
        on_b = {n.name: n for n in pieces[pb].notches if n.edge in (eb, eb + MIRROR)}
        for name in on_a.keys() & on_b.keys():
            da, _ = sewn_position(pieces[pa], on_a[name])
            db, lb = sewn_position(pieces[pb], on_b[name])
            assert min(abs(da - db), abs(da - (lb - db))) < 2.0, (seam.name, name, da, db)
            matched += 1
    assert matched > 0


def test_every_seam_agrees_within_its_tolerance(drafted):
    assert drafted.seams
    for s in drafted.seams:
        assert s.ok, s
    assert not [f for f in drafted.flags if f.startswith("seam")]


@pytest.mark.parametrize(
    ("style", "options"), [v for v in VARIANTS if v[0] in ("shirt", "tshirt")], ids=str
)
def test_sleeve_cap_carries_the_styles_cap_ease(style, options):
    d = draft_order(make_order(style, options=options, size="M"))
    p = {x.name: x for x in d.pieces}
    armhole = sum(length(p[n].edges["armhole"]) for n in p if "armhole" in p[n].edges)
    cap = length(p["sleeve"].edges["cap"])
    ease = (cap - armhole) / armhole
    assert (0.0 <= ease <= 0.03) if style == "shirt" else (abs(ease) <= 0.01)


def test_side_seams_front_and_back_have_equal_length(variant):
    style, options = variant
    d = draft_order(make_order(style, options=options, size="XL"))
    p = {x.name: x for x in d.pieces}
    assert p["front"].edge_length("side") == pytest.approx(p["back"].edge_length("side"), abs=2.0)
