"""Admin: users and roles and the audit log, live; user changes are made with `atelier users`
until issue 7 adds them here."""

import pandas as pd
import streamlit as st

from core import users
from core.audit import recent
from core.errors import AtelierError
from hmi.settings import load_settings
from hmi.store import read, store_engine
from hmi.widgets import guard, line_agents_panel, show_error

user = guard("admin")
settings = load_settings()
st.title("Admin")
st.caption(f"Signed in as {user.name}")
line_agents_panel(settings)


def _users_and_audit() -> None:
    try:
        people = read(store_engine(), users.list_users)
        entries = read(store_engine(), lambda s: recent(s, settings.audit_rows))
    except AtelierError as exc:
        show_error(exc)
        return
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
        key="users",
    )
    st.subheader("Audit log")
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
        key="audit",
    )


st.fragment(_users_and_audit, run_every=settings.refresh_s * 5)()
