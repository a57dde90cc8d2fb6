"""Measure import with drafting into the store: a synthetic batch of N orders imported, each
order drafted into a production order, then the same batch imported again (all duplicates)."""

from __future__ import annotations

import resource
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from core.db import make_engine, transaction
from core.importer import import_batch
from core.importer.bench import write_batch
from core.migrate import upgrade
from core.schema import OperationRow, PatternPieceRow, ProductionOrderRow
from design_bridge.store import Progress, draft_orders


@dataclass(frozen=True)
class StoreDraftBench:
    orders: int
    import_s: float  # parse and store, one transaction
    draft_s: float  # draft and write every production order, one transaction each
    reimport_s: float  # import and draft of the same batch again: nothing to do
    pieces: int
    operations: int
    peak_rss_mib: float

    @property
    def drafted_per_s(self) -> float:
        return self.orders / self.draft_s

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "drafted_per_s": round(self.drafted_per_s, 1)}


def run(
    orders: int,
    url: str,
    folder: Path,
    step: Callable[[str], None] | None = None,
    progress: Progress | None = None,
) -> StoreDraftBench:
    """Time the import, the drafting into the store and a re-import of `orders` orders."""
    say = step or (lambda _what: None)
    batch = write_batch(folder / "bench_batch.csv", orders)
    say("migrating the store")
    upgrade(url)
    engine = make_engine(url)
    try:
        say("importing")
        t0 = time.perf_counter()
        first = import_batch(engine, batch)
        t1 = time.perf_counter()
        say("drafting into the store")
        drafted = draft_orders(engine, first.order_ids, progress)
        t2 = time.perf_counter()
        say("importing again (all duplicates)")
        again = import_batch(engine, batch)
        draft_orders(engine, again.order_ids)
        t3 = time.perf_counter()
        with transaction(engine) as session:
            counts = [
                session.scalar(select(func.count()).select_from(table))
                for table in (ProductionOrderRow, PatternPieceRow, OperationRow)
            ]
    finally:
        engine.dispose()
    if drafted.drafted != orders or counts[0] != orders or again.duplicates != orders:
        raise RuntimeError(f"bench drafted {drafted.drafted}/{orders} orders")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return StoreDraftBench(orders, t1 - t0, t2 - t1, t3 - t2, counts[1], counts[2], peak)
