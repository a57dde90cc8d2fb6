"""Store a parsed batch: new orders in one transaction; an order id seen before is a duplicate
when its content is the same and a row error when it differs (an import never edits an order)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from core.audit import record
from core.db import transaction
from core.importer.parse import BatchParse, Progress, RowError, parse_batch, parse_bytes
from core.orders import CustomOrder, Priority
from core.schema import CustomerRow, OrderRow

log = logging.getLogger(__name__)

_CHUNK = 500
_ATTEMPTS = 3  # a concurrent import of the same ids makes one transaction fail; run it again


@dataclass
class ImportReport:
    imported: int = 0
    duplicates: int = 0
    errors: list[RowError] = field(default_factory=list)
    order_ids: list[str] = field(default_factory=list)  # stored by this import, in file order
    rows: dict[str, int] = field(default_factory=dict)  # row of each stored order id
    drafted: int | None = None  # production orders drafted from this import, when it drafts

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "imported": self.imported,
            "duplicates": self.duplicates,
            "errors": [e.to_dict() for e in self.errors],
        }
        if self.drafted is not None:
            out["drafted"] = self.drafted
        return out


def order_from_row(row: OrderRow) -> CustomOrder:
    return CustomOrder(
        order_id=row.order_id,
        customer=row.customer.name,
        style=row.style,
        options=dict(row.options),
        size=row.size,
        measurements=dict(row.measurements),
        fabric=row.fabric,
        quantity=row.quantity,
        due_date=row.due_date,
        priority=Priority(row.priority),
    )


def _chunks(items: list[str]) -> list[list[str]]:
    return [items[i : i + _CHUNK] for i in range(0, len(items), _CHUNK)]


def _stored(session: Session, ids: list[str]) -> dict[str, CustomOrder]:
    found: dict[str, CustomOrder] = {}
    for chunk in _chunks(ids):
        query = (
            select(OrderRow)
            .where(OrderRow.order_id.in_(chunk))
            .options(selectinload(OrderRow.customer))
        )
        found.update((r.order_id, order_from_row(r)) for r in session.scalars(query))
    return found


def _customers(session: Session, names: list[str]) -> dict[str, CustomerRow]:
    found: dict[str, CustomerRow] = {}
    for chunk in _chunks(names):
        query = select(CustomerRow).where(CustomerRow.name.in_(chunk))
        found.update((c.name, c) for c in session.scalars(query))
    for name in names:
        if name not in found:
            found[name] = CustomerRow(name=name)
            session.add(found[name])
    return found


def _first_of_each(parsed: BatchParse, report: ImportReport) -> list[tuple[int, CustomOrder]]:
    """Drop repeats of an order id inside the file: the same content is a duplicate."""
    first: dict[str, tuple[int, CustomOrder]] = {}
    for row, order in parsed.orders:
        seen = first.get(order.order_id)
        if seen is None:
            first[order.order_id] = (row, order)
        elif seen[1] == order:
            report.duplicates += 1
        else:
            report.errors.append(
                RowError(
                    row,
                    "order_id",
                    f"{order.order_id} appears again with different content"
                    f" (first at row {seen[0]})",
                )
            )
    return list(first.values())


def _store(
    engine: Engine, orders: list[tuple[int, CustomOrder]], source: str, actor: str | None
) -> ImportReport:
    report = ImportReport()
    with transaction(engine) as session:
        stored = _stored(session, [o.order_id for _, o in orders])
        new: list[CustomOrder] = []
        for row, order in orders:
            before = stored.get(order.order_id)
            if before is None:
                new.append(order)
                report.rows[order.order_id] = row
            elif before == order:
                report.duplicates += 1
            else:
                report.errors.append(
                    RowError(
                        row,
                        "order_id",
                        f"{order.order_id} is already stored with different content; "
                        "an import never changes a stored order",
                    )
                )
        customers = _customers(session, sorted({o.customer for o in new}))
        session.flush()  # customer ids for the orders below
        if new:
            # One bulk INSERT (executemany) rather than one ORM object per order.
            session.execute(
                insert(OrderRow),
                [
                    {
                        "order_id": o.order_id,
                        "customer_id": customers[o.customer].id,
                        "style": o.style,
                        "options": dict(o.options),
                        "size": o.size,
                        "measurements": dict(o.measurements),
                        "fabric": o.fabric,
                        "quantity": o.quantity,
                        "due_date": o.due_date,
                        "priority": o.priority.value,
                        "source": source[:255],
                    }
                    for o in new
                ],
            )
        report.imported = len(new)
        report.order_ids = [o.order_id for o in new]
        if actor is not None:
            # A person's upload is audited in the transaction that stores its orders.
            record(
                session,
                actor,
                "orders.import",
                f"batch:{source[:100]}",
                None,
                {"imported": report.order_ids, "duplicates": report.duplicates},
            )
    return report


def import_batch(
    engine: Engine, path: Path, fmt: str | None = None, progress: Progress | None = None
) -> ImportReport:
    """Validate the batch at `path` and store its good rows in one transaction.

    Raises InputError (storing nothing) when the file is not a batch at all. Bad rows are in
    the report's `errors`, sorted by row; they never stop the good rows from being stored.
    """
    path = Path(path)
    return _import(engine, parse_batch(path, fmt, progress), path.name)


def import_upload(
    engine: Engine, data: bytes, name: str, fmt: str | None = None, actor: str | None = None
) -> ImportReport:
    """As `import_batch`, for an uploaded file's content; `name` is the file's name. With an
    `actor` (a person, e.g. `hmi:pia`) the import is audited in the same transaction."""
    return _import(engine, parse_bytes(data, name, fmt), Path(name).name, actor)


def _import(
    engine: Engine, parsed: BatchParse, source: str, actor: str | None = None
) -> ImportReport:
    head = ImportReport()
    unique = _first_of_each(parsed, head)
    for attempt in range(1, _ATTEMPTS + 1):
        try:
            stored = _store(engine, unique, source, actor)
            break
        except IntegrityError:
            if attempt == _ATTEMPTS:
                raise
            log.warning("another import stored some of these orders meanwhile; retrying")
    report = ImportReport(
        imported=stored.imported,
        duplicates=head.duplicates + stored.duplicates,
        errors=sorted(parsed.errors + head.errors + stored.errors, key=lambda e: e.row),
        order_ids=stored.order_ids,
        rows=stored.rows,
    )
    log.info(
        "imported %s: %d new, %d duplicates, %d errors",
        source,
        report.imported,
        report.duplicates,
        len(report.errors),
    )
    return report


def list_orders(
    engine: Engine, status: str | None = None, limit: int | None = None
) -> list[tuple[CustomOrder, str]]:
    """Stored orders with their status, by due date then id."""
    with transaction(engine) as session:
        query = (
            select(OrderRow)
            .options(selectinload(OrderRow.customer))
            .order_by(OrderRow.due_date, OrderRow.order_id)
        )
        if status is not None:
            query = query.where(OrderRow.status == status)
        if limit is not None:
            query = query.limit(limit)
        return [(order_from_row(r), r.status) for r in session.scalars(query)]
