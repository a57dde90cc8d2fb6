"""A scratch store for one test: SQLite in tmp_path, or a fresh PostgreSQL schema when
ATELIER_TEST_DATABASE_URL is set (the URL carries the schema so subprocesses use it too)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import text

from core.db import make_engine
from core.migrate import upgrade


@contextmanager
def scratch_store(tmp_path: Path) -> Iterator[str]:
    """Yield the URL of an empty, migrated store; drop it afterwards."""
    server = os.environ.get("ATELIER_TEST_DATABASE_URL")
    if not server:
        url = f"sqlite:///{tmp_path / 'store.db'}"
        upgrade(url)
        yield url
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(server)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in server else "?"
    url = f"{server}{sep}options={quote(f'-csearch_path={schema}')}"
    upgrade(url)
    try:
        yield url
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
