"""Plans published for a line, kept until the line's uplink has written them into its inbox.

A row per line and plan id: publishing the same plan again makes it wait again (the inbox keeps
one copy per plan id), and a restarted ingest actor or centre hands out what still waits.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.events import utcnow
from core.schema.base import Base

PLAN_ID_MAX = 128


class PlanDeliveryRow(Base):
    __tablename__ = "plan_deliveries"

    seq: Mapped[int] = mapped_column(primary_key=True)  # the order plans were published in
    line: Mapped[str] = mapped_column(String(32))
    plan_id: Mapped[str] = mapped_column(String(PLAN_ID_MAX))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None]

    __table_args__ = (
        UniqueConstraint("line", "plan_id", name="uq_plan_deliveries_line_plan"),
        Index("ix_plan_deliveries_waiting", "line", "delivered_at", "seq"),
    )
