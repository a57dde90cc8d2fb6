"""plan_production end to end on a small made-to-measure batch, and the bench command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from scheduler import plan_production, write_plan_files
from scheduler.bench import DATA
from scheduler.check import check_schedule
from scheduler.model import CuttingRules, Fabric
from tests.scheduler.factory import problem
from tests.scheduler.test_cutting import shirt

ROOT = Path(__file__).resolve().parents[2]


def test_plan_production_reports_kpis_and_writes_files(tmp_path):
    garments = [shirt(f"O{i}", 900 + 50 * i) for i in range(3)]
    sewing = problem(
        orders=(
            ("O0", 1, 400, "normal", "white"),
            ("O1", 1, 60, "rush", "navy"),
            ("O2", 1, 900, "low", "white"),
        ),
        setup_minutes=10,
    )
    stages = []
    plan = plan_production(
        garments,
        {"denim": Fabric("denim", 1500.0)},
        sewing,
        CuttingRules(max_garments_per_marker=2),
        cut_time_limit=3,
        nest_time_limit=1,
        sew_time_limit=5,
        on_progress=lambda stage, _m: stages.append(stage),
    )
    assert {"cut", "nest", "sew"} <= set(stages)
    assert check_schedule(sewing, plan.schedule) == []
    k = plan.kpis
    assert set(k.marker_efficiencies) == {m.marker_id for m in plan.markers}
    assert all(0.3 < e <= 1.0 for e in k.marker_efficiencies.values())
    plies = {lay.marker_id: lay.plies for lay in plan.cut_plan.lays}
    expected = sum(m.length_mm * plies[m.marker_id] for m in plan.markers)
    assert k.fabric_used_mm == pytest.approx(expected, abs=0.1)
    assert min(k.marker_efficiencies.values()) - 1e-3 <= k.marker_efficiency
    assert k.marker_efficiency <= max(k.marker_efficiencies.values()) + 1e-3
    assert k.orders_late == {o: t for o, t in plan.schedule.tardiness.items() if t > 0}
    assert "O1" in k.orders_late  # due after 60 min; its routing alone takes longer
    assert any("O1" in w for w in plan.warnings)
    assert all(0 <= u <= 1 for u in k.station_utilisation.values())
    files = write_plan_files(plan, sewing, tmp_path)
    assert (tmp_path / "gantt.png").stat().st_size > 1000
    assert len(files) == 3 * len(plan.markers) + 1


def test_a_plan_from_the_dispatching_rule_says_so():
    sewing = problem(orders=(("O0", 1, 400, "normal", "white"),), setup_minutes=10)
    plan = plan_production(
        [shirt("O0", 900)],
        {"denim": Fabric("denim", 1500.0)},
        sewing,
        cut_time_limit=1,
        nest_time_limit=1,
        sew_time_limit=0.0,  # no time at all for CP-SAT: the rule's schedule, whatever the clock
    )
    assert check_schedule(sewing, plan.schedule) == []
    assert any(w.startswith("sewing schedule: ") and "dispatching rule" in w for w in plan.warnings)


def _bench(*args: str, command: str = "scheduler") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "cluster.cli.main", "bench", command, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )


def test_bench_prints_json_with_baseline():
    ft06 = DATA / "jobshop" / "jssp" / "ft06.txt"
    run = _bench(str(ft06), "--time-limit", "5", "--baseline", "--json")
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    row = result["instances"][0]
    assert row["name"] == "ft06" and row["objective"] == 55 and row["best_known"] == 55
    assert row["gap_pct"] == 0 and row["baseline_objective"] == 55
    assert result["mean_gap_pct"] == 0 and result["baseline_mean_gap_pct"] == 0


def test_bench_bad_instance_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("2 2\n0 5 1 x\n")
    run = _bench(str(bad), "--format", "jssp", "--time-limit", "1")
    assert run.returncode == 2
    assert "error: bad line 2: expected whole numbers" in run.stderr


def test_search_bench_names_each_search_and_its_rate():
    ft06 = DATA / "jobshop" / "jssp" / "ft06.txt"
    mk01 = DATA / "jobshop" / "fjsp" / "mk01.txt"
    run = _bench(str(ft06), str(mk01), "--seconds", "0.5", "--json", command="shop-search")
    assert run.returncode == 0, run.stderr
    rows = {r["name"]: r for r in json.loads(run.stdout)["instances"]}
    assert rows["ft06"]["search"] == "n7" and rows["mk01"]["search"] == "flexible"
    assert rows["ft06"]["operations"] == 36 and rows["ft06"]["best_known"] == 55
    for row in rows.values():
        assert row["objective"] <= row["start_objective"]
        assert row["iterations"] > 0 and row["iterations_per_second"] > 0


def test_search_bench_refuses_a_bad_suite_and_a_bad_file(tmp_path):
    run = _bench("--suite", "nesting", command="shop-search")
    assert run.returncode == 2 and "unknown suite 'nesting'" in run.stderr
    bad = tmp_path / "bad.txt"
    bad.write_text("2 2\n0 5 1 3\n0 5 1\n")
    run = _bench(str(bad), "--format", "jssp", command="shop-search")
    assert run.returncode == 2
    assert "error: bad job 2: odd number of values" in run.stderr
