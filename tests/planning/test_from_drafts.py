"""Drafted orders become the scheduler's inputs: pieces turned to grain along +x, mirrored pairs,
one bundle per order with its routing's precedence, due dates in plan minutes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from shapely.geometry import Polygon

from core.config import load_factory
from core.errors import InputError
from core.importer import parse_batch
from design_bridge import draft_order
from scheduler.from_drafts import bundle_operations, due_minute, marker_pieces, planning_inputs

ROOT = Path(__file__).resolve().parents[2]
ORIGIN = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def demo():
    orders = [o for _, o in parse_batch(ROOT / "data/samples/orders_demo.csv").orders]
    return orders, [draft_order(o) for o in orders]


def test_pieces_turn_a_quarter_so_the_grain_runs_along_x(demo):
    _, drafted = demo
    shirt = next(d for d in drafted if d.style == "shirt")
    pieces = {p.piece_id: p for p in marker_pieces(shirt.to_dict())}
    for source in shirt.pieces:
        if source.material != "shell":
            assert source.name not in pieces
            continue
        turned = pieces[source.name]
        (gx0, gy0), (gx1, gy1) = turned.grain_line
        assert gy0 == pytest.approx(gy1) and gx0 != pytest.approx(gx1)
        minx, miny, maxx, maxy = Polygon(turned.polygon).bounds
        sminx, sminy, smaxx, smaxy = source.cut_line.bounds
        assert maxx - minx == pytest.approx(smaxy - sminy, abs=0.05)
        assert maxy - miny == pytest.approx(smaxx - sminx, abs=0.05)
        assert Polygon(turned.polygon).area == pytest.approx(source.cut_line.area, rel=1e-3)
        assert turned.rotations == tuple(float(r) for r in source.allowed_rotations)


def test_mirrored_pairs_are_cut_half_as_mirror_images(demo):
    _, drafted = demo
    shirt = next(d for d in drafted if d.style == "shirt")
    pieces = {p.piece_id: p for p in marker_pieces(shirt.to_dict())}
    pairs = [p for p in shirt.pieces if p.mirrored and p.material == "shell"]
    assert pairs
    for source in pairs:
        left, right = pieces[source.name], pieces[f"{source.name} mirror"]
        assert left.quantity + right.quantity == source.quantity
        assert Polygon(right.polygon).exterior.is_ccw == Polygon(left.polygon).exterior.is_ccw
        # the mirror image across the grain: same extent, y coordinates negated
        assert sorted(y for _, y in right.polygon) == pytest.approx(
            sorted(-y for _, y in left.polygon), abs=0.05
        )


def test_one_bundle_per_order_keeps_the_routing_precedence(demo):
    _, drafted = demo
    d = drafted[0]
    ops = bundle_operations(d.to_dict())
    assert [o.operation for o in ops] == [op.op_id for op in d.routing]
    assert {o.bundle_id for o in ops} == {f"{d.order_id}-B1"}
    for op, source in zip(ops, d.routing, strict=True):
        assert op.predecessors == tuple(f"{d.order_id}:{a}" for a in source.after)
        assert op.garments == d.quantity and op.smv == source.smv
    broken = d.to_dict()
    broken["routing"][-1]["after"] = ["no_such_op"]
    with pytest.raises(
        InputError, match=r"operation \w+ follows unknown operations \[.no_such_op.\]"
    ):
        bundle_operations(broken)


def test_due_minute_is_the_end_of_the_due_day_in_the_plant_zone():
    # Lisbon is on UTC in winter: 2026-11-24 ends at 2026-11-25 00:00 UTC.
    assert due_minute(date(2026, 11, 24), ORIGIN, "Europe/Lisbon") == (18 + 24) * 60
    assert due_minute(date(2026, 11, 24), ORIGIN, "Europe/Berlin") == (17 + 24) * 60


def test_planning_inputs_use_line_l1_and_the_plant_calendar(demo):
    orders, drafted = demo
    factory = load_factory(ROOT / "configs/factory.yaml")
    inputs = planning_inputs(
        [d.to_dict() for d in drafted],
        orders,
        factory,
        ORIGIN,
        also_runs={"buttonhole": ["button_sew"]},
    )
    assert [s.station_id for s in inputs.sewing.stations] == [f"S{i}" for i in range(1, 11)]
    assert any("button_sew" in s.machine_types for s in inputs.sewing.stations)
    assert {g.order_id for g in inputs.garments} == {o.order_id for o in orders}
    assert {g.demand for g in inputs.garments} == {o.quantity for o in orders}
    assert inputs.fabrics["CORD-BRN"].directional and not inputs.fabrics["POPLIN-WHT"].directional
    assert inputs.fabrics["JERSEY-WHT"].width_mm == 1800
    weights = {o.order_id: o.priority for o in inputs.sewing.orders}
    assert weights == {o.order_id: str(o.priority) for o in orders}
    assert inputs.sewing.calendar.working_windows()[0][0] >= 0
    with pytest.raises(InputError, match="without their order"):
        planning_inputs([drafted[0].to_dict()], orders[1:], factory, ORIGIN)
