"""draft_batch: draft every order of a batch and write exports and a summary, all or nothing.

Layout of the output folder:
    summary.json, summary.csv          one line per order: pieces, fabric, SMV, fit flags
    <order_id>/drafted.json            DraftedOrder.to_dict()
    <order_id>/pattern.svg|dxf|plt     preview, DXF-AAMA, HPGL
"""

from __future__ import annotations

import csv
import json
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from core.errors import InputError
from core.orders import CustomOrder
from design_bridge.draft import DraftedOrder, draft_order
from design_bridge.export.dxf import write_dxf
from design_bridge.export.hpgl import order_hpgl
from design_bridge.export.svg import order_svg

log = logging.getLogger(__name__)

# (steps done, total steps, order_id): each order is one step drafted and one step written
Progress = Callable[[int, int, str], None]
SUMMARY_FIELDS = (
    "order_id",
    "style",
    "size",
    "quantity",
    "pieces",
    "fabric",
    "fabric_area_m2",
    "fabric_length_m",
    "smv_total",
    "fit_ok",
    "flags",
)


def folder_name(order_id: str) -> str:
    """A file-system-safe folder name for an order id."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", order_id).lstrip(".") or "_"


def summary_row(d: DraftedOrder) -> dict:
    return {
        "order_id": d.order_id,
        "style": d.style,
        "size": d.size or "MTM",
        "quantity": d.quantity,
        "pieces": sum(p.quantity for p in d.pieces),
        "fabric": d.bom.fabric_code,
        "fabric_area_m2": d.bom.fabric_area_m2,
        "fabric_length_m": d.bom.fabric_length_m,
        "smv_total": d.smv_total,
        "fit_ok": all(f.ok for f in d.fit),
        "flags": "; ".join(d.flags),
    }


def draft_all(
    orders: Iterable[CustomOrder], progress: Progress | None = None, total: int | None = None
) -> list[DraftedOrder]:
    """Draft every order; InputError lists every order that failed, and nothing is returned."""
    orders = list(orders)
    total = total or len(orders)
    drafted, errors, seen = [], [], set()
    for i, order in enumerate(orders, start=1):
        name = folder_name(order.order_id)
        if name in seen:
            errors.append(f"order {order.order_id}: order id repeats in the batch")
        seen.add(name)
        try:
            drafted.append(draft_order(order))
        except InputError as exc:
            errors.append(str(exc))
        if progress is not None:
            progress(i, total, order.order_id)
    if errors:
        raise InputError(
            f"{len(errors)} of {len(orders)} orders cannot be drafted:\n  " + "\n  ".join(errors)
        )
    return drafted


def draft_batch(
    orders: Iterable[CustomOrder], out_dir: Path | str, progress: Progress | None = None
) -> list[DraftedOrder]:
    """Draft and write a batch. `out_dir` must not exist or be empty; it appears complete or not
    at all (the files are written to a temporary sibling folder that is then renamed)."""
    out = Path(out_dir)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise InputError(f"output folder {out} exists and is not empty")
    orders = list(orders)
    steps = 2 * len(orders)
    drafted = draft_all(orders, progress, steps)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        tmp.chmod(0o755)  # mkdtemp makes it private; the result is an ordinary folder
        for i, d in enumerate(drafted, start=len(drafted) + 1):
            write_order(tmp / folder_name(d.order_id), d)
            if progress is not None:
                progress(i, steps, d.order_id)
        write_summary(tmp, drafted)
        if out.exists():
            out.rmdir()
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    log.info("drafted %d orders into %s", len(drafted), out)
    return drafted


def write_order(folder: Path, d: DraftedOrder) -> None:
    folder.mkdir(parents=True)
    title = f"{d.order_id} {d.style} {d.size or 'MTM'} {d.customer}"
    (folder / "drafted.json").write_text(json.dumps(d.to_dict(), indent=1))
    (folder / "pattern.svg").write_text(order_svg(title, d.pieces))
    write_dxf(folder / "pattern.dxf", d.style, d.pieces)
    (folder / "pattern.plt").write_text(order_hpgl(d.pieces), encoding="ascii", errors="replace")


def write_summary(folder: Path, drafted: list[DraftedOrder]) -> None:
    rows = [summary_row(d) for d in drafted]
    (folder / "summary.json").write_text(json.dumps({"orders": rows}, indent=1))
    with (folder / "summary.csv").open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=SUMMARY_FIELDS)
        writer.writeheader()
        writer.writerows(rows)
