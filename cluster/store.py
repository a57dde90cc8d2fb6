"""Preparing the store before the central services use it: schema, plant layout, first admin."""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

from core.config import FactoryConfig

log = logging.getLogger(__name__)

INITIAL_ADMIN = "admin"
INITIAL_PASSWORD_FILE = "initial_admin_password"


def prepare_store(url: str) -> None:
    """Bring the store's schema up to date with the Alembic migrations."""
    from core.migrate import upgrade

    upgrade(url)


def sync_layout(url: str, factory: FactoryConfig) -> None:
    """Copy the factory's lines and stations into the store (plans refer to them)."""
    from core.db import make_engine, transaction
    from core.plant import sync_plant

    engine = make_engine(url)
    try:
        with transaction(engine) as session:
            sync_plant(session, factory)
    finally:
        engine.dispose()


def ensure_first_admin(url: str, home: Path) -> Path | None:
    """On a store with no users, create `admin` with a random password written to a 0600 file.

    A fresh plant must be reachable without a password in the repo or on the command line; the
    admin signs in with it, then creates the real users and changes it. Returns the file when a
    user was created, else None.
    """
    from core import users
    from core.db import make_engine, transaction

    engine = make_engine(url)
    try:
        with transaction(engine) as session:
            if users.list_users(session):
                return None
            password = secrets.token_urlsafe(12)
            users.add_user(session, INITIAL_ADMIN, "admin", password, actor="atelier up")
            path = home / INITIAL_PASSWORD_FILE
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as out:
                out.write(password + "\n")
            os.chmod(path, 0o600)
    finally:
        engine.dispose()
    log.info("created the first user %r; password in %s", INITIAL_ADMIN, path)
    return path
