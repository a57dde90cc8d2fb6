"""The drafting benchmark behind `atelier bench drafting`."""

from __future__ import annotations

import logging
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from core.orders import STYLES
from design_bridge.batch import write_order
from design_bridge.draft import draft_order
from design_bridge.tools.ansur_orders import ansur_orders

log = logging.getLogger(__name__)


def run_bench(n_orders: int, progress: Callable[[int], None] | None = None) -> dict:
    """Draft n orders (ANSUR II bodies, all styles, options cycled) in this one process."""
    orders = ansur_orders(max(1, -(-n_orders // len(STYLES))))[:n_orders]
    per_style: dict[str, float] = {s: 0.0 for s in STYLES}
    counts: dict[str, int] = {s: 0 for s in STYLES}
    drafted = []
    start = time.perf_counter()
    for i, order in enumerate(orders, start=1):
        t = time.perf_counter()
        drafted.append(draft_order(order))
        per_style[order.style] += time.perf_counter() - t
        counts[order.style] += 1
        if progress is not None:
            progress(i)
    seconds = time.perf_counter() - start
    sample = drafted[: max(1, len(drafted) // 10)]
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        for d in sample:
            write_order(Path(tmp) / d.order_id, d)
        export_s = time.perf_counter() - t
    per_order = seconds / len(orders) + export_s / len(sample)
    return {
        "orders": len(orders),
        "seconds": round(seconds, 3),
        "orders_per_second_per_core": round(len(orders) / seconds, 1),
        "with_exports_per_second": round(1 / per_order, 1),
        "per_style_orders_per_second": {
            s: round(counts[s] / per_style[s], 1) for s in STYLES if counts[s]
        },
        "cpu_count": os.cpu_count(),
    }
