"""Pieces every page uses: the role guard, store error display, the live line-agent panel."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from core.errors import AtelierError
from hmi.roles import may_open
from hmi.session import SignedIn, current_user, sign_out_if_idle
from hmi.settings import HmiSettings, load_settings
from hmi.store import agent_statuses, read, store_engine
from hmi.style import abnormal_row

log = logging.getLogger(__name__)


def guard(page_key: str) -> SignedIn:
    """Stop the page unless the signed-in user's role includes it (second line of defence:
    the navigation already registers only the role's pages)."""
    user = current_user()
    if user is None or not may_open(user.role, page_key):
        st.error("This page is not open to your role.")
        st.stop()
    return user


def show_error(exc: AtelierError) -> None:
    st.error(f"Cannot show this: {exc}")


def agents_frame(settings: HmiSettings, now: datetime) -> pd.DataFrame:
    statuses = read(store_engine(), lambda s: agent_statuses(s, now, settings.heartbeat_stale_s))
    return pd.DataFrame(
        [
            {
                "line": a.line,
                "agent": "online" if a.online else "OFFLINE",
                "last heartbeat (UTC)": (
                    a.last_heartbeat.strftime("%Y-%m-%d %H:%M:%S") if a.last_heartbeat else "never"
                ),
                "outbox depth": a.outbox_depth,
                "events shipped": a.events_shipped,
                "model version": a.model_version or "none",
            }
            for a in statuses
        ],
        columns=[
            "line",
            "agent",
            "last heartbeat (UTC)",
            "outbox depth",
            "events shipped",
            "model version",
        ],
    )


def _agents_table() -> None:
    settings = load_settings()
    if sign_out_if_idle(settings.idle_timeout_s):
        st.rerun(scope="app")
    now = datetime.now(UTC)
    st.subheader("Line agents")
    try:
        frame = agents_frame(settings, now)
    except AtelierError as exc:
        show_error(exc)
        return
    if frame.empty:
        st.info("No line agent has reported yet.")
    else:
        styled = frame.style.apply(
            lambda row: abnormal_row(row["agent"] != "online", len(row)), axis=1
        )
        st.table(styled, hide_index=True)
    st.caption(f"Updated {now:%H:%M:%S} UTC")


def line_agents_panel(settings: HmiSettings) -> None:
    """The lines' agent status, reloaded every `refresh_s` without rerunning the page."""
    st.fragment(_agents_table, run_every=settings.refresh_s)()
