"""`atelier orders import/list` as a planner runs them, against the fixture store.

Reports are checked in-process (typer's runner); the exit code and error line of a file that
is not a batch, which `cluster.cli.main.main` produces, through a real subprocess.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "data" / "samples"


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    from cluster.cli.main import build_app

    return build_app()


def _run(app: typer.Typer, db_url: str, home: Path, *args: str) -> str:
    env = {"ATELIER_HOME": str(home), "ATELIER_DATABASE_URL": db_url}
    result = CliRunner().invoke(app, list(args), env=env)
    assert result.exit_code == 0, result.output
    return result.stdout


def _atelier(db_url: str, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"PYTHONPATH": str(REPO), "ATELIER_HOME": str(home), "ATELIER_DATABASE_URL": db_url}
    return subprocess.run(
        [sys.executable, "-m", "cluster.cli.main", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_import_json_report_then_list(app: typer.Typer, db_url: str, tmp_path: Path) -> None:
    batch = str(SAMPLES / "orders_with_errors.csv")
    report = json.loads(_run(app, db_url, tmp_path, "orders", "import", batch, "--json"))
    assert set(report) == {"imported", "duplicates", "errors", "drafted"}
    assert (report["imported"], report["duplicates"]) == (2, 0)
    assert {"row": 4, "field": "customer"} == {k: report["errors"][2][k] for k in ("row", "field")}
    again = json.loads(_run(app, db_url, tmp_path, "orders", "import", batch, "--json"))
    assert (again["imported"], again["duplicates"]) == (0, 2)
    listed = json.loads(_run(app, db_url, tmp_path, "orders", "list", "--json"))
    assert [o["order_id"] for o in listed] == ["ERR-001", "ERR-010"]
    assert listed[0]["measurements"]["height"] == 180.0 and listed[0]["status"] == "drafted"


def test_readable_report(app: typer.Typer, db_url: str, tmp_path: Path) -> None:
    out = _run(app, db_url, tmp_path, "orders", "import", str(SAMPLES / "orders_with_errors.csv"))
    assert "orders_with_errors.csv: 2 imported, 2 drafted, 0 already stored, 10 errors" in out
    assert "unknown style 'kimono'" in out
    listed = _run(app, db_url, tmp_path, "orders", "list")
    assert "ERR-001" in listed and "Tiago Reis" in listed and "2 orders" in listed


def test_not_a_batch_exits_non_zero_without_traceback(db_url: str, tmp_path: Path) -> None:
    bad = tmp_path / "photo.csv"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    done = _atelier(db_url, tmp_path, "orders", "import", str(bad), "--json")
    assert done.returncode == 2
    assert f"error: {bad}: a binary file" in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""


def test_unmigrated_store_is_named_with_the_fix(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    done = _atelier(url, tmp_path, "orders", "list")
    assert done.returncode == 2
    assert "not migrated" in done.stderr and "atelier db upgrade" in done.stderr
