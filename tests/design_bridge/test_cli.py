"""`atelier draft` and `atelier bench drafting` as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEADER = (
    "order_id,customer,style,options,size,height,neck,chest,waist,hip,shoulder_width,"
    "arm_length,wrist,back_waist_length,inseam,thigh,fabric,quantity,due_date,priority"
)


def atelier(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "cluster.cli.main", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )


def test_bench_drafting_json_reports_orders_per_second_per_core():
    run = atelier("bench", "drafting", "--orders", "8", "--json")
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert result["orders"] == 8
    assert result["orders_per_second_per_core"] > 0
    assert set(result["per_style_orders_per_second"]) == {"shirt", "trousers", "skirt", "tshirt"}


def test_draft_command_drafts_a_batch_file(tmp_path):
    pytest.importorskip("core.importer", reason="core.importer.parse_batch arrives with issue 2")
    batch = tmp_path / "batch.csv"
    batch.write_text(
        "\n".join(
            [
                HEADER,
                "C-1,Ana,shirt,fit=slim;collar=mandarin,M,,,,,,,,,,,,POPLIN-WHT,1,2026-12-01,normal",
                "C-2,Ben,trousers,leg=wide,,181,,,90,102,,,,,84,60,WOOL-GRY,2,2026-12-03,rush",
            ]
        )
        + "\n"
    )
    run = atelier("draft", str(batch), "--out", str(tmp_path / "out"))
    assert run.returncode == 0, run.stderr
    assert "2 orders drafted" in run.stdout
    assert (tmp_path / "out" / "C-2" / "pattern.dxf").exists()
    assert (tmp_path / "out" / "summary.csv").read_text().count("\n") == 3


def test_draft_command_refuses_a_bad_order_without_a_traceback(tmp_path):
    pytest.importorskip("core.importer", reason="core.importer.parse_batch arrives with issue 2")
    batch = tmp_path / "batch.csv"
    batch.write_text(
        HEADER + "\nC-9,Cy,skirt,,,170,,,70,9000,,,,,,,POPLIN-WHT,1,2026-12-01,normal\n"
    )
    run = atelier("draft", str(batch), "--out", str(tmp_path / "out"))
    assert run.returncode == 2
    assert "error:" in run.stderr and "hip" in run.stderr and "Traceback" not in run.stderr
    assert not (tmp_path / "out").exists()
