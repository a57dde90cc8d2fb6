"""Operator switching on a shared station screen: the screen stays signed in to the station's
account; a PIN names who works at it now, and that person is recorded on each action."""

from __future__ import annotations

import time

import streamlit as st
from sqlalchemy.orm import Session

from core import users
from core.audit import record
from core.errors import InputError
from hmi.operator.actions import Acting
from hmi.roles import may_open
from hmi.session import ACTING_KEY, SignedIn
from hmi.settings import HmiSettings
from hmi.throttle import LoginThrottle


@st.cache_resource(show_spinner=False)
def _pin_throttle(
    url: str, max_failures: int, lockout_s: float, lockout_max_s: float
) -> LoginThrottle:
    # A 4-digit PIN is guessable: the sign-in's lockout applies to PINs too, per operator name.
    return LoginThrottle(max_failures, lockout_s, lockout_max_s)


def pin_throttle(url: str, settings: HmiSettings) -> LoginThrottle:
    return _pin_throttle(url, settings.max_failures, settings.lockout_s, settings.lockout_max_s)


def acting(screen: SignedIn) -> Acting:
    """Who acts at this screen: the operator switched in by PIN, else the signed-in account."""
    stored = st.session_state.get(ACTING_KEY)
    if isinstance(stored, Acting) and stored.screen == screen:
        return stored
    return Acting(screen, screen.name)


def switch_operator(
    session: Session, screen: SignedIn, name: str, pin: str, throttle: LoginThrottle
) -> Acting:
    """Check the PIN and make `name` the acting operator (audited on the screen's account)."""
    name = name.strip()
    wait = throttle.wait_s(name, time.monotonic())
    if wait > 0:
        raise InputError(f"too many wrong PINs for {name!r}; try again in {wait:.0f} s")
    user = users.verify_pin(session, name, pin.strip())
    if user is None:
        throttle.failed(name, time.monotonic())
        raise InputError(f"operator {name!r}: wrong name or PIN, or no PIN set")
    throttle.succeeded(name)
    if not may_open(user.role, "operator"):
        raise InputError(f"{name} is a {user.role.value}; only operators work at a station")
    record(session, screen.actor, "operator.switch", f"user:{name}", None, {"operator": name})
    return Acting(screen, name)


def remember(who: Acting) -> None:
    st.session_state[ACTING_KEY] = who


def forget() -> None:
    st.session_state.pop(ACTING_KEY, None)
