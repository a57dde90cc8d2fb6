"""Preparing the store before the central services use it."""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)


def prepare_store(url: str) -> None:
    """Bring the store's schema up to date: Alembic migrations when present, else create tables."""
    try:
        from core.migrate import upgrade  # type: ignore[import-not-found]
    except ModuleNotFoundError as exc:
        if exc.name != "core.migrate":
            raise
        upgrade = None
    if upgrade is not None:
        upgrade(url)
        return
    from core.db import make_engine
    from core.schema import Base

    engine = make_engine(url)
    try:
        Base.metadata.create_all(engine)
    finally:
        engine.dispose()
    log.info("store prepared without migrations (core.migrate not present)")
