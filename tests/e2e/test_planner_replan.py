"""A planner replans in headless Chromium: the planned version's Gantt and markers are drawn,
a rush order inserted becomes draft v2 with what moved, stored and audited. Screenshot
`artifacts/planner_replan.png`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from cluster.planning import PlanningSettings, plan_orders
from core import users
from core.audit import recent
from core.config import load_factory
from core.db import make_engine, transaction
from core.importer import import_batch
from core.migrate import upgrade
from core.schema import PlanRow
from tests.e2e.harness import (
    chromium,
    login,
    screenshot,
    streamlit_app,
    wait_for_text,
)
from tests.hmi.pages_store import PASSWORD
from tests.planning.helpers import FACTORY, SHIRT_AND_SKIRTS, TSHIRTS, subset

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_a_planner_inserts_a_rush_order_and_sees_what_moved(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    upgrade(url)
    engine = make_engine(url)
    with transaction(engine) as s:
        users.add_user(s, "pia", "planner", PASSWORD, actor="test")
    origin = (datetime.now(UTC) + timedelta(days=1)).replace(hour=6, minute=0, second=0)
    import_batch(engine, subset(tmp_path, SHIRT_AND_SKIRTS, origin=origin))
    settings = PlanningSettings(time_limit_s=2, created_by="pia")
    plan_orders(engine, load_factory(FACTORY), settings=settings, origin=origin)
    import_batch(engine, subset(tmp_path, TSHIRTS, "tshirts.csv", origin=origin))
    env = {
        "ATELIER_DATABASE_URL": url,
        "ATELIER_HOME": str(tmp_path / "home"),
        "ATELIER_HMI_REPLAN_TIME_LIMIT_S": "3",
    }
    try:
        with (
            streamlit_app(env, tmp_path / "streamlit.log") as base_url,
            chromium(viewport=(1400, 2600)) as context,
        ):
            page = context.new_page()
            login(page, base_url, "pia", PASSWORD, "planner")
            wait_for_text(page, "Schedule and cut plan", 60)
            gantt = page.locator('[data-testid="stVegaLiteChart"]').first
            gantt.wait_for(timeout=30_000)
            assert gantt.locator("canvas, svg").count() > 0  # drawn, not an error box
            wait_for_text(page, "m of fabric")  # the markers' captions
            page.get_by_role("button", name="Replan", exact=True).click()
            wait_for_text(page, "replanned as draft v2", 120)
            wait_for_text(page, "moved operations")
            # The page scrolls inside Streamlit's container: bring the plan sections to the top.
            heading = page.get_by_text("Schedule and cut plan").first
            heading.evaluate("e => e.scrollIntoView({block: 'start'})")
            screenshot(page, "planner_replan")
    finally:
        with transaction(engine) as s:
            versions = {(p.version, p.status) for p in s.scalars(select(PlanRow))}
            entry = recent(s)[0]
        engine.dispose()
    assert versions == {(1, "draft"), (2, "draft")}
    assert (entry.actor, entry.action) == ("hmi:pia", "plan.replan")
