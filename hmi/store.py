"""The HMI's reads from the store. Failures become a StoreError with a message, not a traceback."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

import streamlit as st
from sqlalchemy import Engine, make_url, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from core.db import make_engine, transaction
from core.errors import AtelierError
from core.schema import LineAgentRow
from core.settings import database_url

log = logging.getLogger(__name__)

T = TypeVar("T")


class StoreError(AtelierError):
    """The store could not be read or written; the message says which store and why."""


@dataclass(frozen=True)
class AgentStatus:
    line: str
    online: bool
    last_heartbeat: datetime | None
    outbox_depth: int
    events_shipped: int
    model_version: str | None = None  # the inspection model its cameras last loaded


@st.cache_resource(show_spinner=False)
def _engine_for(url: str) -> Engine:
    return make_engine(url)


def store_engine() -> Engine:
    """One engine per store URL for the whole server process (sessions share its pool)."""
    return _engine_for(database_url())


def _describe(engine: Engine) -> str:
    return make_url(engine.url).render_as_string(hide_password=True)


@contextmanager
def in_store(engine: Engine) -> Iterator[Session]:
    """A transaction whose database errors turn into a StoreError naming the store."""
    try:
        with transaction(engine) as session:
            yield session
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        log.warning("store %s: %s", _describe(engine), reason)
        raise StoreError(f"the store {_describe(engine)} cannot be used: {reason}") from None


def read(engine: Engine, query: Callable[[Session], T]) -> T:
    with in_store(engine) as session:
        return query(session)


def agent_statuses(session: Session, now: datetime, stale_s: float) -> list[AgentStatus]:
    """Each line's agent as last heard of; online when its heartbeat is recent enough."""
    rows = session.scalars(select(LineAgentRow).order_by(LineAgentRow.line))
    return [
        AgentStatus(
            line=r.line,
            online=r.last_heartbeat is not None
            and (now - r.last_heartbeat).total_seconds() <= stale_s,
            last_heartbeat=r.last_heartbeat,
            outbox_depth=r.outbox_depth,
            events_shipped=r.events_shipped,
            model_version=r.model_version,
        )
        for r in rows
    ]
