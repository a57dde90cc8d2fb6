"""The planner page through AppTest: upload with bad rows, orders, drafting, publishing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from core.audit import recent
from core.db import make_engine, transaction
from core.importer import list_orders
from core.plans import new_plan, publish_plan
from core.schema import OrderRow, PlanRow
from core.users import Role
from hmi.planner.desk import publish, upload_batch
from hmi.planner.planning import plan_orders, planning_backend
from hmi.roles import RoleRefused
from hmi.session import USER_KEY, SignedIn
from tests.hmi.pages_store import add_people

ROOT = Path(__file__).resolve().parents[2]
VIEW = ROOT / "hmi" / "views" / "planner.py"
SAMPLES = ROOT / "data" / "samples"
PIA = SignedIn("pia", Role.PLANNER)
OLGA = SignedIn("olga", Role.OPERATOR)


@pytest.fixture
def store(db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("ATELIER_DATABASE_URL", db_url)
    monkeypatch.setenv("ATELIER_HOME", str(tmp_path / "home"))
    engine = make_engine(db_url)
    add_people(engine)
    yield engine
    engine.dispose()


def page(user: SignedIn) -> AppTest:
    at = AppTest.from_file(str(VIEW), default_timeout=60)
    at.session_state[USER_KEY] = user
    return at.run()


def upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.file_uploader(key="batch_file").upload(name, data, "text/csv")
    return at.button(key="FormSubmitter:upload-Import").click().run()


def test_upload_with_bad_rows_shows_the_report_and_stores_the_good_rows(store):
    at = upload(
        page(PIA), "orders_with_errors.csv", (SAMPLES / "orders_with_errors.csv").read_bytes()
    )
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["imported"] == "2" and metrics["rows with errors"] == "8"
    (report,) = [
        d.value for d in at.dataframe if list(d.value.columns) == ["row", "field", "message"]
    ]
    assert set(report["row"]) == {2, 3, 4, 5, 6, 7, 8, 9}
    assert "style" in set(report[report["row"] == 2]["field"])
    stored = sorted(o.order_id for o, _ in list_orders(store))
    assert stored == ["ERR-001", "ERR-010"]
    (orders_table,) = [d.value for d in at.dataframe if "customer" in d.value.columns]
    assert sorted(orders_table["order"]) == stored and set(orders_table["status"]) == {"received"}
    with transaction(store) as s:
        entry = recent(s)[0]
    assert (entry.actor, entry.action) == ("hmi:pia", "orders.import")
    assert entry.after["imported"] == ["ERR-001", "ERR-010"]


def test_a_file_that_is_no_batch_stores_nothing(store):
    at = upload(page(PIA), "photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00binary")
    assert not at.exception
    assert any(e.value.startswith("photo.csv:") for e in at.error)
    with transaction(store) as s:
        assert s.scalars(select(OrderRow)).first() is None
        assert not [e for e in recent(s) if e.action == "orders.import"]


def test_drafting_results_for_an_order(store):
    at = upload(page(PIA), "orders_demo.csv", (SAMPLES / "orders_demo.csv").read_bytes())
    at.selectbox(key="draft_order").set_value("MTM-2026-1001").run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert float(metrics["SMV per garment"]) > 0
    assert float(metrics["fabric (m)"]) > 0
    fit = [d.value for d in at.dataframe if "girth" in d.value.columns]
    assert fit and set(fit[0]["girth"]) >= {"chest"}


def test_planning_is_reported_unavailable_without_the_scheduler(store, monkeypatch):
    import hmi.planner.planning as planning

    def no_scheduler(name: str):
        raise ImportError(f"No module named {name!r}")

    monkeypatch.setattr(planning.importlib, "import_module", no_scheduler)
    at = page(PIA)
    assert any("Planning is not available" in i.value for i in at.info)


def _two_versions(engine) -> tuple[int, int]:
    with transaction(engine) as s:
        first = new_plan(s, "sewing:L1", "sewing", "pia", {"late orders": 0})
        publish_plan(s, first.id)
        second = new_plan(s, "sewing:L1", "sewing", "pia", {"late orders": 1})
        return first.id, second.id


def test_publish_supersedes_the_published_version_and_is_audited(store):
    first, second = _two_versions(store)
    at = page(PIA)
    assert at.selectbox(key="publish_pick").value == f"sewing:L1 v2 (id {second})"
    at.button(key="publish").click().run()
    assert not at.exception and [s.value for s in at.success] == [
        f"Published sewing:L1 v2 (id {second})"
    ]
    with transaction(store) as s:
        assert s.get(PlanRow, first).status == "superseded"
        assert s.get(PlanRow, second).status == "published"
        entry = recent(s)[0]
    assert (entry.actor, entry.action, entry.target) == (
        "hmi:pia",
        "plan.publish",
        "plan:sewing:L1:v2",
    )
    assert entry.after["status"] == "published"


def test_an_operator_is_refused_the_page_and_its_actions(store):
    _, second = _two_versions(store)
    at = page(OLGA)
    assert [e.value for e in at.error] == ["This page is not open to your role."]
    assert not at.file_uploader and not at.button
    with pytest.raises(RoleRefused):
        upload_batch(store, OLGA, "b.csv", (SAMPLES / "orders_demo.csv").read_bytes())
    with pytest.raises(RoleRefused), transaction(store) as s:
        publish(s, OLGA, second)
    with transaction(store) as s:
        assert s.get(PlanRow, second).status == "draft"
        assert s.scalars(select(OrderRow)).first() is None


SMALL_BATCH = (
    "order_id,customer,style,options,size,fabric,quantity,due_date,priority\n"
    "HMI-1,Ana Silva,skirt,length=knee,M,TWILL-NVY,1,2026-12-20,normal\n"
    "HMI-2,Rui Costa,skirt,length=mini,S,TWILL-NVY,1,2026-12-21,high\n"
)


def test_the_planner_plans_the_open_orders_for_real(store, monkeypatch):
    monkeypatch.setenv("ATELIER_HMI_PLAN_TIME_LIMIT_S", "2")
    at = upload(page(PIA), "small.csv", SMALL_BATCH.encode())
    at.button(key="plan").click().run(timeout=240)
    assert not at.exception, "\n".join(at.exception[0].stack_trace)
    assert not at.error
    with transaction(store) as s:
        plans = s.scalars(select(PlanRow).order_by(PlanRow.id)).all()
        assert {(p.kind, p.status, p.created_by, p.version) for p in plans} == {
            ("cut", "draft", "pia", 1),
            ("sewing", "draft", "pia", 1),
        }
        cut = next(p for p in plans if p.kind == "cut")
        sewing = next(p for p in plans if p.kind == "sewing")
        assert cut.markers and all(0 < m.efficiency <= 1 for m in cut.markers)
        assert {a.order_id for a in sewing.assignments} == {"HMI-1", "HMI-2"}
        entry = recent(s)[0]
        assert (entry.action, entry.actor) == ("plan.create", "hmi:pia")
        assert entry.after["plan_ids"] == [p.id for p in plans]
    with pytest.raises(RoleRefused):
        plan_orders(store, OLGA, [], planning_backend(), lambda stage, message: None)


def test_the_central_look_ahead_shows_the_latest_proposals(store, tmp_path):
    from cluster.central.outputs import write_json
    from design_bridge.generation.image import write_swatch

    at = page(PIA)
    assert any("No central results yet" in i.value for i in at.info)
    designs = tmp_path / "home" / "central" / "designs"
    write_swatch(designs / "proposal_01.png", "navy", "cream", "stripe", 64)
    proposal = {
        "style": "skirt",
        "options": {"length": "knee"},
        "fabric": "TWILL-NVY",
        "ground": "navy",
        "accent": "cream",
        "print": "stripe",
        "image": "proposal_01.png",
        "score": 812.5,
        "breakdown": {"expected_units": 40.0, "sewing_cost": 120.0, "fabric_cost": 60.0},
    }
    write_json(designs / "designs.json", {"proposals": [proposal]})
    at = page(PIA)
    assert not at.exception
    (table,) = [d.value for d in at.dataframe if "score" in d.value.columns]
    assert table.to_dict("records")[0] == {
        "rank": 1,
        "style": "skirt",
        "options": "length=knee",
        "fabric": "TWILL-NVY",
        "colourway": "navy / cream",
        "print": "stripe",
        "score": 812.5,
        "expected_units": 40.0,
        "sewing_cost": 120.0,
        "fabric_cost": 60.0,
    }
