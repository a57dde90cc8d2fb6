"""`atelier cluster env`: the shell settings that turn Ray token auth on for `ray start`."""

from __future__ import annotations

import shlex

import typer


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="The plant's Ray cluster.", no_args_is_help=True)

    @group.command("env")
    def env() -> None:
        """Print `export` lines for Ray token auth (creates the token on first use).

        Use as `eval "$(atelier cluster env)"` before `ray start` on the centre and on each edge PC.
        """
        from cluster.token import ensure_token
        from core.settings import atelier_home

        home = atelier_home()
        path = ensure_token(home)
        typer.echo(f"export ATELIER_HOME={shlex.quote(str(home))}")
        typer.echo("export RAY_AUTH_MODE=token")
        typer.echo(f"export RAY_AUTH_TOKEN_PATH={shlex.quote(str(path))}")

    app.add_typer(group, name="cluster")
