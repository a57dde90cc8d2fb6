"""The HMI in headless Chromium against `streamlit run hmi/app.py`: a planner sees both lines and
cannot open /admin, an operator cannot open /planner. Screenshots go to artifacts/."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core import users
from core.audit import recent
from core.config import load_factory
from core.db import make_engine, transaction
from core.migrate import upgrade
from core.plant import sync_plant
from core.schema import LineAgentRow
from tests.e2e.harness import chromium, login, screenshot, streamlit_app, wait_for_text

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

PASSWORD = "long secret"


@pytest.fixture(scope="module")
def store_url(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hmi_e2e")
    url = f"sqlite:///{tmp / 'store.db'}"
    upgrade(url)
    engine = make_engine(url)
    now = datetime.now(UTC)
    with transaction(engine) as s:
        sync_plant(s, load_factory())  # the operator's bookmarked station must be in the plant
        users.add_user(s, "pia", "planner", PASSWORD, actor="test")
        users.add_user(s, "olga", "operator", PASSWORD, actor="test")
        s.add(LineAgentRow(line="C1", last_heartbeat=now, outbox_depth=2, events_shipped=40))
        s.add(LineAgentRow(line="L1", last_heartbeat=now, outbox_depth=0, events_shipped=75))
    engine.dispose()
    return url


@pytest.fixture(scope="module")
def hmi_url(store_url, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hmi_server")
    env = {
        "ATELIER_DATABASE_URL": store_url,
        "ATELIER_HOME": str(tmp / "home"),
        # Seeded heartbeats do not advance; keep them "online" for the whole test.
        "ATELIER_HMI_HEARTBEAT_STALE_S": "3600",
    }
    with streamlit_app(env, tmp / "streamlit.log") as base_url:
        yield base_url


@pytest.fixture
def page():
    with chromium() as context:
        yield context.new_page()


def heading_count(page, name: str) -> int:
    return page.get_by_role("heading", name=name, exact=True).count()


def open_in_session(page, path: str) -> None:
    """Ask the running session for another URL, as the browser's back/forward would."""
    page.evaluate(
        f"history.pushState({{}}, '', '/{path}'); dispatchEvent(new PopStateEvent('popstate'))"
    )


def test_planner_sees_both_lines_online(hmi_url, page):
    login(page, hmi_url, "pia", PASSWORD)
    wait_for_text(page, "Updated")
    table = page.locator("table").filter(has_text="events shipped")
    table.wait_for(timeout=30_000)
    rows = {
        r.inner_text().split("\t")[0].strip(): r.inner_text()
        for r in table.locator("tbody tr").all()
    }
    assert set(rows) == {"C1", "L1"}
    assert all("online" in text for text in rows.values())
    assert page.url.rstrip("/").endswith("/planner")
    # Touch-friendly: the controls are at least 48 px high.
    assert page.get_by_role("button", name="Sign out").bounding_box()["height"] >= 48
    screenshot(page, "hmi-planner")


def test_planner_cannot_open_admin(hmi_url, page):
    # Straight to /admin: a new session, so the sign-in comes first; it lands on the planner's home.
    login(page, hmi_url, "pia", PASSWORD, path="admin")
    wait_for_text(page, "Updated")
    assert heading_count(page, "Planner") == 1
    assert heading_count(page, "Admin") == 0 and page.get_by_text("Audit log").count() == 0
    assert page.get_by_role("link", name="Admin").count() == 0
    # Within the signed-in session, as the browser's back/forward would ask for it.
    page.evaluate(
        "history.pushState({}, '', '/admin'); dispatchEvent(new PopStateEvent('popstate'))"
    )
    wait_for_text(page, "Line agents")
    assert heading_count(page, "Admin") == 0 and page.get_by_text("Audit log").count() == 0
    screenshot(page, "hmi-planner-tries-admin")


def test_operator_cannot_open_planner(hmi_url, page):
    login(page, hmi_url, "olga", PASSWORD, path="planner")
    wait_for_text(page, "Updated")
    assert heading_count(page, "Operator") == 1
    assert heading_count(page, "Planner") == 0
    assert page.get_by_role("link", name="Planner").count() == 0
    open_in_session(page, "overview")
    page.get_by_role("heading", name="Overview", exact=True).wait_for(timeout=30_000)
    open_in_session(page, "planner")
    page.get_by_role("heading", name="Operator", exact=True).wait_for(timeout=30_000)
    wait_for_text(page, "Updated")
    assert heading_count(page, "Planner") == 0
    screenshot(page, "hmi-operator-tries-planner")


def test_bookmarked_station_opens_after_sign_in(hmi_url, page):
    login(page, hmi_url, "olga", PASSWORD, path="operator?station=S3")
    page.get_by_role("heading", name="Operator · station S3").wait_for(timeout=30_000)
    assert "/operator" in page.url and "station=S3" in page.url


def test_sign_in_controls_are_touch_sized(hmi_url, page):
    page.goto(hmi_url)
    page.get_by_label("User").wait_for(timeout=60_000)
    # The visible box of a text field is its root element, which clips the input inside.
    fields = page.get_by_test_id("stTextInputRootElement")
    controls = [fields.nth(0), fields.nth(1), page.get_by_role("button", name="Sign in")]
    assert all(c.bounding_box()["height"] >= 48 for c in controls)
    screenshot(page, "hmi-sign-in")


def test_idle_screen_signs_itself_out(tmp_path, store_url, page):
    # Its own server with a short idle time, reached by the live panel's reruns alone.
    env = {
        "ATELIER_DATABASE_URL": store_url,
        "ATELIER_HOME": str(tmp_path / "home"),
        "ATELIER_HMI_IDLE_TIMEOUT_S": "3",
        "ATELIER_HMI_REFRESH_S": "1",
    }
    with streamlit_app(env, tmp_path / "streamlit.log") as base_url:
        login(page, base_url, "pia", PASSWORD)
        wait_for_text(page, "Signed out after 1 min without activity.", timeout_s=60)
        # The notice can paint a moment before the sign-in form: wait for the form itself.
        page.get_by_role("button", name="Sign in").wait_for(state="visible", timeout=30_000)
        assert page.get_by_role("button", name="Sign in").count() == 1
        screenshot(page, "hmi-idle-signed-out")
    engine = make_engine(store_url)
    with transaction(engine) as s:
        actions = [e.action for e in recent(s) if e.actor == "hmi:pia"]
    engine.dispose()
    assert actions[:2] == ["session.idle_logout", "session.login"]
