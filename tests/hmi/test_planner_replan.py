"""The planner page's plan sections through AppTest, on a store planned for real: the Gantt per
station (late orders red) and the markers; a rush order and a station down replanned into a new
draft with what moved shown; an operator can trigger neither."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pyarrow as pa
import pytest
from sqlalchemy import func, select, update
from streamlit.testing.v1 import AppTest

from cluster.planning import PlanningSettings, plan_orders
from cluster.replan_inputs import aware
from core.audit import recent
from core.config import load_factory
from core.db import make_engine, transaction
from core.importer import import_batch
from core.schema import OrderRow, PlanAssignmentRow, PlanRow
from core.users import Role
from hmi.planner.replanning import replan_plan, replanning_backend, rush_request
from hmi.roles import RoleRefused
from hmi.session import USER_KEY, SignedIn
from tests.hmi.pages_store import add_people
from tests.planning.helpers import FACTORY, ROOT, SHIRT_AND_SKIRTS, TSHIRTS, subset

VIEW = ROOT / "hmi" / "views" / "planner.py"
PIA = SignedIn("pia", Role.PLANNER)
OLGA = SignedIn("olga", Role.OPERATOR)
# Tomorrow's plan: nothing of it has started when the test replans it.
ORIGIN = (datetime.now(UTC) + timedelta(days=1)).replace(hour=6, minute=0, second=0, microsecond=0)


@pytest.fixture
def store(db_url, tmp_path, monkeypatch):
    """Three orders planned as v1 (tomorrow), two T-shirt orders imported since."""
    monkeypatch.setenv("ATELIER_DATABASE_URL", db_url)
    monkeypatch.setenv("ATELIER_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("ATELIER_HMI_REPLAN_TIME_LIMIT_S", "3")
    engine = make_engine(db_url)
    add_people(engine)
    import_batch(engine, subset(tmp_path, SHIRT_AND_SKIRTS, origin=ORIGIN))
    settings = PlanningSettings(time_limit_s=2, created_by="pia")
    plan_orders(engine, load_factory(FACTORY), settings=settings, origin=ORIGIN)
    import_batch(engine, subset(tmp_path, TSHIRTS, "tshirts.csv", origin=ORIGIN))
    yield engine
    engine.dispose()


def page(user: SignedIn) -> AppTest:
    at = AppTest.from_file(str(VIEW), default_timeout=60)
    at.session_state[USER_KEY] = user
    return at.run()


def _plans(engine) -> list[tuple[int, str, str]]:
    with transaction(engine) as s:
        return [(p.version, p.kind, p.status) for p in s.scalars(select(PlanRow))]


def _gantt(at: AppTest) -> dict:
    (chart,) = at.get("vega_lite_chart")
    return json.loads(chart.proto.spec)


def _bars(at: AppTest) -> list[dict]:
    """The Gantt's bars as the browser gets them (the chart's Arrow dataset)."""
    (chart,) = at.get("vega_lite_chart")
    (dataset,) = chart.proto.datasets
    return pa.ipc.open_stream(dataset.data.data).read_pandas().to_dict("records")


def test_the_gantt_draws_each_station_and_late_orders_red_and_the_markers(store):
    at = page(PIA)
    assert not at.exception
    spec = _gantt(at)
    assert spec["encoding"]["color"]["scale"] == {
        "domain": ["on time", "late"],
        "range": ["#9e9e9e", "#c62828"],
    }
    bars = _bars(at)
    with transaction(store) as s:
        assigned = s.scalars(select(PlanAssignmentRow)).all()
        stations = {a.station_id for a in assigned}
        assert len(bars) == len(assigned)
    assert {b["station"] for b in bars} == stations
    assert {b["status"] for b in bars} == {"on time"}
    assert any("Every order is on time" in c.value for c in at.caption)
    (markers,) = [d.value for d in at.dataframe if "plies" in d.value.columns]
    assert (markers["efficiency"] > 0).all() and (markers["fabric (m)"] > 0).all()
    drawn = [i for i in at.get("image") if "plies" in str(i.proto)]
    assert len(drawn) == len(markers)  # each marker drawn, captioned with its plies
    # An order the plan makes late is drawn red and named.
    with transaction(store) as s:
        for row in s.scalars(select(PlanRow).where(PlanRow.kind == "sewing")):
            row.kpis = {**row.kpis, "orders_late_min": {SHIRT_AND_SKIRTS[0]: 45}}
    at = page(PIA)
    late = {b["order"] for b in _bars(at) if b["status"] == "late"}
    assert late == {SHIRT_AND_SKIRTS[0]}
    assert any(f"{SHIRT_AND_SKIRTS[0]} (45 min)" in w.value for w in at.warning)


def test_a_rush_order_is_replanned_into_a_new_draft_with_what_moved(store):
    at = page(PIA)
    assert at.selectbox(key="replan_version").value.startswith("v1 sewing:L1")
    at.selectbox(key="rush_order").set_value(TSHIRTS[0]).run()
    assert at.selectbox(key="rush_priority").value == "rush"
    at.button(key="replan").click().run(timeout=240)
    assert not at.exception, "\n".join(at.exception[0].stack_trace)
    assert not at.error
    assert any("replanned as draft v2" in s.value for s in at.success)
    metrics = {m.label: m.value for m in at.metric}
    assert "moved operations" in metrics and "late orders" in metrics
    (kpis,) = [d.value for d in at.dataframe if list(d.value.columns)[:2] == ["KPI", "before"]]
    ops = kpis.set_index("KPI").loc["operations"]
    (moved,) = [d.value for d in at.dataframe if "why" in d.value.columns]
    new = moved[moved["why"] == f"new: rush order {TSHIRTS[0]}"]
    assert len(new) == ops["after"] - ops["before"] > 0
    assert int(metrics["moved operations"]) == int(moved["from station"].notna().sum())
    assert sorted(_plans(store)) == [
        (1, "cut", "draft"),
        (1, "sewing", "draft"),
        (2, "cut", "draft"),
        (2, "sewing", "draft"),
    ]
    # The new draft is ready to publish and shown in the plans table.
    assert any(o.startswith("sewing:L1 v2") for o in at.selectbox(key="publish_pick").options)
    with transaction(store) as s:
        assert s.get(OrderRow, TSHIRTS[0]).status == "planned"
        entry = recent(s)[0]
    assert (entry.actor, entry.action, entry.target) == ("hmi:pia", "plan.replan", "plan:v2")


def test_a_station_down_moves_its_work_into_a_new_draft(store):
    with transaction(store) as s:
        first = s.scalars(
            select(PlanAssignmentRow).order_by(PlanAssignmentRow.start, PlanAssignmentRow.id)
        ).first()
        station, since = first.station_id, aware(first.start)
    at = page(PIA)
    at.radio(key="replan_kind").set_value("Station down").run()
    at.selectbox(key="down_station").set_value(station)
    at.date_input(key="down_date").set_value(since.date())
    at.time_input(key="down_time").set_value(since.time())
    at.number_input(key="down_for").set_value(240)
    at.button(key="replan").click().run(timeout=240)
    assert not at.exception, "\n".join(at.exception[0].stack_trace)
    assert not at.error
    (moved,) = [d.value for d in at.dataframe if "why" in d.value.columns]
    assert f"{station} is down" in set(moved["why"])
    assert (moved["to station"] != station).any()
    with transaction(store) as s:
        v2 = s.scalar(select(PlanRow).where(PlanRow.version == 2, PlanRow.kind == "sewing"))
        assert v2.status == "draft"
        until = since + timedelta(minutes=240)
        assert all(
            not (aware(a.start) < until and aware(a.end) > since)
            for a in v2.assignments
            if a.station_id == station
        )


def test_an_operator_cannot_replan(store):
    at = page(OLGA)
    assert [e.value for e in at.error] == ["This page is not open to your role."]
    assert not at.button and not at.radio
    backend = replanning_backend()
    assert backend is not None
    request = rush_request(backend, TSHIRTS[0], datetime.now(UTC).date(), "rush")
    with pytest.raises(RoleRefused):
        replan_plan(store, OLGA, 1, request, backend, lambda stage, message: None)
    with transaction(store) as s:
        assert s.scalar(select(func.count(PlanRow.id))) == 2
        assert s.get(OrderRow, TSHIRTS[0]).status == "received"
        assert not [e for e in recent(s) if e.action == "plan.replan"]
        s.execute(update(PlanRow).values(status="superseded"))
    # With nothing to replan the page says so instead of offering the controls.
    at = page(PIA)
    assert any("replanning starts from a draft or published plan" in i.value for i in at.info)
