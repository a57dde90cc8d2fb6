"""Plan versions in the store: a planning run is one version number shared by its two families,
`cut:<cutting line>` (markers) and `sewing:<sewing line>` (assignments); listing, showing and
publishing them, and delivering each line's part to its edge agent."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session, selectinload

from core.config.models import FactoryConfig
from core.db import transaction
from core.errors import InputError
from core.orders import OrderStatus
from core.plant import sync_plant
from core.schema import OrderRow, PlanAssignmentRow, PlanMarkerRow, PlanRow
from core.states import PlanStatus

log = logging.getLogger(__name__)


def families(cutting_line: str = "C1", sewing_line: str = "L1") -> tuple[str, str]:
    return f"cut:{cutting_line}", f"sewing:{sewing_line}"


def _next_version(session: Session, names: tuple[str, ...]) -> int:
    """One number for both families, so `plans publish 3` means one planning run."""
    last = session.scalar(select(func.max(PlanRow.version)).where(PlanRow.family.in_(names)))
    return (last or 0) + 1


def _cutting_tables(markers: list[Any], plies: dict[str, int], tables: list[str]) -> dict:
    """Longest lay first onto the table with the least fabric so far (a simple balance)."""
    load = dict.fromkeys(tables, 0.0)
    out = {}
    for marker in sorted(markers, key=lambda m: -m.length_mm * plies[m.marker_id]):
        table = min(load, key=lambda t: (load[t], t))
        out[marker.marker_id] = table
        load[table] += marker.length_mm * plies[marker.marker_id]
    return out


def _tables(factory: FactoryConfig, line_id: str) -> list[str]:
    for line in factory.lines:
        if line.id == line_id:
            return [s.id for s in line.stations]
    raise InputError(f"cutting line {line_id!r} is not in the factory configuration")


def store_plan(
    engine: Engine,
    factory: FactoryConfig,
    settings: Any,
    plan: Any,
    sewing: Any,
    kpis: dict[str, Any],
    origin: datetime,
    *,
    batch: Path | None = None,
) -> int:
    """The plan as the next draft version of both families, in one transaction; returns it."""
    if batch is not None:
        from core.importer import import_batch

        imported = import_batch(engine, batch)
        if imported.errors:
            lines = [f"row {e.row}, {e.field}: {e.message}" for e in imported.errors]
            raise InputError(f"{batch}: not imported:\n  " + "\n  ".join(lines))
    cut_family, sewing_family = families(settings.cutting_line, settings.sewing_line)
    ops = {op.op_id: op for op in sewing.operations}
    plies = {lay.marker_id: lay.plies for lay in plan.cut_plan.lays}
    tables = _cutting_tables(list(plan.markers), plies, _tables(factory, settings.cutting_line))
    with transaction(engine) as session:
        sync_plant(session, factory)  # assignments name stations; the store must know them
        version = _next_version(session, (cut_family, sewing_family))
        rows = {}
        for family, kind in ((cut_family, "cut"), (sewing_family, "sewing")):
            rows[kind] = PlanRow(
                family=family,
                version=version,
                kind=kind,
                status=PlanStatus.DRAFT.value,
                kpis={**kpis, "version": version},
                created_by=settings.created_by,
            )
            session.add(rows[kind])
        for s in plan.schedule.operations:
            op = ops[s.op_id]
            rows["sewing"].assignments.append(
                PlanAssignmentRow(
                    bundle=op.bundle_id,
                    order_id=op.order_id,
                    operation_code=op.operation,
                    station_id=s.station_id,
                    start=origin + timedelta(minutes=s.start),
                    end=origin + timedelta(minutes=s.end),
                )
            )
        for marker in plan.markers:
            rows["cut"].markers.append(
                PlanMarkerRow(
                    name=marker.marker_id,
                    fabric=marker.fabric,
                    width_mm=marker.width_mm,
                    length_mm=round(marker.length_mm, 1),
                    plies=plies[marker.marker_id],
                    efficiency=min(1.0, round(marker.efficiency, 4)),
                    order_ids=sorted({p.order_id for p in marker.placements}),
                    placements=[_placement(p) for p in marker.placements],
                    station_id=tables[marker.marker_id],
                )
            )
        session.execute(
            update(OrderRow)
            .where(OrderRow.order_id.in_(kpis["orders"]))
            .values(status=OrderStatus.PLANNED.value)
        )
        session.flush()
    log.info("stored plan v%d (%s, %s)", version, cut_family, sewing_family)
    return version


def _placement(p: Any) -> dict[str, Any]:
    xs = [x for x, _ in p.polygon]
    ys = [y for _, y in p.polygon]
    return {
        "piece": p.piece_id,
        "order_id": p.order_id,
        "x": round(min(xs), 1),
        "y": round(min(ys), 1),
        "rotation": p.rotation,
        "polygon": [[round(x, 1), round(y, 1)] for x, y in p.polygon],
    }


@dataclass(frozen=True)
class PlanVersion:
    """One version: its rows per family (status, KPIs) and, when loaded, what it assigns."""

    version: int
    rows: dict[str, dict[str, Any]]  # family -> {status, kind, created_at, published_at, kpis}
    payloads: dict[str, dict[str, Any]] = field(default_factory=dict)  # family -> line payload

    @property
    def kpis(self) -> dict[str, Any]:
        return next(iter(self.rows.values()))["kpis"]

    @property
    def status(self) -> str:
        return ", ".join(sorted({r["status"] for r in self.rows.values()}))


def _row_summary(row: PlanRow) -> dict[str, Any]:
    return {
        "kind": row.kind,
        "status": row.status,
        "created_by": row.created_by,
        "created_at": row.created_at.isoformat(),
        "published_at": row.published_at.isoformat() if row.published_at else None,
        "kpis": dict(row.kpis),
    }


def payload(row: PlanRow) -> dict[str, Any]:
    """What a line's edge agent receives: its assignments or its markers, plain JSON."""
    head = {"plan_id": f"{row.family}:v{row.version}", "family": row.family, "version": row.version}
    if row.kind == "sewing":
        items = sorted(row.assignments, key=lambda a: (a.start, a.station_id))
        return head | {
            "assignments": [
                {
                    "bundle": a.bundle,
                    "order_id": a.order_id,
                    "operation": a.operation_code,
                    "station": a.station_id,
                    "start": a.start.isoformat(),
                    "end": a.end.isoformat(),
                }
                for a in items
            ]
        }
    return head | {
        "markers": [
            {
                "name": m.name,
                "fabric": m.fabric,
                "width_mm": m.width_mm,
                "length_mm": m.length_mm,
                "plies": m.plies,
                "efficiency": m.efficiency,
                "station": m.station_id,
                "order_ids": list(m.order_ids),
            }
            for m in sorted(row.markers, key=lambda m: m.name)
        ]
    }


def version_rows(
    session: Session, names: tuple[str, ...], version: int | None = None
) -> list[PlanRow]:
    query = select(PlanRow).where(PlanRow.family.in_(names))
    if version is not None:
        query = query.where(PlanRow.version == version).options(
            selectinload(PlanRow.assignments), selectinload(PlanRow.markers)
        )
    return list(session.scalars(query.order_by(PlanRow.version, PlanRow.family)))


def list_versions(engine: Engine, cutting_line: str = "C1", sewing_line: str = "L1"):
    """Every planning run, oldest first."""
    names = families(cutting_line, sewing_line)
    out: dict[int, dict[str, dict[str, Any]]] = {}
    with transaction(engine) as session:
        for row in version_rows(session, names):
            out.setdefault(row.version, {})[row.family] = _row_summary(row)
    return [PlanVersion(v, rows) for v, rows in sorted(out.items())]


def get_version(
    engine: Engine, version: int, cutting_line: str = "C1", sewing_line: str = "L1"
) -> PlanVersion:
    """One version with each line's payload; InputError naming the versions there are."""
    names = families(cutting_line, sewing_line)
    with transaction(engine) as session:
        rows = version_rows(session, names, version)
        if not rows:
            known = sorted(
                set(session.scalars(select(PlanRow.version).where(PlanRow.family.in_(names))))
            )
            raise InputError(f"there is no plan version {version} (versions: {known or 'none'})")
        return PlanVersion(
            version,
            {r.family: _row_summary(r) for r in rows},
            {r.family: payload(r) for r in rows},
        )
