"""The alarm journal: every alarm raised in a window, newest first, with its ISA-18.2 state."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.schema import AlarmRow
from core.states import AlarmState

# Abnormal for the journal: the condition is present or nobody has acknowledged it.
NEEDS_ATTENTION = (AlarmState.UNACKNOWLEDGED.value, AlarmState.RETURNED_UNACKNOWLEDGED.value)

COLUMNS = [
    "raised (UTC)",
    "line",
    "station",
    "priority",
    "state",
    "message",
    "acknowledged by",
    "returned (UTC)",
    "shelve reason",
]


def _when(t: datetime | None) -> str:
    return t.strftime("%Y-%m-%d %H:%M:%S") if t else ""


def alarm_journal(
    session: Session, since: datetime, lines: list[str], limit: int = 500
) -> pd.DataFrame:
    query = (
        select(AlarmRow)
        .where(AlarmRow.raised_at >= since)
        .order_by(AlarmRow.raised_at.desc(), AlarmRow.id.desc())
        .limit(limit)
    )
    if lines:
        query = query.where(AlarmRow.line.in_(lines))
    return pd.DataFrame(
        [
            {
                "raised (UTC)": _when(a.raised_at),
                "line": a.line,
                "station": a.station or "",
                "priority": a.priority,
                "state": a.state,
                "message": a.message,
                "acknowledged by": a.acknowledged_by or "",
                "returned (UTC)": _when(a.returned_at),
                "shelve reason": a.shelve_reason or "",
            }
            for a in session.scalars(query)
        ],
        columns=COLUMNS,
    )
