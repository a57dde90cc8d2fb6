"""Measure order import: a synthetic batch of N rows, parsed and stored into a fresh store."""

from __future__ import annotations

import csv
import logging
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from core.db import make_engine
from core.importer.parse import parse_batch
from core.importer.store import import_batch
from core.migrate import upgrade

log = logging.getLogger(__name__)

DEMO = Path(__file__).resolve().parents[2] / "data" / "samples" / "orders_demo.csv"


@dataclass(frozen=True)
class ImportBench:
    rows: int
    parse_s: float
    import_s: float
    reimport_s: float
    peak_rss_mib: float

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.import_s


def write_batch(path: Path, rows: int) -> Path:
    """A CSV batch of `rows` good orders: the demo orders repeated under new ids."""
    with DEMO.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        columns = list(reader.fieldnames or [])
        demo = list(reader)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, columns)
        writer.writeheader()
        for i in range(rows):
            writer.writerow({**demo[i % len(demo)], "order_id": f"B-{i:07d}"})
    return path


def run(
    rows: int, url: str, folder: Path, step: Callable[[str], None] | None = None
) -> ImportBench:
    """Time parsing, a first import and a re-import (all duplicates) of `rows` orders;
    `step` is told what starts next."""
    say = step or (lambda _what: None)
    say("writing the batch")
    batch = write_batch(folder / "bench_batch.csv", rows)
    say("migrating the store")
    upgrade(url)
    engine = make_engine(url)
    try:
        say("parsing")
        t0 = time.perf_counter()
        parse_batch(batch)
        t1 = time.perf_counter()
        say("importing")
        first = import_batch(engine, batch)
        t2 = time.perf_counter()
        say("importing again (all duplicates)")
        again = import_batch(engine, batch)
        t3 = time.perf_counter()
    finally:
        engine.dispose()
    if first.imported != rows or again.duplicates != rows:
        raise RuntimeError(f"bench import stored {first.imported}/{rows} orders")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return ImportBench(rows, t1 - t0, t2 - t1, t3 - t2, peak)
