"""The `atelier` CLI: each command group lives in its own module under `commands/`.

A module in `cluster.cli.commands` exposes `register(app: typer.Typer) -> None`; a module in
`cluster.cli.bench` exposes `register(bench: typer.Typer) -> None`. Both are discovered at start,
so a package adds a command by adding one file, without touching this one.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
import sys

import typer

from core.errors import AtelierError

log = logging.getLogger(__name__)

app = typer.Typer(
    name="atelier",
    help="Atelier: control and inspection for a made-to-measure apparel factory.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


def _register_all(package: str, target: typer.Typer) -> None:
    pkg = importlib.import_module(package)
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{package}.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(target)


_built = False


def build_app() -> typer.Typer:
    """Register every command module once; returns the ready app."""
    global _built
    if not _built:
        _register_all("cluster.cli.commands", app)
        _built = True
    return app


def main() -> None:
    """Console entry point: domain errors become one clear line and exit code 2."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        build_app()(standalone_mode=False)
    except AtelierError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except (typer.Abort, KeyboardInterrupt):
        typer.echo("aborted", err=True)
        sys.exit(130)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except Exception as exc:  # usage errors: typer 0.29 carries its own copy of click
        from typer._click.exceptions import ClickException

        if isinstance(exc, ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        raise


if __name__ == "__main__":
    main()
