"""The CLI's edge: commands are discovered, domain errors become one line and exit code 2."""

import subprocess
import sys

import typer

from cluster.cli import main as cli
from core.errors import InputError


def test_help_lists_discovered_commands():
    out = subprocess.run(
        [sys.executable, "-m", "cluster.cli.main", "--help"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "bench" in out


def test_domain_error_is_one_line_and_exit_2(monkeypatch, capsys):
    app = typer.Typer()

    @app.command()
    def fail() -> None:
        raise InputError("orders.csv row 3, field chest: must be positive")

    @app.command()
    def other() -> None:
        pass

    monkeypatch.setattr(cli, "build_app", lambda: app)
    monkeypatch.setattr(sys, "argv", ["atelier", "fail"])
    try:
        cli.main()
    except SystemExit as exc:
        assert exc.code == 2
    else:
        raise AssertionError("main() did not exit")
    err = capsys.readouterr().err
    assert err.strip() == "error: orders.csv row 3, field chest: must be positive"
    assert "Traceback" not in err


def test_usage_error_is_a_message_not_a_traceback():
    done = subprocess.run(
        [sys.executable, "-m", "cluster.cli.main", "bench", "--no-such-option"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert "No such option" in done.stderr
    assert "Traceback" not in done.stderr
