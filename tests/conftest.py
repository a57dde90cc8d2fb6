"""Store fixtures for every package: a migrated, empty store on SQLite and, when
`ATELIER_TEST_DATABASE_URL` is set, also on PostgreSQL (ids `sqlite` and `postgresql`).

On PostgreSQL each test session works in its own scratch schema (created, put first on the
search path through the connection options, dropped at the end), so parallel runs never collide.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, text
from sqlalchemy.engine import make_url

_PG_URL = os.environ.get("ATELIER_TEST_DATABASE_URL")
BACKENDS = [pytest.param("sqlite", id="sqlite")]
if _PG_URL:
    BACKENDS.append(pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres))


def _admin_url() -> str:
    assert _PG_URL is not None
    return _PG_URL


def pg_schema_url(schema: str) -> str:
    """The test server's URL with `schema` first on the search path (psycopg `options`)."""
    url = make_url(_admin_url())
    return url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False
    )


def _create_schema(prefix: str) -> str:
    import psycopg

    schema = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(_admin_url(), autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    return schema


def _drop_schema(schema: str) -> None:
    import psycopg

    with psycopg.connect(_admin_url(), autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file per session; each test gets a copy (faster than migrating)."""
    from core.migrate import upgrade

    path = tmp_path_factory.mktemp("store") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def _pg_session_schema() -> Iterator[str]:
    """The session's migrated scratch schema on the test server."""
    from core.migrate import upgrade

    schema = _create_schema("atelier_test")
    try:
        upgrade(pg_schema_url(schema))
        yield schema
    finally:
        _drop_schema(schema)


def empty_pg_tables(url: str) -> None:
    from core.db import make_engine
    from core.schema import Base

    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            present = set(inspect(conn).get_table_names())
            names = ", ".join(
                f'"{t.name}"' for t in Base.metadata.sorted_tables if t.name in present
            )
            if names:
                conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    finally:
        engine.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URL of a migrated, empty store, for this test only (also usable as ATELIER_DATABASE_URL)."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("_sqlite_template")
        path = tmp_path / "atelier.db"
        shutil.copyfile(template, path)
        yield f"sqlite:///{path}"
        return
    schema: str = request.getfixturevalue("_pg_session_schema")
    url = pg_schema_url(schema)
    empty_pg_tables(url)
    yield url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """An engine on a migrated, empty store (see `db_url`); disposed after the test."""
    from core.db import make_engine

    eng = make_engine(db_url)
    try:
        yield eng
    finally:
        eng.dispose()


@pytest.fixture(params=BACKENDS)
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URL of a store with no tables at all (for migration tests), for this test only."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    schema = _create_schema("atelier_empty")
    try:
        yield pg_schema_url(schema)
    finally:
        _drop_schema(schema)
