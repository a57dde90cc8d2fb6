"""Demo-batch subsets and a store for the planning tests."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "data" / "samples" / "orders_demo.csv"
FACTORY = ROOT / "configs" / "factory.yaml"
ORIGIN = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)

SHIRT_AND_SKIRTS = ("MTM-2026-1001", "MTM-2026-1004", "MTM-2026-1006")
TSHIRTS = ("MTM-2026-1002", "MTM-2026-1007")


def subset(
    folder: Path,
    order_ids: tuple[str, ...],
    name: str = "subset.csv",
    origin: datetime | None = None,
) -> Path:
    """A batch file with the demo batch's header and only these orders. With `origin`, each due
    date is as far from `origin` as it is from ORIGIN in the demo batch, so that a test planning
    from today's date finds the orders as far ahead as the demo's planning day does."""
    with DEMO.open(encoding="utf-8", newline="") as f:
        header, *rows = list(csv.reader(f))
    kept = [row for row in rows if row[0] in order_ids]
    assert len(kept) == len(order_ids)
    if origin is not None:
        due = header.index("due_date")
        shift = origin.date() - ORIGIN.date()
        for row in kept:
            row[due] = (date.fromisoformat(row[due]) + shift).isoformat()
    path = folder / name
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows([header, *kept])
    return path
