"""Running a person's action: one transaction for the change and its audit row, and the
outcome shown on the next run of the page (actions run in button callbacks)."""

from __future__ import annotations

import logging
from collections.abc import Callable

import streamlit as st
from sqlalchemy.orm import Session

from core.errors import AtelierError
from hmi.store import in_store, store_engine

log = logging.getLogger(__name__)

_OUTCOME_KEY = "atelier_action_outcome"


def run_action(done: str, change: Callable[[Session], object]) -> bool:
    """Run `change` in one transaction; remember "done" or the error for `show_outcome`."""
    try:
        with in_store(store_engine()) as session:
            change(session)
    except AtelierError as exc:
        st.session_state[_OUTCOME_KEY] = ("error", str(exc))
        return False
    st.session_state[_OUTCOME_KEY] = ("success", done)
    return True


def show_outcome() -> None:
    """Show (once) what the last action did or why it was refused."""
    outcome = st.session_state.pop(_OUTCOME_KEY, None)
    if outcome is None:
        return
    kind, message = outcome
    if kind == "error":
        st.error(message)
    else:
        st.success(message)
