"""Events as stored centrally: one row per event id, whatever the number of deliveries."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from core.events import utcnow
from core.schema.base import Base


class EventRow(Base):
    __tablename__ = "events"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    line: Mapped[str] = mapped_column(String(32))
    station: Mapped[str | None] = mapped_column(String(32))
    type: Mapped[str] = mapped_column(String(64))
    time: Mapped[datetime]
    payload: Mapped[dict[str, Any]]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        Index("ix_events_line_time", "line", "time"),
        Index("ix_events_type_time", "type", "time"),
    )
