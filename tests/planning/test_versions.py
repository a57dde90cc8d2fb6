"""plan_orders stores a draft version with its KPIs, assignments and markers in one go; versions
count up; publishing supersedes the version published before; infeasibility stores nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from cluster.plan_publish import publish_version
from cluster.plan_versions import get_version, list_versions
from cluster.planning import PlanningSettings, plan_orders
from core.config import load_factory
from core.db import transaction
from core.errors import InputError
from core.importer import import_batch
from core.plans import published_plan
from core.schema import OrderRow, PlanRow
from scheduler.feasibility import PlanInfeasible
from tests.planning.helpers import FACTORY, ORIGIN, SHIRT_AND_SKIRTS, TSHIRTS, subset

FAST = PlanningSettings(time_limit_s=2)


@pytest.fixture
def factory():
    return load_factory(FACTORY)


def _statuses(engine, ids) -> set[str]:
    with transaction(engine) as session:
        return set(session.scalars(select(OrderRow.status).where(OrderRow.order_id.in_(ids))))


def test_plans_are_stored_as_versions_and_published_in_turn(engine, factory, tmp_path, monkeypatch):
    monkeypatch.setenv("ATELIER_HOME", str(tmp_path / "home"))  # no cluster runs there
    import_batch(engine, subset(tmp_path, SHIRT_AND_SKIRTS))
    stages: list[str] = []
    run = plan_orders(
        engine, factory, settings=FAST, origin=ORIGIN, on_progress=lambda s, _m: stages.append(s)
    )
    assert run.version == 1 and set(run.order_ids) == set(SHIRT_AND_SKIRTS)
    assert {"orders", "draft", "cut", "nest", "sew", "store"} <= set(stages)
    assert _statuses(engine, SHIRT_AND_SKIRTS) == {"planned"}

    with transaction(engine) as session:
        rows = session.scalars(
            select(PlanRow)
            .options(selectinload(PlanRow.assignments), selectinload(PlanRow.markers))
            .order_by(PlanRow.family)
        ).all()
        assert [(r.family, r.version, r.status) for r in rows] == [
            ("cut:C1", 1, "draft"),
            ("sewing:L1", 1, "draft"),
        ]
        cut, sewing = rows
        kpis = sewing.kpis
        assert kpis["makespan_min"] == run.plan.schedule.makespan
        assert set(kpis["marker_efficiencies"]) == {m.name for m in cut.markers}
        assert kpis["late_orders"] == len(kpis["orders_late_min"])
        assert set(kpis["station_utilisation"]) == {f"S{i}" for i in range(1, 11)}
        assert kpis["fabric_used_m"] == pytest.approx(
            sum(m.length_mm * m.plies for m in cut.markers) / 1000, abs=0.01
        )
        placed = {s.op_id: s for s in run.plan.schedule.operations}
        assert len(sewing.assignments) == len(run.sewing.operations) == len(placed)
        for a in sewing.assignments:
            s = placed[f"{a.order_id}:{a.operation_code}"]
            assert a.station_id == s.station_id
            assert a.start.replace(tzinfo=ORIGIN.tzinfo) == ORIGIN + timedelta(minutes=s.start)
        for m in cut.markers:
            assert 0 < m.efficiency <= 1 and m.station_id in {"CT1", "CT2"} and m.placements
        assert {o for m in cut.markers for o in m.order_ids} == set(SHIRT_AND_SKIRTS)

    with pytest.raises(InputError, match="no orders to plan"):
        plan_orders(engine, factory, settings=FAST, origin=ORIGIN)

    import_batch(engine, subset(tmp_path, TSHIRTS, "tshirts.csv"))
    second = plan_orders(engine, factory, settings=FAST, origin=ORIGIN)
    assert second.version == 2 and set(second.order_ids) == set(TSHIRTS)
    assert [v.version for v in list_versions(engine)] == [1, 2]

    first = publish_version(engine, 1)
    assert sorted(first.published) == ["cut:C1", "sewing:L1"] and not first.superseded
    assert set(first.pending) == {"C1", "L1"} and not first.delivered
    assert "no Atelier cluster is running" in first.pending["L1"]
    then = publish_version(engine, 2)
    assert then.superseded == {"cut:C1": 1, "sewing:L1": 1}
    with transaction(engine) as session:
        assert published_plan(session, "sewing:L1").version == 2
        assert published_plan(session, "cut:C1").version == 2
    assert get_version(engine, 1).status == "superseded"
    shown = get_version(engine, 2)
    assert {a["order_id"] for a in shown.payloads["sewing:L1"]["assignments"]} == set(TSHIRTS)
    assert shown.payloads["cut:C1"]["markers"][0]["fabric"] == "JERSEY-WHT"

    with pytest.raises(InputError, match="superseded"):
        publish_version(engine, 1)
    again = publish_version(engine, 2)  # delivers again, changes nothing in the store
    assert again.published == [] and set(again.pending) == {"C1", "L1"}
    with pytest.raises(InputError, match="no plan version 9"):
        publish_version(engine, 9)


def test_an_impossible_plan_explains_itself_and_stores_nothing(engine, factory, tmp_path):
    import_batch(engine, subset(tmp_path, SHIRT_AND_SKIRTS))
    no_button_sewer = PlanningSettings(time_limit_s=2, also_runs={})
    with pytest.raises(PlanInfeasible) as caught:
        plan_orders(engine, factory, settings=no_button_sewer, origin=ORIGIN)
    message = str(caught.value)
    assert "needs a button_sew machine; no station has one" in message
    assert "(3 orders: MTM-2026-1001, MTM-2026-1004, MTM-2026-1006)" in message
    assert len(caught.value.reasons) == 1
    with transaction(engine) as session:
        assert session.scalars(select(PlanRow)).all() == []
    assert _statuses(engine, SHIRT_AND_SKIRTS) == {"received"}


def test_a_bad_batch_names_its_rows_and_plans_nothing(engine, factory, tmp_path):
    path = subset(tmp_path, TSHIRTS)
    path.write_text(path.read_text().replace("2026-12-10", "2026-13-40"))
    with pytest.raises(InputError, match=r"1 bad rows, nothing planned:\n  row 1, due_date"):
        plan_orders(engine, factory, batch=path, settings=FAST, origin=ORIGIN)
    with transaction(engine) as session:
        assert session.scalars(select(OrderRow)).all() == []
