"""Each line's edge agent as the centre last heard of it (written by the uplink)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from core.schema.base import Base


class LineAgentRow(Base):
    __tablename__ = "line_agents"

    line: Mapped[str] = mapped_column(String(32), primary_key=True)
    node_id: Mapped[str | None] = mapped_column(String(64))
    last_heartbeat: Mapped[datetime | None]
    outbox_depth: Mapped[int] = mapped_column(default=0)
    events_shipped: Mapped[int] = mapped_column(default=0)
    model_version: Mapped[str | None] = mapped_column(String(64))
    links: Mapped[dict[str, Any]] = mapped_column(default=dict)  # device link -> state
