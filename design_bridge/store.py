"""Drafting into the store: a stored order becomes a production order with its pattern pieces,
routing and operations, bill of materials and fit report, and the order's status `drafted`.

Each order is drafted in its own transaction after the import has committed; a refused order
stays `received` with the reason in `orders.draft_error` (design_bridge/README.md, "The store").
"""

from __future__ import annotations

import importlib.metadata
import logging
import re
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
from core.orders import OrderStatus
from core.schema import OperationRow, OrderRow, PatternPieceRow, ProductionOrderRow, RoutingRow
from design_bridge.draft import draft_order

log = logging.getLogger(__name__)

# (orders done, orders in all, order id just done)
Progress = Callable[[int, int, str], None]
# What the per-edge piece data keeps beyond the columns (`polygon` is the cut line).
_PIECE_DETAIL = (
    "label",
    "sewing_line",
    "edges",
    "seam_allowances_mm",
    "notches",
    "darts",
    "interfaced",
    "allowed_rotations",
    "cut_area_mm2",
)
# Drafting's messages name the field at fault in one of these shapes (measurements.py,
# options.py, draft.py); the first that matches gives the report's field.
_FIELDS = (
    (re.compile(r"measurement '(\w+)'"), None),
    (re.compile(r"\boption\b"), "options"),
    (re.compile(r"\bsize\b"), "size"),
    (re.compile(r"\bstyle '"), "style"),
    (re.compile(r"cannot draft"), "measurements"),
)


@dataclass(frozen=True)
class DraftFailure:
    """An order drafting refused: `field` as in the import's row errors, `message` the reason."""

    order_id: str
    field: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"order_id": self.order_id, "field": self.field, "message": self.message}


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


def failure_of(order_id: str, error: InputError) -> DraftFailure:
    """Drafting's InputError as a report line: the field it names and the reason without the
    `order <id>: ` prefix (the report already says which order)."""
    message = str(error).removeprefix(f"order {order_id}: ")
    for pattern, name in _FIELDS:
        found = pattern.search(message)
        if found:
            return DraftFailure(order_id, name or found.group(1), message)
    return DraftFailure(order_id, "(order)", message)


def bom_lines(bom: dict[str, Any]) -> list[dict[str, Any]]:
    """`BillOfMaterials.to_dict()` as the store's BOM: one line per material, for the order."""
    lines: list[dict[str, Any]] = [
        {
            "material": bom["fabric_code"],
            "kind": "fabric",
            "quantity": bom["fabric_length_m"],
            "unit": "m",
            "area_m2": bom["fabric_area_m2"],
            "width_mm": bom["fabric_width_mm"],
            "marker_efficiency": bom["marker_efficiency"],
            "in_catalogue": bom["fabric_known"],
        }
    ]
    for kind in ("pocketing", "interfacing"):
        if bom[f"{kind}_area_m2"] > 0:
            area = bom[f"{kind}_area_m2"]
            lines.append({"material": kind, "kind": kind, "quantity": area, "unit": "m2"})
    lines.append(
        {
            "material": "thread",
            "kind": "thread",
            "quantity": bom["thread_m"],
            "unit": "m",
            "colour": bom["thread_colour"],
        }
    )
    lines += [
        {"material": name, "kind": "trim", "quantity": n, "unit": "pcs"}
        for name, n in bom["trims"].items()
    ]
    return lines


def production_order_row(drafted: dict[str, Any], version: str) -> ProductionOrderRow:
    """The rows of one `DraftedOrder.to_dict()`: production order, pieces, routing, operations."""
    pieces = [
        PatternPieceRow(
            name=p["name"],
            polygon=p["cut_line"],
            grain_line=p["grain_line"],
            notches=[[n["x"], n["y"]] for n in p["notches"]],
            seam_allowance_mm=min(p["seam_allowances_mm"].values(), default=0.0),
            quantity=p["quantity"],
            mirrored=p["mirrored"],
            material=p["material"],
            detail={key: p[key] for key in _PIECE_DETAIL},
        )
        for p in drafted["pieces"]
    ]
    operations = [
        OperationRow(
            seq=seq,
            code=op["op_id"],
            name=op["name"],
            machine_type=op["machine_type"],
            smv=op["smv"],
            predecessors=list(op["after"]),
        )
        for seq, op in enumerate(drafted["routing"], start=1)
    ]
    return ProductionOrderRow(
        order_id=drafted["order_id"],
        status="drafted",
        bom=bom_lines(drafted["bom"]),
        drafter_version=version,
        body=drafted["body"],
        fit=drafted["fit"],
        seams=drafted["seams"],
        flags=drafted["flags"],
        pieces=pieces,
        routing=RoutingRow(style=drafted["style"], operations=operations),
    )


def drafter_version() -> str:
    try:
        return f"atelier {importlib.metadata.version('atelier')}"
    except importlib.metadata.PackageNotFoundError:
        return "atelier (not installed)"


def draft_stored(engine: Engine, order_id: str, version: str | None = None) -> str | DraftFailure:
    """Draft one stored order: `"drafted"`, `"skipped"` (not `received`), or the failure.

    The production order and the order's new status are written in one transaction; a refusal
    is recorded on the order (status unchanged) in another.
    """
    with transaction(engine) as session:
        query = select(OrderRow).where(OrderRow.order_id == order_id)
        row = session.scalars(query.options(selectinload(OrderRow.customer))).one_or_none()
        if row is None or row.status != OrderStatus.RECEIVED:
            return "skipped"
        order = order_from_row(row)
    try:
        drafted = draft_order(order).to_dict()
    except InputError as exc:
        failure = failure_of(order_id, exc)
        _still_received(engine, order_id, draft_error=failure.message[:1000])
        log.info("order %s not drafted: %s", order_id, failure.message)
        return failure
    with transaction(engine) as session:
        # Claiming the order by its status makes a second drafter of the same order a no-op.
        claimed = session.execute(
            update(OrderRow)
            .where(OrderRow.order_id == order_id, OrderRow.status == OrderStatus.RECEIVED)
            .values(status=OrderStatus.DRAFTED.value, draft_error=None)
        ).rowcount
        if claimed != 1:
            return "skipped"
        session.add(production_order_row(drafted, version or drafter_version()))
    return "drafted"


def _still_received(engine: Engine, order_id: str, **values: Any) -> None:
    with transaction(engine) as session:
        session.execute(
            update(OrderRow)
            .where(OrderRow.order_id == order_id, OrderRow.status == OrderStatus.RECEIVED)
            .values(**values)
        )


def draft_orders(
    engine: Engine, order_ids: Iterable[str], progress: Progress | None = None
) -> DraftReport:
    """Draft these stored orders one by one; `progress` is called after each."""
    ids = list(order_ids)
    report = DraftReport()
    version = drafter_version()
    for done, order_id in enumerate(ids, start=1):
        outcome = draft_stored(engine, order_id, version)
        if isinstance(outcome, DraftFailure):
            report.failures.append(outcome)
        elif outcome == "drafted":
            report.drafted += 1
        else:
            report.skipped += 1
        if progress is not None:
            progress(done, len(ids), order_id)
    log.info(
        "drafted %d of %d orders (%d refused, %d skipped)",
        report.drafted,
        len(ids),
        len(report.failures),
        report.skipped,
    )
    return report


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
