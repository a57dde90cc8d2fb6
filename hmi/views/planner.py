"""Planner's desk. Batch upload, cut plan and sewing Gantt arrive in issue 7; the shell shows
the lines' agents live."""

import streamlit as st

from hmi.settings import load_settings
from hmi.widgets import guard, line_agents_panel

user = guard("planner")
st.title("Planner")
st.caption(f"Signed in as {user.name}")
line_agents_panel(load_settings())
