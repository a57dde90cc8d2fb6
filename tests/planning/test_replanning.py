"""Replanning a stored plan version (cluster.replanning): a rush order inserted or a station down
for a while becomes the next draft version, with what moved and why, audited; started work
stays; bad requests store nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from cluster.planning import PlanningSettings, plan_orders
from cluster.replan_inputs import aware
from cluster.replanning import DownRequest, RushRequest, replan_version
from core.audit import recent
from core.config import load_factory
from core.db import transaction
from core.errors import InputError
from core.importer import import_batch
from core.plans import publish_plan
from core.schema import OrderRow, PlanRow
from tests.planning.helpers import FACTORY, ORIGIN, SHIRT_AND_SKIRTS, TSHIRTS, subset

FAST = PlanningSettings(time_limit_s=2, created_by="pia")
NOW = ORIGIN + timedelta(minutes=4)  # the plan of three orders runs 06:00-06:23


@pytest.fixture
def planned(engine, tmp_path):
    """Version 1 of three orders planned at ORIGIN; two T-shirt orders imported since."""
    factory = load_factory(FACTORY)
    import_batch(engine, subset(tmp_path, SHIRT_AND_SKIRTS))
    plan_orders(engine, factory, settings=FAST, origin=ORIGIN)
    import_batch(engine, subset(tmp_path, TSHIRTS, "tshirts.csv"))
    return factory


def _version(engine, version: int) -> dict[str, PlanRow]:
    with transaction(engine) as session:
        rows = session.scalars(
            select(PlanRow)
            .where(PlanRow.version == version)
            .options(selectinload(PlanRow.assignments), selectinload(PlanRow.markers))
        ).all()
        for row in rows:
            session.expunge(row)
        return {r.kind: r for r in rows}


def _placed(row: PlanRow) -> dict[str, tuple[str, object, object]]:
    return {
        f"{a.order_id}:{a.operation_code}": (a.station_id, aware(a.start), aware(a.end))
        for a in row.assignments
    }


def test_a_rush_order_becomes_the_next_draft_with_what_moved(engine, planned):
    rush = RushRequest(TSHIRTS[0], due_date=date(2026, 11, 24), priority="rush")
    outcome = replan_version(
        engine, planned, 1, rush, settings=FAST, now=NOW, time_limit_s=3, actor="hmi:pia"
    )
    assert (outcome.version, outcome.from_version) == (2, 1)
    old, new = _version(engine, 1), _version(engine, 2)
    assert {r.status for r in new.values()} == {"draft"} and len(outcome.plan_ids) == 2
    before, after = _placed(old["sewing"]), _placed(new["sewing"])
    added = {op for op in after if op.startswith(f"{TSHIRTS[0]}:")}
    assert added and outcome.added == len(added)
    assert set(after) == set(before) | added
    moved = {op for op in before if before[op][:2] != after[op][:2]}
    assert outcome.moved == len(moved)
    rows = {c["operation"]: c for c in outcome.changes}
    assert set(rows) == moved | added
    assert all(rows[op]["why"] == f"new: rush order {TSHIRTS[0]}" for op in added)
    assert all(rows[op]["from station"] == before[op][0] for op in moved)
    # Work that started before now keeps its place and is pinned.
    started = {op for op, (_, start, _) in before.items() if start < NOW}
    assert all(after[op] == before[op] for op in started)
    assert {f"{a.order_id}:{a.operation_code}" for a in new["sewing"].assignments if a.pinned} == (
        started
    )
    # The cut plan keeps the markers and adds the rush order's own.
    old_names = {m.name for m in old["cut"].markers}
    rush_markers = [m for m in new["cut"].markers if m.name not in old_names]
    assert old_names <= {m.name for m in new["cut"].markers}
    assert rush_markers and all(m.order_ids == [TSHIRTS[0]] for m in rush_markers)
    assert all(m.station_id and 0 < m.efficiency <= 1 for m in rush_markers)
    assert outcome.after["operations"] == outcome.before["operations"] + len(added)
    kpis = new["sewing"].kpis
    assert kpis["orders"] == [*old["sewing"].kpis["orders"], TSHIRTS[0]]
    assert kpis["replan"]["disruption"]["rush_order"] == TSHIRTS[0]
    with transaction(engine) as session:
        order = session.get(OrderRow, TSHIRTS[0])
        assert (order.status, order.priority, order.due_date) == (
            "planned",
            "rush",
            date(2026, 11, 24),
        )
        entry = recent(session)[0]
    assert (entry.actor, entry.action, entry.target) == ("hmi:pia", "plan.replan", "plan:v2")
    assert entry.before["order"] == {"due_date": "2026-12-10", "priority": "normal"}
    assert entry.after["moved"] == outcome.moved and entry.after["plan_ids"] == outcome.plan_ids


def test_a_station_down_for_two_hours_gets_no_work_then_and_stays_down_in_later_replans(
    engine, planned
):
    old = _version(engine, 1)
    later = [a for a in old["sewing"].assignments if aware(a.start) >= NOW]
    station = max(
        {a.station_id for a in later}, key=lambda s: sum(a.station_id == s for a in later)
    )
    since, until = NOW, NOW + timedelta(hours=2)
    outcome = replan_version(
        engine,
        planned,
        1,
        DownRequest(station, since, 120),
        settings=FAST,
        now=NOW,
        time_limit_s=3,
        actor="hmi:pia",
    )
    assert outcome.moved > 0 and outcome.added == 0
    whys = {c["why"] for c in outcome.changes}
    assert f"{station} is down" in whys
    assert any(f"{station} is down from minute 4 to minute 124" in e for e in outcome.explanation)

    def off_during_outage(version: int) -> bool:
        return all(
            not (aware(a.start) < until and aware(a.end) > since)
            for a in _version(engine, version)["sewing"].assignments
            if a.station_id == station
        )

    assert off_during_outage(2)
    # Replanning the replan (a rush order now) keeps the outage.
    again = replan_version(
        engine, planned, 2, RushRequest(TSHIRTS[1]), settings=FAST, now=NOW, time_limit_s=3
    )
    assert again.version == 3 and off_during_outage(3)


def test_bad_requests_store_nothing(engine, planned):
    def plans() -> int:
        with transaction(engine) as session:
            return session.scalar(select(func.count(PlanRow.id)))

    count = plans()
    cases = [
        (1, RushRequest("NOPE-1"), "not in the store"),
        (1, RushRequest(SHIRT_AND_SKIRTS[0]), "already in this plan"),
        (1, RushRequest(TSHIRTS[0], priority="urgent"), "priority 'urgent' is not one of"),
        (1, DownRequest("S99", NOW, 60), "station S99 is not in the plan"),
        (7, RushRequest(TSHIRTS[0]), "no sewing plan version 7"),
    ]
    for version, request, message in cases:
        with pytest.raises(InputError, match=message):
            replan_version(engine, planned, version, request, settings=FAST, now=NOW)
    # A request that cannot be an outage is refused where it is made.
    with pytest.raises(InputError, match="S1 down for 0 minutes: give at least 1 minute"):
        DownRequest("S1", NOW, 0)
    with pytest.raises(InputError, match="needs a time zone"):
        DownRequest("S1", NOW.replace(tzinfo=None), 60)
    # A superseded version is refused too.
    replan_version(engine, planned, 1, RushRequest(TSHIRTS[0]), settings=FAST, now=NOW)
    with transaction(engine) as session:
        for row in session.scalars(select(PlanRow).where(PlanRow.version == 1)):
            publish_plan(session, row.id)
        for row in session.scalars(select(PlanRow).where(PlanRow.version == 2)):
            publish_plan(session, row.id)
    with pytest.raises(InputError, match="superseded"):
        replan_version(engine, planned, 1, RushRequest(TSHIRTS[1]), settings=FAST, now=NOW)
    assert plans() == count + 2
