"""Alarms with their ISA-18.2 state, shelving and who acknowledged them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from core.events import utcnow
from core.schema.base import Base, in_list
from core.states import AlarmPriority, AlarmState


class AlarmRow(Base):
    """One alarm instance, from raised until it is back to `normal`."""

    __tablename__ = "alarms"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(128))  # source and condition, e.g. S3.thread_break
    line: Mapped[str] = mapped_column(String(32))
    station: Mapped[str | None] = mapped_column(String(32))
    message: Mapped[str] = mapped_column(String(500))
    priority: Mapped[str] = mapped_column(String(16), default=AlarmPriority.MEDIUM.value)
    state: Mapped[str] = mapped_column(String(24), default=AlarmState.UNACKNOWLEDGED.value)
    active: Mapped[bool] = mapped_column(default=True)  # is the condition still present
    value: Mapped[float | None]  # the process value that raised it
    raised_at: Mapped[datetime] = mapped_column(default=utcnow)
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by: Mapped[str | None] = mapped_column(String(64))
    returned_at: Mapped[datetime | None]  # condition cleared
    shelved_at: Mapped[datetime | None]
    shelved_until: Mapped[datetime | None]
    shelved_by: Mapped[str | None] = mapped_column(String(64))
    shelve_reason: Mapped[str | None] = mapped_column(String(500))  # asked for by the HMI
    suppressed_reason: Mapped[str | None] = mapped_column(String(500))
    event_id: Mapped[str | None] = mapped_column(String(64))  # the event that raised it

    __table_args__ = (
        CheckConstraint(in_list("state", [s.value for s in AlarmState]), name="state_known"),
        CheckConstraint(
            in_list("priority", [p.value for p in AlarmPriority]), name="priority_known"
        ),
        CheckConstraint(
            "state <> 'acknowledged'"
            " OR (acknowledged_by IS NOT NULL AND acknowledged_at IS NOT NULL)",
            name="ack_has_who",
        ),
        CheckConstraint(
            "state <> 'shelved' OR shelved_until IS NOT NULL", name="shelved_has_expiry"
        ),
        CheckConstraint(
            "state <> 'returned_unacknowledged' OR returned_at IS NOT NULL", name="rtn_has_time"
        ),
        Index("ix_alarms_line_state", "line", "state"),
        Index("ix_alarms_key_raised", "key", "raised_at"),
    )
