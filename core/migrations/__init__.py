"""Alembic migrations of the store; run them with `core.migrate.upgrade` or `atelier db upgrade`."""
