"""A quality user reviews defects in headless Chromium: one by keyboard, one by touch; the
store, the audit log and the Pareto follow. Screenshots of every page go to artifacts/."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from core import users
from core.audit import recent
from core.db import make_engine, transaction
from core.migrate import upgrade
from core.schema import AlarmRow, DefectRow
from tests.e2e.harness import (
    REPO,
    chromium,
    login,
    screenshot,
    streamlit_app,
    wait_for_text,
    wait_until,
)
from tests.hmi.pages_store import PASSWORD, add_cycle_counts, add_defects, add_models

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("quality_e2e")
    url = f"sqlite:///{tmp / 'store.db'}"
    upgrade(url)
    engine = make_engine(url)
    with transaction(engine) as s:
        users.add_user(s, "quinn", "quality", PASSWORD, actor="test")
        users.add_user(s, "ada", "admin", PASSWORD, actor="test")
    now = datetime.now(UTC)
    ids = add_defects(engine, tmp / "home", now)
    # Three hours of S3's and S5's cycle counters, so the p-chart has its n per hour.
    for station in ("S3", "S5"):
        add_cycle_counts(engine, station, now - timedelta(hours=3), [2.0 * i for i in range(180)])
    add_models(engine)
    with transaction(engine) as s:
        s.add(AlarmRow(key="S3.thread_break", line="L1", station="S3", message="Thread break"))
    env = {"ATELIER_DATABASE_URL": url, "ATELIER_HOME": str(tmp / "home")}
    with streamlit_app(env, tmp / "streamlit.log") as base_url:
        yield base_url, engine, ids
    engine.dispose()


def settled(page) -> None:  # type: ignore[no-untyped-def]
    """Wait until the app's script run has finished (its running indicator is gone)."""
    status = page.locator('[data-testid="stStatusWidget"]')
    wait_until(lambda: status.count() == 0 or not status.first.is_visible(), 30, "the run to end")


def statuses(engine) -> dict[int, str]:
    with transaction(engine) as s:
        return dict(s.execute(select(DefectRow.id, DefectRow.review_status)).all())


def test_quality_review_by_keyboard_and_touch(seeded):
    base_url, engine, ids = seeded
    with chromium(viewport=(1400, 1000)) as context:
        page = context.new_page()
        login(page, base_url, "quinn", PASSWORD)
        wait_for_text(page, "Review queue", 60)
        wait_for_text(page, "No confirmed defect by class")
        settled(page)
        screenshot(page, "quality_queue")
        confirm = page.get_by_role("button", name="Confirm")
        assert confirm.bounding_box()["height"] >= 48
        # ISA-101: a chosen filter value is grey, not the theme's red.
        tag = page.locator('[data-testid="stMultiSelectTagsContainer"] [data-tag]').first
        assert tag.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(158, 158, 158)"
        status_filter = page.locator(".stMultiSelect .react-aria-ComboBox").first
        assert status_filter.bounding_box()["height"] >= 48

        # Focus the page (not a field), as a reviewer clicking beside the image would.
        page.get_by_role("heading", name="Review queue").click()
        page.keyboard.press("a")
        wait_until(lambda: statuses(engine)[ids[0]] == "confirmed", 30, "the keyboard confirm")
        wait_for_text(page, f"Defect {ids[0]}: confirmed")
        # The Pareto now has a confirmed stain instead of its "no defect" note.
        wait_until(
            lambda: page.get_by_text("No confirmed defect by class").count() == 0,
            30,
            "the Pareto to count the confirmed defect",
        )
        settled(page)
        screenshot(page, "quality_after_confirm")

        page.get_by_role("button", name="Reject").click()
        wait_until(lambda: statuses(engine)[ids[1]] == "rejected", 30, "the touch reject")
        wait_for_text(page, f"Defect {ids[1]}: rejected")
        assert statuses(engine)[ids[2]] == "pending"
        with transaction(engine) as s:
            actions = [(e.actor, e.action) for e in recent(s, 2)]
        assert actions == [("hmi:quinn", "defect.reject"), ("hmi:quinn", "defect.confirm")]

        # A camera flags another defect: the live panel announces it without reloading the queue.
        with transaction(engine) as s:
            row = s.get(DefectRow, ids[2])
            fresh = DefectRow(
                line="L1",
                station="S7",
                time=datetime.now(UTC),
                image_path=row.image_path,
                heatmap_path=row.heatmap_path,
                box_x=1,
                box_y=1,
                box_w=8,
                box_h=8,
                score=0.99,
                defect_class="hole",
                model_version="v1",
            )
            s.add(fresh)
            s.flush()
            fresh_id = fresh.id
        announce = page.get_by_role("button", name="New defects flagged: show them")
        announce.click(timeout=30_000)
        wait_until(lambda: announce.count() == 0, 30, "the page to load the new defect")
        page.get_by_label("Defect", exact=True).click()  # the queue's list now offers it
        wait_for_text(page, f"#{fresh_id} · S7 · hole")


def test_screenshots_of_the_pages(seeded):
    base_url, _, _ = seeded
    # Streamlit scrolls inside its own container, so a tall window shows the whole page.
    with chromium(viewport=(1400, 2600)) as context:
        page = context.new_page()
        login(page, base_url, "ada", PASSWORD)
        for path, text in (
            ("overview", "Alarm journal"),
            ("planner", "Upload a batch"),
            ("quality", "Inspection model versions"),
            ("admin", "Audit log"),
        ):
            page.get_by_role("link", name=path.capitalize()).click()
            wait_for_text(page, text, 60)
            if path == "planner":
                # A batch with bad rows: the report lists them, the good rows are stored.
                batch = REPO / "data" / "samples" / "orders_with_errors.csv"
                page.locator('input[type="file"]').set_input_files(str(batch))
                wait_for_text(page, "errors.csv")  # the chip shortens long names
                page.get_by_role("button", name="Import").click()
                wait_for_text(page, "the good rows were stored", 60)
                wait_for_text(page, "SMV per garment", 60)
            if path == "overview":
                # The journal is a data grid drawn on a canvas; its cells exist but are hidden.
                journal = page.get_by_text("Thread break")
                wait_until(lambda j=journal: j.count() > 0, 30, "the alarm journal")
                page.locator('[data-testid="stVegaLiteChart"]').first.wait_for(timeout=30_000)
            settled(page)
            screenshot(page, f"page_{path}")
