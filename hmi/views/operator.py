"""Operator station page. The station view (bundle, operation, alarms, andon) arrives in issue 7;
the shell shows the lines' agents live. `?station=S3` bookmarks a station."""

import streamlit as st

from hmi.settings import load_settings
from hmi.widgets import guard, line_agents_panel

user = guard("operator")
station = st.query_params.get("station")
st.title(f"Operator · station {station}" if station else "Operator")
st.caption(f"Signed in as {user.name}")
line_agents_panel(load_settings())
