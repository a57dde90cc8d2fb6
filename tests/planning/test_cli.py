"""`atelier plan` and `atelier plans` as a planner runs them, on a temporary store."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
import yaml

from tests.planning.helpers import FACTORY, ROOT, SHIRT_AND_SKIRTS, subset


@pytest.fixture
def env(_sqlite_template, tmp_path):
    store = tmp_path / "atelier.db"
    shutil.copyfile(_sqlite_template, store)
    return {
        "PYTHONPATH": str(ROOT),
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "ATELIER_HOME": str(tmp_path / "home"),
        "ATELIER_DATABASE_URL": f"sqlite:///{store}",
    }


def atelier(env, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "cluster.cli.main", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_plan_a_batch_then_list_show_and_publish(env, tmp_path):
    batch = subset(tmp_path, SHIRT_AND_SKIRTS)
    out = tmp_path / "out"
    run = atelier(
        env, "plan", "--batch", str(batch), "--time-limit", "2", "--out", str(out), "--json"
    )
    assert run.returncode == 0, run.stderr
    kpis = json.loads(run.stdout)
    assert kpis["version"] == 1 and sorted(kpis["orders"]) == sorted(SHIRT_AND_SKIRTS)
    assert kpis["folder"] == str(out)
    for name in kpis["marker_efficiencies"]:
        assert {p.suffix for p in (out / "markers").glob(f"{name}.*")} == {".svg", ".dxf", ".plt"}
    assert (out / "gantt.png").stat().st_size > 1000

    listed = atelier(env, "plans", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    [version] = json.loads(listed.stdout)
    assert {f: r["status"] for f, r in version["rows"].items()} == {
        "cut:C1": "draft",
        "sewing:L1": "draft",
    }
    shown = atelier(env, "plans", "show", "1")
    assert shown.returncode == 0, shown.stderr
    assert "marker efficiency" in shown.stdout and "sewing:L1 v1: draft" in shown.stdout

    published = atelier(env, "plans", "publish", "1")
    assert published.returncode == 0, published.stderr
    assert "plan v1 published: cut:C1, sewing:L1" in published.stdout
    assert "delivery to line L1 pending: no Atelier cluster is running" in published.stdout
    missing = atelier(env, "plans", "publish", "7")
    assert missing.returncode == 2
    assert missing.stderr.strip().splitlines()[-1] == (
        "error: there is no plan version 7 to publish"
    )


def test_plan_prints_a_table_and_refuses_what_the_line_cannot_sew(env, tmp_path):
    plant = yaml.safe_load(FACTORY.read_text(encoding="utf-8"))
    for line in plant["lines"]:
        for station in line["stations"]:
            if station["machine_type"] == "buttonhole":
                station["machine_type"] = "lockstitch"
    no_buttonholes = tmp_path / "factory.yaml"
    no_buttonholes.write_text(yaml.safe_dump(plant), encoding="utf-8")
    batch = subset(tmp_path, SHIRT_AND_SKIRTS)
    args = ("plan", "--batch", str(batch), "--time-limit", "2")
    refused = atelier(env, *args, "--factory", str(no_buttonholes))
    assert refused.returncode == 2
    last = refused.stderr.strip().splitlines()[-1]
    assert last.startswith("error: the plan is impossible: an operation needs a buttonhole machine")
    assert "3 orders: MTM-2026-1001, MTM-2026-1004, MTM-2026-1006" in last
    assert "Traceback" not in refused.stderr
    orders = atelier(env, "orders", "list", "--json")
    assert json.loads(orders.stdout) == []  # nothing imported by a plan that failed

    planned = atelier(env, *args)
    assert planned.returncode == 0, planned.stderr
    assert "fabric used" in planned.stdout and "TWILL-NVY-M1" in planned.stdout
    assert "draft plan v1 stored" in planned.stdout
    assert (tmp_path / "home" / "plans" / "1" / "gantt.png").exists()
