"""The planner page through AppTest: upload with bad rows, orders, drafting, publishing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from core.audit import recent, record
from core.db import make_engine, transaction
from core.importer import list_orders
from core.plans import new_plan, publish_plan
from core.schema import OrderRow, PlanRow
from core.users import Role
from hmi.planner.desk import publish, upload_batch
from hmi.planner.planning import plan_orders
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


def test_planning_is_reported_unavailable_without_the_scheduler(store):
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


def _store_one_draft(engine, orders, *, created_by, actor, on_progress):
    """A stand-in for the scheduler's adapter (main has none yet): it honours the contract by
    storing one real draft plan with its audit row; no solving."""
    on_progress("sewing", f"{len(orders)} orders")
    with transaction(engine) as s:
        plan = new_plan(s, "sewing:L1", "sewing", created_by, {"orders": len(orders)})
        record(s, actor, "plan.create", f"plan:{plan.family}:v{plan.version}")
        return [plan.id]


def test_the_planning_seam_calls_the_schedulers_plan_orders(store, monkeypatch):
    import scheduler

    monkeypatch.setattr(scheduler, "plan_orders", _store_one_draft, raising=False)
    at = upload(page(PIA), "orders_demo.csv", (SAMPLES / "orders_demo.csv").read_bytes())
    at.button(key="plan").click().run()
    assert not at.exception and not at.error
    with transaction(store) as s:
        (plan,) = s.scalars(select(PlanRow)).all()
        assert (plan.status, plan.created_by, plan.kpis) == ("draft", "pia", {"orders": 24})
        assert recent(s)[0].action == "plan.create" and recent(s)[0].actor == "hmi:pia"
    assert at.selectbox(key="publish_pick").value == f"sewing:L1 v1 (id {plan.id})"
    with pytest.raises(RoleRefused):
        plan_orders(store, OLGA, [], _store_one_draft, lambda stage, message: None)
