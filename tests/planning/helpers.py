"""Demo-batch subsets and a store for the planning tests."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "data" / "samples" / "orders_demo.csv"
FACTORY = ROOT / "configs" / "factory.yaml"
ORIGIN = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)

SHIRT_AND_SKIRTS = ("MTM-2026-1001", "MTM-2026-1004", "MTM-2026-1006")
TSHIRTS = ("MTM-2026-1002", "MTM-2026-1007")


def subset(folder: Path, order_ids: tuple[str, ...], name: str = "subset.csv") -> Path:
    """A batch file with the demo batch's header and only these orders."""
    lines = DEMO.read_text(encoding="utf-8").splitlines()
    kept = [line for line in lines[1:] if line.split(",", 1)[0] in order_ids]
    assert len(kept) == len(order_ids)
    path = folder / name
    path.write_text("\n".join([lines[0], *kept]) + "\n", encoding="utf-8")
    return path
