"""The whole plant as a new user meets it: `atelier up`, a planner in headless Chromium, Ctrl-C.

`atelier up` runs on free ports with a temporary home and store; the planner sees both lines'
agents online (heartbeats from the real agents, through the real uplink and ingest), cannot open
the admin page, and after SIGINT no process that `up` started is left.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.harness import (
    REPO,
    chromium,
    login,
    screenshot,
    wait_for_text,
    wait_until,
)
from tests.up_process import atelier_up, up_env

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(500)]

PASSWORD = "planner secret"


def _atelier(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cluster.cli.main", *args],
        input=stdin,
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _agent_rows(page) -> dict[str, str]:  # type: ignore[no-untyped-def]
    table = page.locator("table").filter(has_text="events shipped")
    table.wait_for(timeout=60_000)
    return {
        r.inner_text().split("\t")[0].strip(): r.inner_text()
        for r in table.locator("tbody tr").all()
    }


def test_planner_sees_the_plant_through_atelier_up(tmp_path: Path) -> None:
    home = tmp_path / "home"
    url = os.environ.get("ATELIER_TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'store.db'}"
    env = up_env(home, url)

    for name, role in (("pia", "planner"),):
        added = _atelier(env, "users", "add", name, "--role", role, stdin=f"{PASSWORD}\n")
        assert added.returncode == 0, added.stderr

    with atelier_up(env, tmp_path / "up.err", "--heartbeat", "0.5") as running:
        up = running.proc
        ready = wait_until(running.ready_line, 240, "the ready line")
        port = running.port
        base = f"http://127.0.0.1:{port}"
        assert ready.strip() == f"atelier is up: HMI on {base}"

        with chromium() as context:
            page = context.new_page()
            login(page, base, "pia", PASSWORD)
            wait_for_text(page, "Updated", timeout_s=60)
            wait_until(
                lambda: (
                    (rows := _agent_rows(page)).keys() == {"C1", "L1"}
                    and all("online" in text for text in rows.values())
                ),
                120,
                "both lines online on the planner's screen",
                every_s=1.0,
            )
            assert page.get_by_role("heading", name="Planner", exact=True).count() == 1
            screenshot(page, "up-planner-lines-online")

            page.goto(f"{base}/admin")
            page.get_by_label("User").wait_for(timeout=60_000)
            login(page, base, "pia", PASSWORD, path="admin")
            wait_for_text(page, "Updated", timeout_s=60)
            assert page.get_by_role("heading", name="Admin", exact=True).count() == 0
            assert page.get_by_role("link", name="Admin").count() == 0
            assert page.get_by_text("Audit log").count() == 0
            screenshot(page, "up-planner-refused-admin")

        assert len(running.remember_children()) >= 4  # Ray, the agents and the HMI at least
        up.send_signal(signal.SIGINT)
        assert up.wait(timeout=120) == 0
        wait_until(lambda: not running.leftovers(), 60, "every child gone")
