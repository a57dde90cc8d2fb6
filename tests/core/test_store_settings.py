"""Where the store lives: ATELIER_DATABASE_URL, else a SQLite file in WAL mode in the home."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from core.db import make_engine
from core.settings import atelier_home, database_url


def test_default_store_is_sqlite_in_the_home(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("ATELIER_HOME", str(home))
    monkeypatch.delenv("ATELIER_DATABASE_URL", raising=False)
    assert atelier_home() == home and home.is_dir()
    assert database_url() == f"sqlite:///{home / 'atelier.db'}"
    engine = make_engine()
    try:
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    finally:
        engine.dispose()
    assert (home / "atelier.db").exists()


def test_url_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'elsewhere.db'}"
    monkeypatch.setenv("ATELIER_DATABASE_URL", url)
    assert database_url() == url


def test_the_fixture_store_is_the_named_backend(engine: Engine, db_url: str) -> None:
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            schema = conn.execute(text("SELECT current_schema()")).scalar()
            assert schema is not None and schema.startswith("atelier_test_")
            assert engine.dialect.driver == "psycopg"
        else:
            assert db_url.startswith("sqlite:///")
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("SELECT count(*) FROM orders")).scalar() == 0
