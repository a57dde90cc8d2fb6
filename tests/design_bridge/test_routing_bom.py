"""Routings (precedence graphs, options) and bills of materials."""

from __future__ import annotations

from typing import get_args

import pytest

from core.config.models import MachineType
from design_bridge import draft_order
from design_bridge.bom import MARKER_EFFICIENCY
from design_bridge.routing import TEMPLATES, routing_for

from .conftest import make_order


def test_every_routing_is_a_valid_precedence_graph(variant):
    style, options = variant
    d = draft_order(make_order(style, options=options))
    seen: set[str] = set()
    for op in d.routing:
        assert op.machine_type in get_args(MachineType), op
        assert op.smv > 0
        assert set(op.after) <= seen, f"{op.op_id} runs after an operation not yet done"
        seen.add(op.op_id)
    assert len(seen) == len(d.routing)
    assert d.smv_total == pytest.approx(sum(op.smv for op in d.routing), abs=0.01)
    last = d.routing[-1]
    assert last.machine_type == "inspection"


def test_options_add_and_remove_operations():
    def ops(style, **options):
        return {op.op_id for op in draft_order(make_order(style, options=options)).routing}

    mandarin = ops("shirt", collar="mandarin")
    assert {"collar_make", "collar_topstitch"}.isdisjoint(mandarin) and "stand_join" in mandarin
    assert "collar_point_holes" in ops("shirt", collar="button_down")
    assert "collar_point_holes" not in ops("shirt", collar="classic")
    short = ops("shirt", sleeve="short")
    assert "sleeve_hem" in short and {"cuff_make", "cuff_attach", "sleeve_placket"}.isdisjoint(
        short
    )
    assert "vent" in ops("skirt", length="knee") and "vent" not in ops("skirt", length="mini")


def test_dropped_operations_pass_their_predecessors_on():
    routing = {
        op.op_id: op for op in routing_for("shirt", {"collar": "mandarin", "sleeve": "short"})
    }
    assert routing["stand_join"].after == ()
    assert "side_close" in routing["sleeve_hem"].after
    # cuff_attach is dropped: buttonholes now waits on what it waited on (side_close)
    assert set(routing["buttonholes"].after) == {"hem", "collar_attach", "side_close", "sleeve_hem"}


def test_templates_list_operations_after_their_predecessors():
    for style, ops in TEMPLATES.items():
        ids = [op.op_id for op in ops]
        for i, op in enumerate(ops):
            assert set(op.after) <= set(ids[:i]), (style, op.op_id)


def test_fabric_length_follows_area_width_and_marker_efficiency():
    one = draft_order(make_order("trousers", fabric="WOOL-GRY", quantity=1))
    three = draft_order(make_order("trousers", fabric="WOOL-GRY", quantity=3))
    shell = sum(p.cut_area_mm2 * p.quantity for p in one.pieces if p.material == "shell") / 1e6
    assert one.bom.fabric_area_m2 == pytest.approx(shell, rel=1e-3)
    assert one.bom.fabric_length_m == pytest.approx(shell / 1.5 / MARKER_EFFICIENCY, rel=1e-3)
    assert three.bom.fabric_area_m2 == pytest.approx(3 * one.bom.fabric_area_m2, rel=1e-3)
    assert three.bom.trims["zip_18cm"] == 3
    assert one.bom.pocketing_area_m2 > 0 and one.bom.thread_m > 0


def test_narrow_directional_fabric_needs_more_length_and_pins_rotation():
    plain = draft_order(make_order("trousers", fabric="WOOL-GRY"))
    pile = draft_order(make_order("trousers", fabric="CORD-BRN"))
    assert pile.bom.fabric_length_m > plain.bom.fabric_length_m
    assert (plain.bom.thread_colour, pile.bom.thread_colour) == ("grey", "brown")
    assert all(p.allowed_rotations == (0,) for p in pile.pieces)
    assert all(p.allowed_rotations == (0, 180) for p in plain.pieces)


def test_unknown_fabric_is_flagged_not_refused():
    d = draft_order(make_order("tshirt", fabric="MYSTERY-1"))
    assert not d.bom.fabric_known and d.bom.fabric_width_mm == 1500
    assert any("MYSTERY-1" in f for f in d.flags)


def test_button_count_follows_options():
    long_ = draft_order(make_order("shirt", options={"sleeve": "long", "collar": "button_down"}))
    short = draft_order(make_order("shirt", options={"sleeve": "short", "collar": "classic"}))
    assert long_.bom.trims["button_11mm"] == short.bom.trims["button_11mm"] + 6


def test_cut_polygons_give_each_piece_to_cut_with_mirrored_pairs():
    d = draft_order(make_order("shirt", size="M"))
    pieces = {p.name: p for p in d.pieces}
    fronts = pieces["front"].cut_polygons()
    assert len(fronts) == 2 and fronts[0].equals(pieces["front"].cut_line)
    assert fronts[1].area == pytest.approx(fronts[0].area) and not fronts[1].equals(fronts[0])
    assert fronts[1].exterior.is_ccw
    minx0, _, maxx0, _ = fronts[0].bounds
    minx1, _, maxx1, _ = fronts[1].bounds
    assert maxx1 - minx1 == pytest.approx(maxx0 - minx0)
    assert len(pieces["cuff"].cut_polygons()) == 4
    total = sum(poly.area for p in d.pieces for poly in p.cut_polygons())
    assert total / 1e6 == pytest.approx(d.bom.fabric_area_m2, rel=1e-3)
