"""`atelier db`: the store's schema (Alembic migrations)."""

from __future__ import annotations

import logging

import typer

# Which plugins Alembic loads is noise; its migration steps (INFO) stay visible.
logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


def register(app: typer.Typer) -> None:
    db = typer.Typer(help="The store: migrate its schema.", no_args_is_help=True)

    @db.command("upgrade")
    def upgrade(
        revision: str = typer.Argument("head", help="Revision to migrate to"),
        url: str | None = typer.Option(
            None, "--url", help="Store URL (default: ATELIER_DATABASE_URL or the home's SQLite)"
        ),
    ) -> None:
        """Migrate the store to the newest schema (or to REVISION)."""
        from sqlalchemy.engine import make_url

        from core.migrate import current_revision
        from core.migrate import upgrade as run_upgrade
        from core.settings import database_url

        target = url or database_url()
        run_upgrade(target, revision)
        shown = make_url(target).render_as_string(hide_password=True)
        typer.echo(f"store {shown} is at revision {current_revision(target)}")

    @db.command("current")
    def current(
        url: str | None = typer.Option(None, "--url", help="Store URL"),
    ) -> None:
        """Show the revision the store is at."""
        from core.migrate import current_revision

        typer.echo(current_revision(url) or "(not migrated)")

    app.add_typer(db, name="db")
