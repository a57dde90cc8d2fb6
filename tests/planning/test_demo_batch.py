"""The whole demo batch planned end to end with a short time limit."""

from __future__ import annotations

import shutil
from collections import Counter

import pytest

from cluster.planning import PlanningSettings, plan_orders
from core.config import load_factory
from core.db import make_engine
from core.importer import parse_batch
from scheduler.check import check_schedule
from tests.planning.helpers import DEMO, FACTORY, ORIGIN


@pytest.mark.slow
def test_demo_batch_is_cut_nested_and_scheduled(_sqlite_template, tmp_path):
    store = tmp_path / "atelier.db"
    shutil.copyfile(_sqlite_template, store)
    engine = make_engine(f"sqlite:///{store}")
    try:
        run = plan_orders(
            engine,
            load_factory(FACTORY),
            batch=DEMO,
            # 324 operations: leave the solver room for a first schedule on a busy machine
            settings=PlanningSettings(time_limit_s=10),
            origin=ORIGIN,
        )
    finally:
        engine.dispose()
    demo_ids = {o.order_id for _, o in parse_batch(DEMO).orders}
    assert set(run.order_ids) == demo_ids and run.version == 1

    # every garment's pieces are in some marker, as often as its pieces x garments
    placed = Counter((p.order_id, p.piece_id) for m in run.plan.markers for p in m.placements)
    plies = {lay.marker_id: lay.plies for lay in run.plan.cut_plan.lays}
    cut = Counter()
    for marker in run.plan.markers:
        for p in marker.placements:
            cut[(p.order_id, p.piece_id)] += plies[marker.marker_id]
    from design_bridge import draft_order
    from scheduler.from_drafts import garment_of

    for _, order in parse_batch(DEMO).orders:
        garment = garment_of(draft_order(order).to_dict())
        for piece in garment.pieces:
            key = (order.order_id, piece.piece_id)
            assert key in placed, f"{key} is in no marker"
            assert cut[key] == piece.quantity * garment.demand, key

    ops = {op.op_id for op in run.sewing.operations}
    assert {s.op_id for s in run.plan.schedule.operations} == ops
    assert {op.order_id for op in run.sewing.operations} == demo_ids
    assert check_schedule(run.sewing, run.plan.schedule) == []
    names = {m.marker_id for m in run.plan.markers}
    assert set(run.kpis["marker_efficiencies"]) == names
    assert all(0 < e <= 1 for e in run.kpis["marker_efficiencies"].values())

    files = run.write_files(tmp_path / "out")
    for name in names:
        for suffix in ("svg", "dxf", "plt"):
            assert (tmp_path / "out" / "markers" / f"{name}.{suffix}").stat().st_size > 0
    assert (tmp_path / "out" / "gantt.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(files) == 3 * len(names) + 1
