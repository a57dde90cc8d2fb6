"""The sign-in page: user name and password, with a lockout after repeated failures."""

from __future__ import annotations

import logging
import time

import streamlit as st
from sqlalchemy import func, select

from core import users
from core.audit import record
from core.errors import AtelierError
from core.schema import UserRow
from core.settings import database_url
from hmi.session import NOTICE_KEY, sign_in
from hmi.settings import HmiSettings, load_settings
from hmi.store import in_store, store_engine
from hmi.throttle import LoginThrottle

log = logging.getLogger(__name__)


@st.cache_resource(show_spinner=False)
def _throttle(url: str, max_failures: int, lockout_s: float, lockout_max_s: float) -> LoginThrottle:
    # One throttle per store and server process, shared by every browser session.
    return LoginThrottle(max_failures, lockout_s, lockout_max_s)


def attempt(name: str, password: str, settings: HmiSettings) -> str | None:
    """Try to sign in; the message to show on failure, None on success."""
    name = name.strip()
    if not name or not password:
        return "Enter your user name and password."
    throttle = _throttle(
        database_url(), settings.max_failures, settings.lockout_s, settings.lockout_max_s
    )
    wait = throttle.wait_s(name, time.monotonic())
    if wait > 0:
        return f"Too many failed sign-ins for {name!r}. Try again in {wait:.0f} s."
    with in_store(store_engine()) as session:
        user = users.authenticate(session, name, password)
        if user is not None:
            record(session, f"hmi:{user.name}", "session.login", f"user:{user.name}")
    if user is None:
        lockout = throttle.failed(name, time.monotonic())
        if lockout > 0:
            with in_store(store_engine()) as session:
                record(
                    session,
                    "hmi:sign-in",
                    "session.lockout",
                    f"user:{name}",
                    None,
                    {"lockout_s": lockout},
                )
            return f"Too many failed sign-ins for {name!r}. Try again in {lockout:.0f} s."
        return "Wrong user name or password."
    throttle.succeeded(name)
    sign_in(user)
    return None


def _no_users_yet() -> bool:
    with in_store(store_engine()) as session:
        return session.scalar(select(func.count()).select_from(UserRow)) == 0


def render_login() -> None:
    st.title("Atelier")
    notice = st.session_state.get(NOTICE_KEY)
    if notice:
        st.info(notice)
    try:
        settings = load_settings()
        if _no_users_yet():
            st.warning("No users yet. Create one with `atelier users add NAME --role admin`.")
    except AtelierError as exc:
        st.error(f"Cannot sign in: {exc}")
        return
    with st.form("sign_in"):
        name = st.text_input("User", key="sign_in_user", autocomplete="username")
        password = st.text_input(
            "Password", type="password", key="sign_in_password", autocomplete="current-password"
        )
        submitted = st.form_submit_button("Sign in", type="primary", width="stretch")
    if not submitted:
        return
    try:
        problem = attempt(name, password, settings)
    except AtelierError as exc:
        problem = f"Cannot sign in: {exc}"
    if problem:
        st.error(problem)
        return
    st.rerun()
