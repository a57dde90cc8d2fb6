"""`atelier users`: add, list and change HMI users. Every change is audited as `cli:<os user>`."""

from __future__ import annotations

import getpass
import sys

import typer

from core.errors import InputError


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no passwd entry for this uid, e.g. in a container
        return "cli:unknown"


def _engine():  # type: ignore[no-untyped-def]
    from core.db import make_engine
    from core.migrate import upgrade

    # Adding the first user may come before `atelier up`: bring the store to the code's schema.
    upgrade()
    return make_engine()


def _read_password(from_stdin: bool) -> str:
    if from_stdin or not sys.stdin.isatty():
        line = sys.stdin.readline()
        password = line.rstrip("\r\n")
        if not password:
            raise InputError("password: nothing was given on standard input")
        return password
    first = getpass.getpass("Password: ")
    second = getpass.getpass("Repeat password: ")
    if first != second:
        raise InputError("password: the two entries differ")
    return first


def register(app: typer.Typer) -> None:
    users_app = typer.Typer(help="HMI users and roles (changes are audited).", no_args_is_help=True)

    @users_app.command("add")
    def add(
        name: str = typer.Argument(..., help="User name (letters, digits, '.', '_', '-')."),
        role: str = typer.Option(..., "--role", help="operator | planner | quality | admin"),
        password_stdin: bool = typer.Option(
            False, "--password-stdin", help="Read the password from standard input."
        ),
    ) -> None:
        """Add a user; the password comes from a prompt (twice) or from standard input."""
        from core import users
        from core.db import transaction

        parsed = users.parse_role(role)
        password = _read_password(password_stdin)
        with transaction(_engine()) as session:
            users.add_user(session, name, parsed, password, actor=_actor())
        typer.echo(f"added {name} ({parsed.value})")

    @users_app.command("list")
    def list_(
        as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
    ) -> None:
        """List users with their role and whether they are active."""
        import json

        from rich.console import Console
        from rich.table import Table

        from core import users
        from core.db import transaction

        with transaction(_engine()) as session:
            found = users.list_users(session)
        if as_json:
            rows = [
                {"name": u.name, "role": u.role.value, "active": u.active, "has_pin": u.has_pin}
                for u in found
            ]
            typer.echo(json.dumps(rows))
            return
        table = Table("name", "role", "active", "PIN", "created (UTC)")
        for u in found:
            created = u.created_at.strftime("%Y-%m-%d %H:%M")
            table.add_row(
                u.name,
                u.role.value,
                "yes" if u.active else "no",
                "yes" if u.has_pin else "no",
                created,
            )
        Console().print(table)

    @users_app.command("passwd")
    def passwd(
        name: str = typer.Argument(..., help="User whose password changes."),
        password_stdin: bool = typer.Option(
            False, "--password-stdin", help="Read the password from standard input."
        ),
    ) -> None:
        """Set a user's password (prompt twice, or standard input)."""
        from core import users
        from core.db import transaction

        engine = _engine()
        with transaction(engine) as session:
            if users.get_user(session, name) is None:
                raise InputError(f"user {name!r} does not exist")
        password = _read_password(password_stdin)
        with transaction(engine) as session:
            users.set_password(session, name, password, actor=_actor())
        typer.echo(f"password of {name} changed")

    app.add_typer(users_app, name="users")
