"""A fresh plant gets one admin with a random password in a private file; later starts add none."""

from __future__ import annotations

from pathlib import Path

from cluster.store import ensure_first_admin, sync_layout
from core import users
from core.config import load_factory
from core.db import make_engine, transaction
from core.schema import StationRow


def test_first_admin_once_with_private_password(db_url: str, tmp_path: Path) -> None:
    path = ensure_first_admin(db_url, tmp_path)
    assert path is not None and path.stat().st_mode & 0o777 == 0o600
    password = path.read_text().strip()
    assert len(password) >= 12
    engine = make_engine(db_url)
    try:
        with transaction(engine) as s:
            user = users.authenticate(s, "admin", password)
            assert user is not None and user.role == "admin"
        assert ensure_first_admin(db_url, tmp_path) is None
        with transaction(engine) as s:
            assert [u.name for u in users.list_users(s)] == ["admin"]
    finally:
        engine.dispose()


def test_layout_sync_stores_every_station(db_url: str) -> None:
    factory = load_factory()
    sync_layout(db_url, factory)
    sync_layout(db_url, factory)  # a restart changes nothing
    engine = make_engine(db_url)
    try:
        with transaction(engine) as s:
            stored = {row.id for row in s.query(StationRow)}
    finally:
        engine.dispose()
    assert stored == {st.id for line in factory.lines for st in line.stations}
