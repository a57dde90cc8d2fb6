"""Reusable end-to-end harness: free ports, a Streamlit (or `atelier up`) server, headless
Chromium through Playwright's Python package, sign-in, waiting on text with a deadline, and
screenshots under artifacts/.

Chromium is Debian's /usr/bin/chromium (never `playwright install`); as root it needs
--no-sandbox.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "artifacts"
CHROMIUM = os.environ.get("ATELIER_CHROMIUM", "/usr/bin/chromium")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(check, timeout_s: float, what: str, every_s: float = 0.2):  # type: ignore[no-untyped-def]
    """Poll `check()` until it returns a truthy value or the deadline passes."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {timeout_s:.0f} s for {what}")
        time.sleep(every_s)


def _healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/_stcore/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def stop_process_group(proc: subprocess.Popen, timeout_s: float = 20) -> None:
    """SIGTERM the process group started with `start_new_session`, then SIGKILL what is left."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=timeout_s)


@contextmanager
def served(
    command: list[str], url: str, env: Mapping[str, str], log_path: Path, timeout_s: float = 90
) -> Iterator[subprocess.Popen]:
    """Run `command` in its own process group until `url` answers Streamlit's health check."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            command,
            cwd=REPO,
            env=dict(env),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_until(
                lambda: _healthy(url) or proc.poll() is not None, timeout_s, f"{url} to serve"
            )
            if proc.poll() is not None:
                raise RuntimeError(f"{command[:4]} exited with {proc.returncode}; see {log_path}")
            yield proc
        finally:
            stop_process_group(proc)


@contextmanager
def streamlit_app(
    env: Mapping[str, str], log_path: Path, app: Path = REPO / "hmi" / "app.py"
) -> Iterator[str]:
    """`streamlit run hmi/app.py` on a free loopback port; yields its base URL."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app),
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
    ]
    url = f"http://127.0.0.1:{port}"
    with served(command, url, {**os.environ, "PYTHONPATH": str(REPO), **env}, log_path):
        yield url


@contextmanager
def chromium(viewport: tuple[int, int] = (1280, 900)) -> Iterator:  # type: ignore[type-arg]
    """A fresh headless Chromium browser context (Playwright sync API)."""
    from playwright.sync_api import sync_playwright

    args = ["--no-sandbox"] if os.geteuid() == 0 else []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)
        try:
            context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
            yield context
            context.close()
        finally:
            browser.close()


def wait_for_text(page, text: str, timeout_s: float = 30) -> None:  # type: ignore[no-untyped-def]
    """Wait until `text` is visible on the page, or fail after the deadline."""
    page.get_by_text(text, exact=False).first.wait_for(state="visible", timeout=timeout_s * 1000)


def login(page, base_url: str, name: str, password: str, path: str = "") -> None:  # type: ignore[no-untyped-def]
    """Open `base_url/path`, fill the sign-in form and submit it."""
    page.goto(f"{base_url}/{path}")
    page.get_by_label("User").wait_for(timeout=60_000)
    page.get_by_label("User").fill(name)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def screenshot(page, name: str) -> Path:  # type: ignore[no-untyped-def]
    """Save a full-page screenshot as artifacts/<name>.png (a test artefact, gitignored)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
