"""Shared pieces for the cluster tests: a scratch store, Ray's token auth, waiting on conditions."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import func, select

from cluster.store import prepare_store
from cluster.token import enable_token_auth, ensure_token
from core.db import make_engine, transaction
from core.schema import EventRow, LineAgentRow
from tests.conftest import empty_pg_tables, pg_schema_url

REPO = Path(__file__).resolve().parents[2]
_AUTH_VARS = ("RAY_AUTH_MODE", "RAY_AUTH_TOKEN", "RAY_AUTH_TOKEN_PATH")


def wait_for(condition: Callable[[], object], timeout_s: float, what: str, every_s: float = 0.1):  # type: ignore[no-untyped-def]
    """Poll `condition` until it is truthy; fail naming `what` after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout_s:.0f} s waiting for {what}")
        time.sleep(every_s)


@pytest.fixture
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The store under test, migrated and empty: with `ATELIER_TEST_DATABASE_URL` (PostgreSQL)
    the session's scratch schema on that server (like `db_url`, so runs side by side never see
    each other's rows or migrations), else a fresh SQLite file."""
    if os.environ.get("ATELIER_TEST_DATABASE_URL"):
        url = pg_schema_url(request.getfixturevalue("_pg_session_schema"))
        empty_pg_tables(url)
    else:
        url = f"sqlite:///{tmp_path / 'store.db'}"
    prepare_store(url)
    yield url


def stored_ids(url: str, line: str) -> list[str]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return list(conn.scalars(select(EventRow.id).where(EventRow.line == line)))
    finally:
        engine.dispose()


def stored_types(url: str, line: str) -> list[str]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                select(EventRow.type, func.count())
                .where(EventRow.line == line)
                .group_by(EventRow.type)
            )
            return [t for t, _ in rows]
    finally:
        engine.dispose()


def agent_row(url: str, line: str) -> LineAgentRow | None:
    engine = make_engine(url)
    try:
        with transaction(engine) as session:
            return session.get(LineAgentRow, line)
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def ray_token(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Token auth on for this module's Ray processes; the environment is restored afterwards."""
    saved = {k: os.environ.get(k) for k in _AUTH_VARS}
    path = ensure_token(tmp_path_factory.mktemp("home"))
    enable_token_auth(path)
    yield path
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    if "ray._raylet" in sys.modules:
        from ray._raylet import AuthenticationTokenLoader, Config

        Config.initialize("")
        AuthenticationTokenLoader.instance().reset_cache()


def agent_env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["ATELIER_HOME"] = str(home)
    env["PYTHONPATH"] = str(REPO)
    return env


@contextmanager
def local_ray_for(*lines: str) -> Iterator[None]:
    """A new local Ray instance (even where another Ray runs) with the `central` role and the
    given lines' roles, 1 CPU and a small object store; shut down on leaving."""
    import ray

    from cluster.roles import CENTRAL, NAMESPACE, ROLE_UNITS, line_resource

    ray.init(
        address="local",
        num_cpus=1,
        resources={CENTRAL: ROLE_UNITS, **{line_resource(line): ROLE_UNITS for line in lines}},
        object_store_memory=200 * 2**20,
        include_dashboard=False,
        namespace=NAMESPACE,
        log_to_driver=False,
    )
    try:
        yield
    finally:
        ray.shutdown()


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[bytes]]]:
    """Processes a test starts with `start_cli`; killed (whole session) if still running."""
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for proc in started:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def start_cli(
    procs: list[subprocess.Popen[bytes]], env: dict[str, str], log: Path, *args: str
) -> subprocess.Popen[bytes]:
    """`atelier ARGS` as its own session, output to `log`, recorded in `procs`."""
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "cluster.cli.main", *args], env=env, cwd=REPO,
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    procs.append(proc)
    return proc
