"""Who is signed in to this browser session, and for how long they have been idle.

The signed-in user lives only in the server-side Streamlit session (no cookie, no token in the
URL), so a reload or a new tab starts signed out and there is nothing to replay. The role is
re-read from the store on every full run, so a deactivation or role change applies at once.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import streamlit as st

from core import users
from core.audit import record
from core.users import Role
from hmi.store import in_store, store_engine

log = logging.getLogger(__name__)

USER_KEY = "atelier_user"
ACTIVITY_KEY = "atelier_last_activity"
NOTICE_KEY = "atelier_notice"
ACTING_KEY = "atelier_acting_operator"  # who works at a shared station screen (PIN switch)


@dataclass(frozen=True)
class SignedIn:
    name: str
    role: Role

    @property
    def actor(self) -> str:
        return f"hmi:{self.name}"


def current_user() -> SignedIn | None:
    return st.session_state.get(USER_KEY)


def sign_in(user: users.User) -> None:
    st.session_state[USER_KEY] = SignedIn(user.name, user.role)
    st.session_state[ACTIVITY_KEY] = time.monotonic()
    st.session_state.pop(NOTICE_KEY, None)


def sign_out(action: str = "session.logout", notice: str | None = None) -> None:
    """Forget the user of this session and audit why (sign-out, idle, deactivated)."""
    user = st.session_state.pop(USER_KEY, None)
    st.session_state.pop(ACTIVITY_KEY, None)
    st.session_state.pop(ACTING_KEY, None)
    if notice:
        st.session_state[NOTICE_KEY] = notice
    if user is None:
        return
    try:
        with in_store(store_engine()) as session:
            record(session, user.actor, action, f"user:{user.name}")
    except Exception:  # signing out must never fail because the store is down
        log.exception("could not audit %s of %s", action, user.name)


def idle_for(now: float) -> float:
    return now - st.session_state.get(ACTIVITY_KEY, now)


def sign_out_if_idle(idle_timeout_s: float) -> bool:
    """Sign out a session idle longer than the timeout; True if it did."""
    if current_user() is None or idle_for(time.monotonic()) <= idle_timeout_s:
        return False
    minutes = max(1, round(idle_timeout_s / 60))
    sign_out("session.idle_logout", f"Signed out after {minutes} min without activity.")
    return True


def touch() -> None:
    """Mark activity: called on every full run, which only an interaction causes."""
    st.session_state[ACTIVITY_KEY] = time.monotonic()


def refresh_from_store() -> SignedIn | None:
    """Re-read the signed-in user; sign out one who was deactivated or removed meanwhile."""
    user = current_user()
    if user is None:
        return None
    with in_store(store_engine()) as session:
        stored = users.get_user(session, user.name)
    if stored is None or not stored.active:
        sign_out("session.revoked", "Your account was deactivated.")
        return None
    if stored.role is not user.role:
        user = SignedIn(user.name, stored.role)
        st.session_state[USER_KEY] = user
    return user
