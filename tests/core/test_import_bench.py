"""The import benchmark runs end to end on a small batch (its numbers go to BENCHMARKS.md)."""

from __future__ import annotations

from pathlib import Path

from core.importer import parse_batch
from core.importer.bench import run, write_batch


def test_bench_batch_is_all_good_orders(tmp_path: Path) -> None:
    parsed = parse_batch(write_batch(tmp_path / "b.csv", 60))
    assert parsed.errors == []
    assert len({o.order_id for _, o in parsed.orders}) == 60


def test_bench_runs_and_reports_each_step(tmp_path: Path) -> None:
    steps: list[str] = []
    result = run(60, f"sqlite:///{tmp_path / 'bench.db'}", tmp_path, step=steps.append)
    assert result.rows == 60
    assert steps[-1] == "importing again (all duplicates)" and "parsing" in steps
    assert result.import_s > 0 and result.peak_rss_mib > 0
