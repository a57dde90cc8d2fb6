"""The cluster's CLI commands on bad input and without a running cluster."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from cluster.ingest import CentralIngest
from core.events import Event, EventType
from tests.cluster.conftest import REPO


def _run(args: list[str], home: Path, url: str) -> subprocess.CompletedProcess[str]:
    env = {
        "ATELIER_HOME": str(home),
        "ATELIER_DATABASE_URL": url,
        "PYTHONPATH": str(REPO),
        "PATH": "/usr/bin:/bin",
    }
    return subprocess.run(
        [sys.executable, "-m", "cluster.cli.main", *args],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_status_without_cluster_shows_lines_offline(tmp_path, store_url):
    result = _run(["status", "--json"], tmp_path, store_url)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert [(ln["line"], ln["online"]) for ln in report["lines"]] == [("C1", False), ("L1", False)]
    assert report["cluster"] == {"address": None, "reachable": False, "nodes": []}
    assert [ln["local"] for ln in report["lines"]] == [None, None]


def test_status_shows_each_lines_model_version(tmp_path, store_url):
    ingest = CentralIngest(store_url, str(tmp_path))
    loaded = Event(line="L1", type=EventType.MODEL_LOADED, payload={"version": "v3"})
    back = Event(line="L1", type=EventType.MODEL_ROLLBACK, payload={"from": "v3", "to": "v2"})
    ingest.ship("L1", "n", [loaded.to_dict()], 5)
    ingest.engine.dispose()
    result = _run(["status", "--json", "--no-nodes"], tmp_path, store_url)
    assert result.returncode == 0, result.stderr
    lines = {ln["line"]: ln for ln in json.loads(result.stdout)["lines"]}
    assert (lines["L1"]["model_version"], lines["L1"]["outbox_depth"]) == ("v3", 5)
    assert lines["C1"]["model_version"] is None
    ingest = CentralIngest(store_url, str(tmp_path))
    ingest.ship("L1", "n", [back.to_dict()], 0)
    ingest.engine.dispose()
    result = _run(["status", "--no-nodes"], tmp_path, store_url)
    assert result.returncode == 0, result.stderr
    assert "model" in result.stdout
    (l1,) = [row for row in result.stdout.splitlines() if "│ L1" in row]
    assert "│ v2 " in l1  # the version rolled back to, next to the outbox depth


def test_status_says_how_much_telemetry_a_backlog_left_to_chart(tmp_path, store_url):
    from tests.cluster.test_ingest_telemetry_backlog import _aggregates

    result = _run(["status", "--json", "--no-nodes"], tmp_path, store_url)
    assert json.loads(result.stdout)["telemetry_pending"] == 0
    ingest = CentralIngest(store_url, str(tmp_path))
    backlog = _aggregates("L1-M001", 600)  # ten minutes of one station: more than inline
    ingest.ship("L1", "n", [e.to_dict() for e in backlog], 0)
    ingest.engine.dispose()
    result = _run(["status", "--json", "--no-nodes"], tmp_path, store_url)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["telemetry_pending"] == 600
    result = _run(["status", "--no-nodes"], tmp_path, store_url)
    assert "telemetry: 600 aggregates stored, not yet in the telemetry tables" in result.stdout


def test_status_with_a_dead_address_says_not_reachable(tmp_path, store_url):
    (tmp_path / "cluster.json").write_text(json.dumps({"address": "127.0.0.1:1"}))
    result = _run(["status"], tmp_path, store_url)
    assert result.returncode == 0, result.stderr
    assert "not reachable at 127.0.0.1:1" in result.stdout
    assert "offline" in result.stdout


def test_up_with_a_broken_factory_file_starts_nothing(tmp_path, store_url):
    bad = tmp_path / "factory.yaml"
    bad.write_text("lines: [\n")
    result = _run(["up", "--factory", str(bad)], tmp_path, store_url)
    assert result.returncode == 2
    assert result.stderr.startswith("error: ") and str(bad) in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "ray_auth_token").exists()
    assert not (tmp_path / "cluster.json").exists()


def test_cluster_env_prints_exports_and_keeps_the_token_private(tmp_path, store_url):
    result = _run(["cluster", "env"], tmp_path, store_url)
    assert result.returncode == 0, result.stderr
    token = tmp_path / "ray_auth_token"
    assert result.stdout.splitlines() == [
        f"export ATELIER_HOME={tmp_path}",
        "export RAY_AUTH_MODE=token",
        f"export RAY_AUTH_TOKEN_PATH={token}",
    ]
    assert token.stat().st_mode & 0o777 == 0o600
    assert token.read_text() not in result.stdout


def test_up_on_a_busy_port_says_so_and_starts_nothing(tmp_path, store_url):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = _run(["up", "--port", str(port)], tmp_path, store_url)
    assert result.returncode == 2
    assert f"port {port} on 127.0.0.1 is already in use" in result.stderr
    assert not (tmp_path / "cluster.json").exists()


def test_deliver_plan_without_a_running_cluster_says_so(tmp_path, monkeypatch):
    import pytest
    import ray

    from cluster.services import deliver_plan
    from core.errors import AtelierError

    if ray.is_initialized():
        pytest.skip("this process is already connected to a Ray cluster")
    monkeypatch.setenv("ATELIER_HOME", str(tmp_path))
    with pytest.raises(AtelierError, match="no Atelier cluster is running"):
        deliver_plan("L1", {"bundles": []})


def test_up_refuses_a_bad_opcua_port_base_before_starting_anything(tmp_path, store_url):
    result = _run(["up", "--opcua-port-base", "80", "--port", "1"], tmp_path, store_url)
    assert result.returncode == 2
    assert "error: --opcua-port-base must be between 1024 and 65000, got 80" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "cluster.json").exists()
    assert not (tmp_path / "certs").exists()
