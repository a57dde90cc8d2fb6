"""The operator's station screen in headless Chromium: start and finish a bundle by touch, scan
one with Enter, acknowledge an alarm; the store follows and the controls are touch sized."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from core.audit import recent
from core.db import make_engine, transaction
from core.migrate import upgrade
from core.schema import AlarmRow, EventRow
from tests.e2e.harness import chromium, login, screenshot, streamlit_app, wait_for_text, wait_until
from tests.hmi.operator_store import add_alarms, add_plan
from tests.hmi.pages_store import PASSWORD, add_defects, add_people

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def operation_events(engine) -> list[str]:
    with transaction(engine) as s:
        return list(
            s.scalars(
                select(EventRow.type)
                .where(EventRow.type.like("operation.%"))
                .order_by(EventRow.time)
            )
        )


def test_operator_works_a_bundle_and_acknowledges_an_alarm(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    upgrade(url)
    engine = make_engine(url)
    home = tmp_path / "home"
    add_people(engine)
    add_plan(engine)
    alarm_ids = add_alarms(engine)
    add_defects(engine, home, datetime.now(UTC))
    env = {"ATELIER_DATABASE_URL": url, "ATELIER_HOME": str(home)}
    try:
        with streamlit_app(env, tmp_path / "streamlit.log") as base, chromium() as context:
            page = context.new_page()
            login(page, base, "olga", PASSWORD, path="operator?station=S3")
            page.get_by_role("heading", name="Operator · station S3").wait_for(timeout=30_000)
            wait_for_text(page, "B-101")
            page.get_by_role("button", name="Start", exact=True).click()
            wait_for_text(page, "running 0:00:0")
            wait_until(
                lambda: operation_events(engine) == ["operation.started"], 30, "the start event"
            )
            # A rerun shows the previous run's elements until it replaces them; wait it out.
            pause = page.get_by_role("button", name="Pause", exact=True)
            wait_until(lambda: pause.count() == 1 and pause.is_enabled(), 15, "the new buttons")
            buttons = [
                page.get_by_role("button", name=name, exact=True)
                for name in ("Start", "Pause", "Finish", "Scrap", "Call maintenance", "Acknowledge")
            ]
            assert all(b.bounding_box()["height"] >= 48 for b in buttons)
            # Each live table is drawn once (no stale copy left by a fragment's rerun).
            wait_until(lambda: page.get_by_text("B-102").count() == 1, 15, "one next-bundles table")
            screenshot(page, "hmi-operator-station")
            page.get_by_role("button", name="Finish", exact=True).click()
            wait_until(
                lambda: operation_events(engine) == ["operation.started", "operation.finished"],
                30,
                "the finish event",
            )
            scan = page.get_by_label("Scan bundle")
            scan.fill("B-103")
            scan.press("Enter")
            wait_for_text(page, "Bundle B-103 selected")
            page.get_by_role("button", name="Acknowledge", exact=True).click()
            wait_until(
                lambda: _acknowledged(engine, alarm_ids[:2]) == 1, 30, "an acknowledged alarm"
            )
            with transaction(engine) as s:
                actions = [e.action for e in recent(s, 4)]
            assert actions == [
                "alarm.acknowledge",
                "bundle.scan",
                "operation.finish",
                "operation.start",
            ]
    finally:
        engine.dispose()


def _acknowledged(engine, ids: list[int]) -> int:
    with transaction(engine) as s:
        return sum(s.get(AlarmRow, i).state == "acknowledged" for i in ids)
