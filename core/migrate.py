"""Bring a store to the newest schema with Alembic, configured in code (no alembic.ini needed)."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from core.db import make_engine
from core.errors import AtelierError
from core.settings import database_url

log = logging.getLogger(__name__)

SCRIPT_LOCATION = Path(__file__).resolve().parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    """An Alembic config whose migrations run on `engine` (see `core/migrations/env.py`)."""
    config = Config()
    config.set_main_option("script_location", str(SCRIPT_LOCATION))
    config.attributes["engine"] = engine
    return config


def upgrade(url: str | None = None, revision: str = "head") -> None:
    """Migrate the store at `url` (default `ATELIER_DATABASE_URL`) to `revision`."""
    engine = make_engine(url or database_url())
    try:
        shown = engine.url.render_as_string(hide_password=True)
        _refuse_unversioned(engine, shown)
        log.info("migrating %s to %s", shown, revision)
        command.upgrade(alembic_config(engine), revision)
    finally:
        engine.dispose()


def _refuse_unversioned(engine: Engine, shown: str) -> None:
    """A store with Atelier's tables but no migration history was made some other way
    (e.g. `create_all`); migrating it would fail half-way on the first existing table."""
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import inspect

    from core.schema import Base

    with engine.connect() as conn:
        if MigrationContext.configure(conn).get_current_revision() is not None:
            return
        ours = set(inspect(conn).get_table_names()) & set(Base.metadata.tables)
    if ours:
        raise AtelierError(
            f"store {shown} has Atelier tables ({', '.join(sorted(ours)[:3])}, ...) but no "
            "migration history; it was not made by `atelier db upgrade`. Move it away (or drop "
            "its tables) and run `atelier db upgrade` again"
        )


def downgrade(url: str | None, revision: str) -> None:
    """Migrate the store at `url` back to `revision` (`base` empties it)."""
    engine = make_engine(url or database_url())
    try:
        command.downgrade(alembic_config(engine), revision)
    finally:
        engine.dispose()


def current_revision(url: str | None = None) -> str | None:
    """The revision the store is at, or None for a store never migrated."""
    from alembic.runtime.migration import MigrationContext

    engine = make_engine(url or database_url())
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(make_engine("sqlite://"))).get_current_head()


def require_current(url: str | None = None) -> None:
    """Refuse to work on a store that is not migrated to the code's schema, with the fix."""
    have, want = current_revision(url), head_revision()
    if have != want:
        shown = make_url(url or database_url()).render_as_string(hide_password=True)
        state = f"at revision {have}" if have else "not migrated"
        raise AtelierError(
            f"store {shown} is {state}, this Atelier needs {want}; run `atelier db upgrade`"
        )
