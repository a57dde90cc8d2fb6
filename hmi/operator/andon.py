"""Andon calls from the stations, shown as notices on the overview page while they are recent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import streamlit as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import AtelierError
from core.events import EventType
from core.schema import EventRow
from hmi.store import read, store_engine
from hmi.widgets import show_error

# Calls have no "answered" state in the store yet, so a call is news for this long.
NOTICE_WINDOW = timedelta(minutes=15)


@dataclass(frozen=True)
class AndonCall:
    line: str
    station: str | None
    kind: str
    operator: str
    time: datetime


def recent_calls(session: Session, since: datetime) -> list[AndonCall]:
    rows = session.scalars(
        select(EventRow)
        .where(EventRow.type == EventType.ANDON_CALLED, EventRow.time >= since)
        .order_by(EventRow.time.desc())
    )
    return [
        AndonCall(
            r.line,
            r.station,
            str(r.payload.get("kind", "?")),
            str(r.payload.get("user", "?")),
            r.time,
        )
        for r in rows
    ]


def andon_notices() -> None:
    """One amber notice per recent call (an andon call is an abnormal state)."""
    since = datetime.now(UTC) - NOTICE_WINDOW
    try:
        calls = read(store_engine(), lambda s: recent_calls(s, since))
    except AtelierError as exc:
        show_error(exc)
        return
    for call in calls:
        st.warning(
            f"Andon: {call.kind} called to station {call.station} (line {call.line}) by "
            f"{call.operator} at {call.time:%H:%M:%S} UTC",
            icon=":material/campaign:",
        )
