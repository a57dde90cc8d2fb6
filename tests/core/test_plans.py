"""Plan versions per family; publishing supersedes the previous published version atomically."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError

from core.config import load_factory
from core.db import transaction
from core.errors import InputError
from core.plans import new_plan, publish_plan, published_plan
from core.plant import sync_plant
from core.schema import PlanAssignmentRow, PlanMarkerRow, PlanRow

T0 = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)


def test_versions_count_up_per_family(engine: Engine) -> None:
    with transaction(engine) as s:
        a1 = new_plan(s, "sewing:L1", "sewing", "planner1")
        a2 = new_plan(s, "sewing:L1", "sewing", "planner1")
        c1 = new_plan(s, "cut:C1", "cut", "planner2", kpis={"fabric_used_m": 41.5})
        assert (a1.version, a2.version, c1.version) == (1, 2, 1)
        assert a2.status == "draft" and c1.kpis == {"fabric_used_m": 41.5}
    with pytest.raises(IntegrityError), transaction(engine) as s:
        s.add(PlanRow(family="sewing:L1", version=2, kind="sewing", created_by="x"))


def test_publish_supersedes_the_previous_one(engine: Engine) -> None:
    with transaction(engine) as s:
        v1 = new_plan(s, "sewing:L1", "sewing", "p").id
        v2 = new_plan(s, "sewing:L1", "sewing", "p").id
        other = new_plan(s, "sewing:L2", "sewing", "p").id
    with transaction(engine) as s:
        publish_plan(s, v1)
        publish_plan(s, other)
    with transaction(engine) as s:
        assert published_plan(s, "sewing:L1").id == v1  # type: ignore[union-attr]
        publish_plan(s, v2)
    with transaction(engine) as s:
        rows = {p.id: p for p in s.scalars(select(PlanRow))}
        assert rows[v1].status == "superseded" and rows[v1].superseded_at is not None
        assert rows[v2].status == "published" and rows[v2].published_at is not None
        assert rows[other].status == "published"  # another family is untouched
        assert published_plan(s, "sewing:L1").id == v2  # type: ignore[union-attr]


def test_only_a_draft_can_be_published(engine: Engine) -> None:
    with transaction(engine) as s:
        v1 = new_plan(s, "cut:C1", "cut", "p").id
    with transaction(engine) as s:
        publish_plan(s, v1)
    with pytest.raises(InputError, match="only a draft"), transaction(engine) as s:
        publish_plan(s, v1)
    with pytest.raises(InputError, match="does not exist"), transaction(engine) as s:
        publish_plan(s, 9999)


def test_failed_publish_rolls_back_the_supersede(engine: Engine) -> None:
    with transaction(engine) as s:
        v1 = new_plan(s, "sewing:L1", "sewing", "p").id
        v2 = new_plan(s, "sewing:L1", "sewing", "p").id
    with transaction(engine) as s:
        publish_plan(s, v1)
    with pytest.raises(RuntimeError), transaction(engine) as s:
        publish_plan(s, v2)
        raise RuntimeError("delivery failed")
    with transaction(engine) as s:
        assert published_plan(s, "sewing:L1").id == v1  # type: ignore[union-attr]
        assert s.get(PlanRow, v2).status == "draft"  # type: ignore[union-attr]


def test_database_refuses_two_published_versions(engine: Engine) -> None:
    with pytest.raises(IntegrityError), transaction(engine) as s:
        for version in (1, 2):
            s.add(
                PlanRow(
                    family="f",
                    version=version,
                    kind="cut",
                    status="published",
                    published_at=T0,
                    created_by="x",
                )
            )


def test_assignments_and_markers(engine: Engine) -> None:
    with transaction(engine) as s:
        sync_plant(s, load_factory())
        plan = new_plan(s, "sewing:L1", "sewing", "p")
        plan.assignments.append(
            PlanAssignmentRow(
                bundle="B-1",
                operation_code="SH",
                station_id="S1",
                start=T0,
                end=T0 + timedelta(minutes=12),
                pinned=True,
            )
        )
        cut = new_plan(s, "cut:C1", "cut", "p")
        cut.markers.append(
            PlanMarkerRow(
                name="M1",
                fabric="OX-120",
                width_mm=1500.0,
                length_mm=3200.0,
                plies=4,
                efficiency=0.82,
                order_ids=["A-1"],
                placements=[{"piece": "front", "order_id": "A-1", "x": 0, "y": 0, "rotation": 0}],
                station_id="CT1",
            )
        )
    with transaction(engine) as s:
        a = s.scalars(select(PlanAssignmentRow)).one()
        assert a.pinned and a.end - a.start == timedelta(minutes=12)
        m = s.scalars(select(PlanMarkerRow)).one()
        assert m.placements[0]["piece"] == "front" and m.plies == 4
    with pytest.raises(IntegrityError), transaction(engine) as s:
        plan = s.scalars(select(PlanRow).where(PlanRow.kind == "sewing")).one()
        plan.assignments.append(
            PlanAssignmentRow(bundle="B-2", operation_code="SH", station_id="S1", start=T0, end=T0)
        )
    with pytest.raises(IntegrityError), transaction(engine) as s:
        plan = s.scalars(select(PlanRow).where(PlanRow.kind == "sewing")).one()
        plan.assignments.append(
            PlanAssignmentRow(
                bundle="B-3",
                operation_code="SH",
                station_id="NOPE",
                start=T0,
                end=T0 + timedelta(1),
            )
        )
