import json

import pytest
from typer.testing import CliRunner

from cluster.central.outputs import latest_results
from cluster.central.remote import placement
from cluster.central.service import run_jobs, run_periodically
from cluster.central.settings import CentralSettings
from core.errors import InputError


def test_placement_asks_for_central_and_a_gpu_only_where_it_helps():
    assert placement("demand", {"CPU": 2.0, "central": 1.0}) == {
        "resources": {"central": 1},
        "num_cpus": 1,
    }
    assert placement("demand", {"CPU": 16.0, "GPU": 1.0, "central": 1.0})["num_gpus"] == 1
    # statsforecast and the design search have no GPU path.
    assert "num_gpus" not in placement("trends", {"CPU": 16.0, "GPU": 1.0, "central": 1.0})
    assert "num_gpus" not in placement("designs", {"CPU": 16.0, "GPU": 1.0, "central": 1.0})


@pytest.mark.slow
def test_demand_and_designs_run_on_a_local_ray_central_node(tmp_path):
    palette = [
        {"name": "navy", "rgb": [28, 40, 82], "forecast_share": 0.6, "growth": 1.2},
        {"name": "white", "rgb": [244, 244, 240], "forecast_share": 0.4, "growth": 0.9},
    ]
    # A trends result already there: designs reads its palette instead of running trends.
    (tmp_path / "trends.json").write_text(json.dumps({"palette": palette}))
    settings = CentralSettings()
    settings.demand.max_customers = 200
    settings.demand.factors = 8
    settings.demand.als_iterations = 3
    settings.demand.bpr_iterations = 5
    settings.designs.search.population = 10
    settings.designs.search.generations = 3
    settings.designs.swatch_px = 32
    messages: list[str] = []
    results = run_jobs(["demand", "designs"], settings, tmp_path, progress=messages.append)

    demand = json.loads((tmp_path / "demand.json").read_text())
    assert demand == json.loads(json.dumps(results["demand"]))
    assert demand["evaluation"]["scores"][0]["model"] == "popularity"
    assert demand["used_gpu"] is False
    assert (tmp_path / "demand.png").stat().st_size > 0
    designs = json.loads((tmp_path / "designs" / "designs.json").read_text())
    assert len(designs["proposals"]) == settings.designs.search.proposals
    for proposal in designs["proposals"]:
        assert (tmp_path / "designs" / proposal["image"]).is_file()
        assert {
            "expected_units",
            "margin",
            "sewing_cost",
            "fabric_cost",
            "diversity",
            "score",
        } <= set(proposal["breakdown"])
    assert any("demand: written" in m for m in messages)
    latest = latest_results(tmp_path)
    assert latest["designs"] == designs and latest["demand"] == demand


def test_unknown_job_and_bad_schedule_are_errors(tmp_path):
    import threading

    with pytest.raises(InputError, match="unknown central job"):
        run_jobs(["forecast"], out=tmp_path)
    with pytest.raises(InputError, match="positive"):
        run_periodically(["demand"], 0, 1, threading.Event())


def test_schedule_runs_on_time_and_stops():
    import threading
    import time

    stop = threading.Event()
    starts: list[float] = []

    def run(names, **kwargs):
        starts.append(time.monotonic())
        if len(starts) == 3:
            stop.set()

    assert run_periodically(["trends"], 0.05, None, stop, run=run) == 3
    gaps = [b - a for a, b in zip(starts, starts[1:], strict=False)]
    assert all(gap >= 0.045 for gap in gaps)
    assert run_periodically(["trends"], 0.01, 2, threading.Event(), run=run) == 2


def test_cli_bad_input_is_one_line_and_exit_2(tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "ATELIER_HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "cluster.cli.main", "central", "demand", "--max-customers", "10"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == "error: --max-customers must be at least 50, got 10"


def test_cli_lists_the_central_commands():
    from cluster.cli.main import build_app

    runner = CliRunner()
    result = runner.invoke(build_app(), ["central", "--help"])
    assert result.exit_code == 0
    for command in ("demand", "trends", "designs"):
        assert command in result.output
    bench = runner.invoke(build_app(), ["bench", "central", "--help"])
    assert bench.exit_code == 0 and "--json" in bench.output


@pytest.mark.slow
def test_a_bad_input_inside_a_ray_job_arrives_as_the_domain_error(tmp_path):
    settings = CentralSettings()
    settings.demand.transactions = tmp_path / "missing.csv"
    with pytest.raises(InputError, match="missing.csv does not exist"):
        run_jobs(["demand"], settings, tmp_path)
    assert not (tmp_path / "demand.json").exists()


def test_trends_job_gives_backtests_forecast_palette_and_charts(tmp_path):
    from cluster.central.jobs import run_trends
    from cluster.central.outputs import plot_attribute_trends, plot_trends, write_json
    from cluster.central.settings import TrendSettings

    settings = TrendSettings(
        clothing_start="2012-01-01",
        clothing_windows=4,
        clothing_arima=False,
        attribute_arima=False,
        attribute_windows=2,
        max_customers=150,
    )
    result = run_trends(settings).to_dict()
    assert [m["model"] for m in result["clothing"]["models"]] == ["SeasonalNaive", "AutoETS"]
    assert len(result["clothing"]["cutoffs"]) == 4
    assert {"CrostonClassic", "TSB"} <= {m["model"] for m in result["attributes"]["models"]}
    assert len(result["clothing_forecast"]) == 12
    for row in result["clothing_forecast"]:
        assert row["low"] <= row["forecast"] <= row["high"]
    assert 1 <= len(result["palette"]) <= settings.palette_size
    assert {r["series"] for r in result["attribute_history"]} >= {
        f"colour={c['name']}" for c in result["palette"]
    }
    write_json(tmp_path / "trends.json", result)  # JSON-serialisable as it stands
    assert plot_trends(result, tmp_path / "t.png").stat().st_size > 0
    assert plot_attribute_trends(result, tmp_path / "a.png").stat().st_size > 0
