"""The migrations build exactly the schema the code declares, on SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from core.db import make_engine
from core.errors import AtelierError
from core.migrate import current_revision, downgrade, upgrade
from core.schema import Base

REPO = Path(__file__).resolve().parents[2]


def _differences(url: str) -> list[object]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            return list(compare_metadata(ctx, Base.metadata))
    finally:
        engine.dispose()


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_migrated_store_matches_the_declared_schema(empty_db_url: str) -> None:
    assert current_revision(empty_db_url) is None
    upgrade(empty_db_url)
    assert _differences(empty_db_url) == []
    assert set(Base.metadata.tables) <= _tables(empty_db_url)


def test_upgrade_twice_is_harmless_and_downgrade_empties(empty_db_url: str) -> None:
    upgrade(empty_db_url)
    head = current_revision(empty_db_url)
    upgrade(empty_db_url)
    assert current_revision(empty_db_url) == head
    downgrade(empty_db_url, "base")
    assert current_revision(empty_db_url) is None
    assert _tables(empty_db_url) & set(Base.metadata.tables) == set()


def test_cli_db_upgrade_migrates_the_store_named_by_the_environment(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    env = {"PYTHONPATH": str(REPO), "ATELIER_HOME": str(tmp_path), "ATELIER_DATABASE_URL": url}
    done = subprocess.run(
        [sys.executable, "-m", "cluster.cli.main", "db", "upgrade"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert current_revision(url) is not None
    assert "is at revision" in done.stdout
    assert _differences(url) == []


def test_a_store_made_without_migrations_is_refused_clearly(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    try:
        Base.metadata.tables["events"].create(engine)
    finally:
        engine.dispose()
    with pytest.raises(AtelierError, match="no migration history"):
        upgrade(empty_db_url)
    assert current_revision(empty_db_url) is None
