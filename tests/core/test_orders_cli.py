"""`atelier orders import/list` as a planner runs them, against the fixture store."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "data" / "samples"


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


def test_import_json_report_then_list(db_url: str, tmp_path: Path) -> None:
    done = _atelier(
        db_url, tmp_path, "orders", "import", str(SAMPLES / "orders_with_errors.csv"), "--json"
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert set(report) == {"imported", "duplicates", "errors"}
    assert (report["imported"], report["duplicates"]) == (2, 0)
    assert {"row": 4, "field": "customer"} == {k: report["errors"][2][k] for k in ("row", "field")}
    again = json.loads(
        _atelier(
            db_url, tmp_path, "orders", "import", str(SAMPLES / "orders_with_errors.csv"), "--json"
        ).stdout
    )
    assert (again["imported"], again["duplicates"]) == (0, 2)
    listed = _atelier(db_url, tmp_path, "orders", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert [o["order_id"] for o in json.loads(listed.stdout)] == ["ERR-001", "ERR-010"]


def test_readable_report(db_url: str, tmp_path: Path) -> None:
    done = _atelier(db_url, tmp_path, "orders", "import", str(SAMPLES / "orders_demo.json"))
    assert done.returncode == 0, done.stderr
    assert "orders_demo.json: 24 imported, 0 already stored, 0 errors" in done.stdout


def test_not_a_batch_exits_non_zero_without_traceback(db_url: str, tmp_path: Path) -> None:
    bad = tmp_path / "photo.csv"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    done = _atelier(db_url, tmp_path, "orders", "import", str(bad), "--json")
    assert done.returncode == 2
    assert f"error: {bad}: a binary file" in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""
    assert json.loads(_atelier(db_url, tmp_path, "orders", "list", "--json").stdout) == []


def test_unmigrated_store_is_named_with_the_fix(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    done = _atelier(url, tmp_path, "orders", "list")
    assert done.returncode == 2
    assert "not migrated" in done.stderr and "atelier db upgrade" in done.stderr
