"""What drafting makes of an order: the production order, its pattern pieces and its routing."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.events import utcnow
from core.schema.base import Base, in_list

if TYPE_CHECKING:
    from core.schema.orders import OrderRow

PRODUCTION_STATUSES = ("drafted", "planned", "cutting", "sewing", "done", "cancelled")
# Server defaults so that migration 0003 can add these columns to a store that has rows.
_EMPTY_LIST = text("'[]'")
_EMPTY_OBJECT = text("'{}'")


class ProductionOrderRow(Base):
    """One per drafted order. The BOM is JSON: a list of {material, quantity, unit, ...}; the fit
    report is the drafted ease checks, seam checks and flags (design_bridge/README.md)."""

    __tablename__ = "production_orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.order_id"), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="drafted")
    bom: Mapped[list[Any]] = mapped_column(default=list)
    drafted_at: Mapped[datetime] = mapped_column(default=utcnow)
    drafter_version: Mapped[str | None] = mapped_column(String(64))
    body: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default=_EMPTY_OBJECT)
    fit: Mapped[list[Any]] = mapped_column(default=list, server_default=_EMPTY_LIST)
    seams: Mapped[list[Any]] = mapped_column(default=list, server_default=_EMPTY_LIST)
    flags: Mapped[list[Any]] = mapped_column(default=list, server_default=_EMPTY_LIST)

    order: Mapped[OrderRow] = relationship()
    pieces: Mapped[list[PatternPieceRow]] = relationship(
        back_populates="production_order", cascade="all, delete-orphan"
    )
    routing: Mapped[RoutingRow | None] = relationship(
        back_populates="production_order", cascade="all, delete-orphan"
    )

    __table_args__ = (CheckConstraint(in_list("status", PRODUCTION_STATUSES), name="status_known"),)


class PatternPieceRow(Base):
    """A cut part: closed polygon in mm (list of [x, y]); grain line and notches in that frame."""

    __tablename__ = "pattern_pieces"

    id: Mapped[int] = mapped_column(primary_key=True)
    production_order_id: Mapped[int] = mapped_column(
        ForeignKey("production_orders.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(64))
    polygon: Mapped[list[Any]]  # [[x, y], ...] in mm, closed implicitly
    grain_line: Mapped[list[Any]]  # [[x0, y0], [x1, y1]] in mm
    notches: Mapped[list[Any]] = mapped_column(default=list)  # [[x, y], ...] on the outline
    seam_allowance_mm: Mapped[float] = mapped_column(default=10.0)
    quantity: Mapped[int] = mapped_column(default=1)  # to cut per garment
    mirrored: Mapped[bool] = mapped_column(default=False)  # cut as a left/right pair
    # shell, pocketing or interfacing: each material is nested on its own fabric
    material: Mapped[str] = mapped_column(String(32), default="shell", server_default="shell")
    # the rest of the drafted piece: sewing line, edges, named notches, darts, label, rotations
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default=_EMPTY_OBJECT)

    production_order: Mapped[ProductionOrderRow] = relationship(back_populates="pieces")

    __table_args__ = (
        UniqueConstraint("production_order_id", "name", name="uq_pattern_pieces_order_name"),
        CheckConstraint("quantity >= 1", name="quantity_positive"),
    )


class RoutingRow(Base):
    """The operations a garment goes through; a style's template when not tied to an order."""

    __tablename__ = "routings"

    id: Mapped[int] = mapped_column(primary_key=True)
    style: Mapped[str] = mapped_column(String(32))
    production_order_id: Mapped[int | None] = mapped_column(
        ForeignKey("production_orders.id", ondelete="CASCADE"), unique=True
    )

    production_order: Mapped[ProductionOrderRow | None] = relationship(back_populates="routing")
    operations: Mapped[list[OperationRow]] = relationship(
        back_populates="routing", cascade="all, delete-orphan", order_by="OperationRow.seq"
    )


class OperationRow(Base):
    """One sewing step. `predecessors` lists the codes of operations that must finish first."""

    __tablename__ = "operations"

    id: Mapped[int] = mapped_column(primary_key=True)
    routing_id: Mapped[int] = mapped_column(
        ForeignKey("routings.id", ondelete="CASCADE"), index=True
    )
    seq: Mapped[int]
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    machine_type: Mapped[str] = mapped_column(String(32))
    smv: Mapped[float]  # standard minutes
    predecessors: Mapped[list[Any]] = mapped_column(default=list)

    routing: Mapped[RoutingRow] = relationship(back_populates="operations")

    __table_args__ = (
        UniqueConstraint("routing_id", "code", name="uq_operations_routing_code"),
        CheckConstraint("smv > 0", name="smv_positive"),
    )
