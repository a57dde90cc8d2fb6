"""Commands from the centre to a line's agent (operators' actions on the HMI), kept until the
line's uplink has written them into the agent's inbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from core.events import utcnow
from core.schema.base import Base, in_list

ALARM_COMMANDS = ("alarm_ack", "alarm_shelve")  # an operator acknowledges or shelves an alarm
COMMAND_KINDS = ("start", "pause", "finish", "scrap", "scan", *ALARM_COMMANDS)


class LineCommandRow(Base):
    __tablename__ = "line_commands"

    seq: Mapped[int] = mapped_column(primary_key=True)  # the order the agent applies them in
    id: Mapped[str] = mapped_column(String(64), unique=True)
    line: Mapped[str] = mapped_column(String(32))
    station: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))
    bundle: Mapped[str] = mapped_column(String(64))  # empty for alarm commands
    operation: Mapped[str | None] = mapped_column(String(64))
    user: Mapped[str] = mapped_column(String(64))
    event_id: Mapped[str | None] = mapped_column(String(64))  # the HMI's own record of it
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None]

    __table_args__ = (
        CheckConstraint(in_list("kind", COMMAND_KINDS), name="kind"),
        Index("ix_line_commands_waiting", "line", "delivered_at", "seq"),
    )
