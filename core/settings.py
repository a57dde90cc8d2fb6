"""Where Atelier keeps its state: the home folder and the store's URL, from the environment."""

from __future__ import annotations

import os
from pathlib import Path


def atelier_home() -> Path:
    """Atelier's home (`ATELIER_HOME`, default `~/.atelier`): store, outboxes, images, models."""
    home = Path(os.environ.get("ATELIER_HOME", "~/.atelier")).expanduser()
    home.mkdir(parents=True, exist_ok=True)
    return home


def database_url() -> str:
    """The store's SQLAlchemy URL (`ATELIER_DATABASE_URL`, default a SQLite file in the home)."""
    url = os.environ.get("ATELIER_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{atelier_home() / 'atelier.db'}"
