"""Customers and their custom orders, as imported from a batch."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.events import utcnow
from core.orders import STYLES, OrderStatus, Priority
from core.schema.base import Base, in_list


class CustomerRow(Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    orders: Mapped[list[OrderRow]] = relationship(back_populates="customer")


class OrderRow(Base):
    """One custom order; `order_id` is the customer's id and the key imports deduplicate on."""

    __tablename__ = "orders"

    order_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    style: Mapped[str] = mapped_column(String(32))
    options: Mapped[dict[str, Any]] = mapped_column(default=dict)
    size: Mapped[str | None] = mapped_column(String(8))
    measurements: Mapped[dict[str, Any]] = mapped_column(default=dict)  # name -> cm
    fabric: Mapped[str] = mapped_column(String(64))
    quantity: Mapped[int]
    due_date: Mapped[date] = mapped_column(Date)
    priority: Mapped[str] = mapped_column(String(16), default=Priority.NORMAL.value)
    status: Mapped[str] = mapped_column(String(16), default=OrderStatus.RECEIVED.value)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    source: Mapped[str | None] = mapped_column(String(255))  # batch file name it came from
    # why drafting refused it; the order stays `received` until it is corrected and drafted
    draft_error: Mapped[str | None] = mapped_column(String(1000))

    customer: Mapped[CustomerRow] = relationship(back_populates="orders")

    __table_args__ = (
        CheckConstraint("quantity >= 1", name="quantity_positive"),
        CheckConstraint(in_list("style", STYLES), name="style_known"),
        CheckConstraint(in_list("priority", [p.value for p in Priority]), name="priority_known"),
        CheckConstraint(in_list("status", [s.value for s in OrderStatus]), name="status_known"),
        Index("ix_orders_status_due", "status", "due_date"),
    )
