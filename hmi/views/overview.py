"""Overview and maintenance: the lines' agents, the alarm journal, sensor trends and OEE per
station over a chosen window, live."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import streamlit as st

from core.errors import AtelierError
from core.store_telemetry import pending_aggregates
from hmi.charts import pareto_spec, trend_spec
from hmi.operator.andon import andon_notices
from hmi.overview.journal import NEEDS_ATTENTION, alarm_journal
from hmi.overview.telemetry import oee_by_station, signals, stations, trend
from hmi.settings import load_settings
from hmi.store import read, store_engine
from hmi.style import abnormal_row
from hmi.widgets import guard, line_agents_panel, show_error

WINDOWS = {
    "last 15 minutes": timedelta(minutes=15),
    "last hour": timedelta(hours=1),
    "last 8 hours": timedelta(hours=8),
    "last 24 hours": timedelta(hours=24),
}

user = guard("overview")
settings = load_settings()
st.title("Overview")
st.caption(f"Signed in as {user.name}")
line_agents_panel(settings)
st.fragment(andon_notices, run_every=settings.refresh_s)()

window = WINDOWS[st.selectbox("Window", list(WINDOWS), index=0, key="window")]


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f} %"


def _journal(window: timedelta) -> None:
    st.subheader("Alarm journal")
    since = datetime.now(UTC) - window
    try:
        journal = read(store_engine(), lambda s: alarm_journal(s, since, []))
    except AtelierError as exc:
        show_error(exc)
        return
    if journal.empty:
        st.info("No alarm was raised in this window.")
        return
    styled = journal.style.apply(
        lambda row: abnormal_row(row["state"] in NEEDS_ATTENTION, len(row)), axis=1
    )
    st.dataframe(styled, hide_index=True, width="stretch")


def _oee(window: timedelta) -> None:
    st.subheader("OEE per station")
    now = datetime.now(UTC)
    try:
        rows = read(store_engine(), lambda s: oee_by_station(s, now - window, now))
    except AtelierError as exc:
        show_error(exc)
        return
    if not rows:
        st.info("No state or good/scrap telemetry in this window: OEE needs them.")
        return
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "line": r.line,
                    "station": r.station,
                    "availability": _percent(r.availability),
                    "quality": _percent(r.quality),
                    "downtime (s)": r.downtime_s,
                    "good": r.good,
                    "scrap": r.scrap,
                    "OEE (line's)": _percent(r.reported_oee),
                }
                for r in rows
            ]
        ),
        hide_index=True,
        width="stretch",
    )
    downtime = sorted(
        ((r.station, r.downtime_s) for r in rows if r.downtime_s > 0),
        key=lambda kv: (-kv[1], kv[0]),
    )
    if downtime:
        data, spec = pareto_spec(downtime, "downtime by station", "seconds not in Execute")
        st.vega_lite_chart(data, spec, width="stretch")
    st.caption(
        "Availability: seconds in Execute over seconds with a state reading; quality: good over "
        "good + scrap. Performance needs each station's ideal cycle time, which the store does "
        "not hold; OEE shows where the line reports it."
    )


def _trends(window: timedelta) -> None:
    st.subheader("Sensor trends")
    try:
        names = read(store_engine(), signals)
        ids = read(store_engine(), stations)
        behind = read(store_engine(), pending_aggregates)
    except AtelierError as exc:
        show_error(exc)
        return
    if behind:
        st.caption(
            f"Catching up after a line's backlog: {behind:,} station-seconds are stored and not "
            "yet in these charts and the OEE table; they follow within seconds."
        )
    if not names:
        st.info("No telemetry has reached the store yet.")
        return
    cols = st.columns(2)
    default = names.index("speed") if "speed" in names else 0
    signal = cols[0].selectbox("Signal", names, index=default, key="trend_signal")
    chosen = cols[1].multiselect("Stations", ids, default=ids[:4], key="trend_stations")
    now = datetime.now(UTC)
    try:
        frame = read(store_engine(), lambda s: trend(s, signal, chosen, now - window, now))
    except AtelierError as exc:
        show_error(exc)
        return
    if frame.empty:
        st.info(f"No {signal} readings from these stations in this window.")
        return
    data, spec = trend_spec(frame, signal)
    st.vega_lite_chart(data, spec, width="stretch")


st.fragment(_journal, run_every=settings.refresh_s)(window)
st.fragment(_oee, run_every=settings.refresh_s * 5)(window)
st.fragment(_trends, run_every=settings.refresh_s * 5)(window)
