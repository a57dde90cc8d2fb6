"""`atelier bench hmi-pages` end to end on a tiny store (what it reports, not how fast)."""

from __future__ import annotations

import json
import os

from typer.testing import CliRunner

from cluster.cli.main import build_app


def test_bench_reports_each_page_and_restores_the_environment(monkeypatch):
    monkeypatch.setenv("ATELIER_DATABASE_URL", "sqlite:///unchanged.db")
    args = ["bench", "hmi-pages", "--stations", "2", "--minutes", "1", "--runs", "1", "--json"]
    result = CliRunner().invoke(build_app(), args)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["stations"] == 2 and report["telemetry_rows"] == 2 * 60 * 5
    assert set(report["pages"]) == {"overview", "quality", "planner", "operator"}
    assert all(t["median_s"] > 0 and t["max_s"] >= t["median_s"] for t in report["pages"].values())
    assert os.environ["ATELIER_DATABASE_URL"] == "sqlite:///unchanged.db"
