"""Drafting into the store: a stored order becomes a production order with its pattern pieces,
routing and operations, bill of materials and fit report, and the order's status `drafted`.

Drafting runs after the import has committed, in chunks of orders each written in one
transaction; a refused order stays `received` with the reason in `orders.draft_error`
(design_bridge/README.md, "Into the store").
"""

from __future__ import annotations

import importlib.metadata
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import selectinload

from core.db import transaction
from core.errors import InputError
from core.importer import ImportReport, RowError, import_batch, import_upload, order_from_row
from core.importer.parse import Progress as RowProgress
from core.orders import CustomOrder, OrderStatus
from core.schema import OrderRow
from design_bridge.draft import draft_order
from design_bridge.store_rows import DraftFailure, failure_of, production_order_row

log = logging.getLogger(__name__)

# (orders done, orders in all, order id just done)
Progress = Callable[[int, int, str], None]
_CHUNK = 50  # orders drafted, then written in one transaction


@dataclass
class DraftReport:
    drafted: int = 0
    skipped: int = 0  # no longer `received` when its turn came (drafted meanwhile, or gone)
    failures: list[DraftFailure] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "drafted": self.drafted,
            "skipped": self.skipped,
            "failures": [f.to_dict() for f in self.failures],
        }


def drafter_version() -> str:
    try:
        return f"atelier {importlib.metadata.version('atelier')}"
    except importlib.metadata.PackageNotFoundError:
        return "atelier (not installed)"


def draft_orders(
    engine: Engine, order_ids: Iterable[str], progress: Progress | None = None
) -> DraftReport:
    """Draft these stored orders; `progress` is called after each order is drafted.

    Orders go in chunks: read together, drafted one by one, then the chunk's production orders
    are written in one transaction (all or none) and its refusals in another.
    """
    ids = list(order_ids)
    report = DraftReport()
    version = drafter_version()
    done = 0
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        orders = _received(engine, chunk)
        drafted: list[dict[str, Any]] = []
        refused: list[DraftFailure] = []
        for order_id in chunk:
            order = orders.get(order_id)
            if order is None:
                report.skipped += 1
            else:
                try:
                    drafted.append(draft_order(order).to_dict())
                except InputError as exc:
                    refused.append(failure_of(order_id, exc))
            done += 1
            if progress is not None:
                progress(done, len(ids), order_id)
        written = _write(engine, drafted, version)
        report.drafted += written
        report.skipped += len(drafted) - written
        _record_refusals(engine, refused)
        report.failures += refused
    log.info(
        "drafted %d of %d orders (%d refused, %d skipped)",
        report.drafted,
        len(ids),
        len(report.failures),
        report.skipped,
    )
    return report


def draft_stored(engine: Engine, order_id: str) -> str | DraftFailure:
    """Draft one stored order: `"drafted"`, `"skipped"` (not `received`), or the refusal."""
    report = draft_orders(engine, [order_id])
    if report.failures:
        return report.failures[0]
    return "drafted" if report.drafted else "skipped"


def _received(engine: Engine, order_ids: list[str]) -> dict[str, CustomOrder]:
    with transaction(engine) as session:
        query = (
            select(OrderRow)
            .where(OrderRow.order_id.in_(order_ids), OrderRow.status == OrderStatus.RECEIVED)
            .options(selectinload(OrderRow.customer))
        )
        return {row.order_id: order_from_row(row) for row in session.scalars(query)}


def _write(engine: Engine, drafted: list[dict[str, Any]], version: str) -> int:
    """Write the production orders of the orders still `received`; the rest were drafted by
    another run meanwhile. Returns how many were written."""
    if not drafted:
        return 0
    with transaction(engine) as session:
        # Claiming by status makes a second drafter of the same order a no-op; the claim and
        # the rows commit together, so a failure leaves the orders `received` and no rows.
        claimed = set(
            session.scalars(
                update(OrderRow)
                .where(
                    OrderRow.order_id.in_([d["order_id"] for d in drafted]),
                    OrderRow.status == OrderStatus.RECEIVED,
                )
                .values(status=OrderStatus.DRAFTED.value, draft_error=None)
                .returning(OrderRow.order_id)
            )
        )
        session.add_all(
            production_order_row(d, version) for d in drafted if d["order_id"] in claimed
        )
    return len(claimed)


def _record_refusals(engine: Engine, refused: list[DraftFailure]) -> None:
    if not refused:
        return
    with transaction(engine) as session:
        for failure in refused:
            log.info("order %s not drafted: %s", failure.order_id, failure.message)
            session.execute(
                update(OrderRow)
                .where(
                    OrderRow.order_id == failure.order_id,
                    OrderRow.status == OrderStatus.RECEIVED,
                )
                .values(draft_error=failure.message[:1000])
            )


def received_order_ids(engine: Engine) -> list[str]:
    """Orders still waiting for drafting, by due date then id."""
    with transaction(engine) as session:
        query = (
            select(OrderRow.order_id)
            .where(OrderRow.status == OrderStatus.RECEIVED)
            .order_by(OrderRow.due_date, OrderRow.order_id)
        )
        return list(session.scalars(query))


def draft_received(engine: Engine, progress: Progress | None = None) -> DraftReport:
    """Draft every stored order still `received` (e.g. uploaded in the HMI, or refused before)."""
    return draft_orders(engine, received_order_ids(engine), progress)


def import_and_draft(
    engine: Engine,
    path: Path,
    fmt: str | None = None,
    rows_progress: RowProgress | None = None,
    draft_progress: Progress | None = None,
) -> ImportReport:
    """`import_batch`, then draft every order it stored; refusals join the row errors."""
    report = import_batch(engine, path, fmt, rows_progress)
    return _draft_imported(engine, report, draft_progress)


def upload_and_draft(
    engine: Engine,
    data: bytes,
    name: str,
    fmt: str | None = None,
    draft_progress: Progress | None = None,
) -> ImportReport:
    """`import_upload` (an HMI upload), then draft every order it stored."""
    return _draft_imported(engine, import_upload(engine, data, name, fmt), draft_progress)


def _draft_imported(
    engine: Engine, report: ImportReport, progress: Progress | None
) -> ImportReport:
    drafted = draft_orders(engine, report.order_ids, progress)
    refused = [
        RowError(report.rows[f.order_id], f.field, f"stored but not drafted: {f.message}")
        for f in drafted.failures
    ]
    report.errors = sorted(report.errors + refused, key=lambda e: e.row)
    report.drafted = drafted.drafted
    return report
