"""The station screen's live panels (machine, current work with its timer, alarms, the line
agent's view), each run as a fragment so it reloads about every second without rerunning the
page."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from core.errors import AtelierError
from core.states import AlarmState
from hmi.operator.alarms import station_alarms
from hmi.operator.line_view import line_view
from hmi.operator.station import Station, Work, machine_state, station_queue
from hmi.session import sign_out_if_idle
from hmi.settings import load_settings
from hmi.store import read, store_engine
from hmi.style import ABNORMAL, ALARM
from hmi.widgets import show_error

# PackML states an operator must look at; Execute, Idle and the rest stay grey.
FAULT_STATES = {"ABORTED", "ABORTING", "STOPPED", "HELD"}
NOT_ACKED = (AlarmState.UNACKNOWLEDGED.value, AlarmState.RETURNED_UNACKNOWLEDGED.value)


def _clock(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 3600:d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def _badge(text: str, colour: str | None) -> str:
    style = f"background:{colour};color:#000;padding:0 .4em" if colour else ""
    return f"<span class='atelier-big' style='{style}'>{text}</span>"


def machine_panel(station: Station) -> None:
    if sign_out_if_idle(load_settings().idle_timeout_s):
        st.rerun(scope="app")
    try:
        state = read(store_engine(), lambda s: machine_state(s, station.id))
    except AtelierError as exc:
        show_error(exc)
        return
    colour = ALARM if state.name in FAULT_STATES else None
    since = f" since {state.since:%H:%M:%S} UTC" if state.since else ""
    st.html(f"<div>Machine {station.machine}: {_badge(state.name, colour)}{since}</div>")
    if state.counters:
        cols = st.columns(len(state.counters))
        for col, (name, value) in zip(cols, state.counters.items(), strict=True):
            col.metric(name.replace("_", " "), f"{value:.0f}")
    else:
        st.caption("No counters reported by this machine yet.")


def work_panel(station: Station) -> None:
    try:
        queue = read(store_engine(), lambda s: station_queue(s, station))
    except AtelierError as exc:
        show_error(exc)
        return
    current = current_work(queue)
    if current is None:
        st.info(f"No bundle is planned at station {station.id} in the published sewing plan.")
        return
    smv = f"SMV {current.smv:.2f} min" if current.smv is not None else "SMV not known"
    timer = ""
    late = False
    if current.running_since is not None:
        elapsed = (datetime.now(UTC) - current.running_since).total_seconds()
        timer = f" {_clock(elapsed)}"
        late = current.smv is not None and elapsed > current.smv * 60
    st.html(
        f"<div class='atelier-big'>Bundle <b>{current.bundle}</b> · operation "
        f"<b>{current.operation}</b></div>"
        f"<div>{current.order_id or ''} · {smv} · "
        f"{_badge(current.status + timer, ABNORMAL if late else None)}</div>"
    )


def next_panel(station: Station) -> None:
    try:
        queue = read(store_engine(), lambda s: station_queue(s, station))
    except AtelierError as exc:
        show_error(exc)
        return
    current = current_work(queue)
    later = [w for w in queue if w is not current][:5]
    st.subheader("Next bundles")
    if not later:
        st.caption("Nothing else planned here.")
        return
    st.table(
        pd.DataFrame(
            [
                {
                    "bundle": w.bundle,
                    "operation": w.operation,
                    "order": w.order_id or "",
                    "planned (UTC)": f"{w.start:%H:%M}",
                    "SMV": f"{w.smv:.2f}" if w.smv is not None else "n/a",
                    "status": w.status,
                }
                for w in later
            ]
        ),
        hide_index=True,
    )


SELECTED_KEY = "operator_selected"


def current_work(queue: list[Work]) -> Work | None:
    """Work begun stays current; otherwise the scanned bundle, else the plan's next one."""
    if not queue:
        return None
    if queue[0].status != "queued":
        return queue[0]
    chosen = st.session_state.get(SELECTED_KEY)
    for work in queue:
        if (work.bundle, work.operation) == chosen:
            return work
    return queue[0]


def alarms_panel(station: Station) -> None:
    try:
        alarms = read(store_engine(), lambda s: station_alarms(s, station.id))
    except AtelierError as exc:
        show_error(exc)
        return
    st.subheader("Alarms")
    if not alarms:
        st.caption("No active alarm at this station.")
        return
    frame = pd.DataFrame(
        [
            {
                "id": a.id,
                "priority": a.priority,
                "message": a.message,
                "state": "shelve expired" if a.state == AlarmState.SHELVED.value else a.state,
                "raised (UTC)": f"{a.raised_at:%H:%M:%S}",
            }
            for a in alarms
        ]
    )
    styled = frame.style.apply(
        lambda row: (
            [f"background-color: {ALARM}; color: #fff" if row["state"] in NOT_ACKED else ""]
            * len(row)
        ),
        axis=1,
    )
    st.table(styled, hide_index=True)


def line_panel(station: Station) -> None:
    """What the line's agent did at this station (its events), refusals in red."""
    try:
        view = read(store_engine(), lambda s: line_view(s, station.id))
    except AtelierError as exc:
        show_error(exc)
        return
    st.subheader("On the line")
    if view.waiting:
        st.html(_badge(f"{view.waiting} action(s) waiting to reach line {station.line}", ABNORMAL))
    if not view.facts:
        st.caption(f"Line {station.line}'s agent has reported nothing for this station yet.")
        return
    frame = pd.DataFrame(
        [
            {
                "time (UTC)": f"{f.time:%H:%M:%S}",
                "event": f.type,
                "bundle": f.bundle,
                "operation": f.operation,
                "by": f"{f.source} {f.user}".strip(),
                "detail": f.detail,
            }
            for f in view.facts
        ]
    )
    abnormal = [f.abnormal for f in view.facts]
    styled = frame.style.apply(
        lambda row: (
            [f"background-color: {ALARM}; color: #fff" if abnormal[row.name] else ""] * len(row)
        ),
        axis=1,
    )
    st.table(styled, hide_index=True)
