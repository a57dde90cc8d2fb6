"""Admin: users and roles (add, change role, deactivate, PIN reset) and the audit log with
before/after and filters; every change is audited by `core.users` in its transaction."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import streamlit as st

from core import users
from core.errors import AtelierError
from hmi import admin
from hmi.actions import run_action, show_outcome
from hmi.settings import load_settings
from hmi.store import read, store_engine
from hmi.widgets import guard, line_agents_panel, show_error

ROLES = [r.value for r in users.Role]
SINCE = {
    "any time": None,
    "last hour": timedelta(hours=1),
    "last 24 hours": timedelta(hours=24),
    "last 7 days": timedelta(days=7),
}

user = guard("admin")
settings = load_settings()
st.title("Admin")
st.caption(f"Signed in as {user.name}")
show_outcome()
line_agents_panel(settings)

try:
    people = read(store_engine(), users.list_users)
except AtelierError as exc:
    show_error(exc)
    st.stop()
names = [u.name for u in people]

st.subheader("Users")
st.dataframe(
    pd.DataFrame(
        [
            {
                "user": u.name,
                "role": u.role.value,
                "active": u.active,
                "PIN": u.has_pin,
                "created (UTC)": u.created_at.strftime("%Y-%m-%d %H:%M"),
            }
            for u in people
        ],
        columns=["user", "role", "active", "PIN", "created (UTC)"],
    ),
    hide_index=True,
    width="stretch",
)

add_col, role_col = st.columns(2)
with add_col, st.form("add_user", clear_on_submit=True):
    st.markdown("**Add a user**")
    new_name = st.text_input("Name", key="add_name")
    new_role = st.selectbox("Role", ROLES, key="add_role")
    new_password = st.text_input("Password (8 or more characters)", type="password", key="add_pw")
    if st.form_submit_button("Add user"):
        run_action(
            f"User {new_name} added as {new_role}",
            lambda s: admin.add_user(s, user, new_name, new_role, new_password),
        )
        st.rerun()
with role_col, st.form("change_role"):
    st.markdown("**Change a role**")
    who = st.selectbox("User", names, key="role_user")
    role = st.selectbox("New role", ROLES, key="role_new")
    if st.form_submit_button("Change role"):
        run_action(f"{who} is now {role}", lambda s: admin.change_role(s, user, who, role))
        st.rerun()

pin_col, off_col = st.columns(2)
with pin_col, st.form("reset_pin", clear_on_submit=True):
    st.markdown("**Reset a PIN**")
    pin_user = st.selectbox("User", names, key="pin_user")
    pin = st.text_input("New PIN (4-8 digits)", type="password", key="pin_new")
    if st.form_submit_button("Reset PIN"):
        run_action(f"PIN of {pin_user} reset", lambda s: admin.reset_pin(s, user, pin_user, pin))
        st.rerun()
with off_col, st.form("deactivate"):
    st.markdown("**Deactivate a user**")
    active = [u.name for u in people if u.active]
    off_user = st.selectbox("User", active, key="off_user")
    if st.form_submit_button("Deactivate"):
        run_action(f"{off_user} deactivated", lambda s: admin.deactivate(s, user, off_user))
        st.rerun()


def _audit_log() -> None:
    st.subheader("Audit log")
    cols = st.columns(4)
    actor = cols[0].text_input("Who", key="audit_actor")
    action = cols[1].text_input("Action", key="audit_action")
    target = cols[2].text_input("Target", key="audit_target")
    window = SINCE[cols[3].selectbox("Since", list(SINCE), key="audit_since")]
    since = datetime.now(UTC) - window if window else None
    try:
        entries = read(
            store_engine(),
            lambda s: admin.find_audit(s, actor, action, target, since, settings.audit_rows),
        )
    except AtelierError as exc:
        show_error(exc)
        return
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "time (UTC)": e.time.strftime("%Y-%m-%d %H:%M:%S"),
                    "who": e.actor,
                    "action": e.action,
                    "target": e.target,
                    "before": "" if e.before is None else str(e.before),
                    "after": "" if e.after is None else str(e.after),
                }
                for e in entries
            ],
            columns=["time (UTC)", "who", "action", "target", "before", "after"],
        ),
        hide_index=True,
        width="stretch",
    )


st.fragment(_audit_log, run_every=settings.refresh_s * 5)()
