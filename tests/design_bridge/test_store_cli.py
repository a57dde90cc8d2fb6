"""`atelier orders import` drafts into a temporary store; `atelier orders draft` drafts the rest."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from core.db import make_engine, transaction
from core.importer import import_upload
from core.schema import OrderRow, ProductionOrderRow

from .test_store import DEMO, REFUSED

REPO = Path(__file__).resolve().parents[2]


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


def _drafted_ids(db_url: str) -> list[str]:
    engine = make_engine(db_url)
    try:
        with transaction(engine) as session:
            return sorted(session.scalars(select(ProductionOrderRow.order_id)))
    finally:
        engine.dispose()


def test_import_json_drafts_into_the_store(db_url: str, tmp_path: Path) -> None:
    batch = tmp_path / "mixed.csv"
    batch.write_text(REFUSED)
    run = _atelier(db_url, tmp_path, "orders", "import", str(batch), "--json")
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert (report["imported"], report["duplicates"], report["drafted"]) == (3, 0, 1)
    assert [(e["row"], e["field"]) for e in report["errors"]] == [(2, "options"), (3, "inseam")]
    assert _drafted_ids(db_url) == ["OK-1"]

    run = _atelier(db_url, tmp_path, "orders", "import", str(DEMO), "--json")
    assert json.loads(run.stdout) == {"imported": 24, "duplicates": 0, "errors": [], "drafted": 24}
    assert len(_drafted_ids(db_url)) == 25


def test_draft_command_drafts_uploaded_orders(db_url: str, tmp_path: Path) -> None:
    engine = make_engine(db_url)
    try:
        import_upload(engine, REFUSED.encode(), "upload.csv")
    finally:
        engine.dispose()
    run = _atelier(db_url, tmp_path, "orders", "draft")
    assert run.returncode == 0, run.stderr
    assert "1 drafted" in run.stdout and "2 refused" in run.stdout and "BAD-OPT" in run.stdout
    again = json.loads(_atelier(db_url, tmp_path, "orders", "draft", "--json").stdout)
    assert again["drafted"] == 0
    assert [f["order_id"] for f in again["failures"]] == ["BAD-OPT", "BAD-INSEAM"]
    engine = make_engine(db_url)
    try:
        with transaction(engine) as session:
            waiting = session.execute(
                select(OrderRow.order_id, OrderRow.draft_error).where(OrderRow.status == "received")
            ).all()
    finally:
        engine.dispose()
    assert sorted(oid for oid, _ in waiting) == ["BAD-INSEAM", "BAD-OPT"]
    assert all("inseam" in why or "tight" in why for _, why in waiting)


def test_bench_store_drafting_counts_what_it_wrote(tmp_path: Path) -> None:
    untouched = f"sqlite:///{tmp_path / 'untouched.db'}"  # the bench makes its own store
    run = _atelier(untouched, tmp_path, "bench", "store-drafting", "--orders", "30")
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("30 orders: import")
    run = _atelier(untouched, tmp_path, "bench", "store-drafting", "--orders", "30", "--json")
    result = json.loads(run.stdout)
    assert result["orders"] == 30 and result["drafted_per_s"] > 0
    # the demo orders repeated: the 24 of the demo, then its first 6 again
    demo = _pieces_of_demo()
    assert result["pieces"] == sum(demo) + sum(demo[:6])
    assert not (tmp_path / "untouched.db").exists()


def _pieces_of_demo() -> list[int]:
    from core.importer import parse_batch
    from design_bridge import draft_order

    return [len(draft_order(order).pieces) for _, order in parse_batch(DEMO).orders]
