"""Operator station page, touchscreen first: `/operator?station=S3` bookmarks a station. Machine
state, the current bundle with its timer, next bundles and alarms reload live; Start / Pause /
Finish / Scrap, scanning, alarm responses, the andon and operator switching are actions."""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from core.errors import AtelierError, InputError
from core.settings import database_url
from hmi.actions import run_action, show_outcome
from hmi.operator.actions import ACTIONS, ANDON_KINDS, call_andon, operate, scan_bundle
from hmi.operator.alarms import MAX_SHELVE_MIN, acknowledge, shelve, station_alarms
from hmi.operator.panels import (
    SELECTED_KEY,
    alarms_panel,
    current_work,
    line_panel,
    machine_panel,
    next_panel,
    work_panel,
)
from hmi.operator.shift import recent_defects, station_oee, thumbnail
from hmi.operator.station import Station, find_station, station_queue, stations
from hmi.operator.switching import acting, forget, pin_throttle, remember, switch_operator
from hmi.settings import load_settings
from hmi.store import in_store, read, store_engine
from hmi.widgets import guard, line_agents_panel, show_error

LIVE_S = 1.0  # the timer and machine state tick every second
BIG = """<style>
.atelier-big { font-size: 1.8rem; font-weight: 600; }
.stButton button { min-height: 64px; }
.stButton button p { font-size: 1.4rem; font-weight: 600; }
[data-testid="stMetricValue"] { font-size: 2.2rem; }
</style>"""

user = guard("operator")
settings = load_settings()
st.html(BIG)
show_outcome()
with st.sidebar:
    line_agents_panel(settings)


def _pick_station(known: list[Station]) -> None:
    ids = [s.id for s in known]
    if not ids:
        st.info(
            "No station is in the store yet: `atelier up` copies the factory's stations into it."
        )
        st.stop()
    chosen = st.selectbox("Station", ids, key="station_pick")
    if st.button("Open station", key="open_station"):
        st.query_params["station"] = chosen
        st.rerun()
    st.stop()


engine = store_engine()
try:
    known = read(engine, stations)
except AtelierError as exc:
    show_error(exc)
    st.stop()
station_id = st.query_params.get("station")
if not station_id:
    st.title("Operator")
    st.write("Choose this screen's station (bookmark the page afterwards).")
    _pick_station(known)
try:
    station = read(engine, lambda s: find_station(s, station_id))
except InputError as exc:
    st.title("Operator")
    st.error(str(exc))
    _pick_station(known)

who = acting(user)
st.title(f"Operator · station {station.id} · {station.name}")
st.caption(f"Line {station.line} · screen signed in as {user.name} · operator {who.operator}")


def _switch(name_key: str, pin_key: str) -> None:
    name, pin = st.session_state.get(name_key, ""), st.session_state.get(pin_key, "")
    if run_action(
        f"Operator {name.strip()} is working at {station.id}",
        lambda s: remember(
            switch_operator(s, user, name, pin, pin_throttle(database_url(), settings))
        ),
    ):
        st.session_state[pin_key] = ""


def _operate(bundle: str, operation: str, action: str) -> None:
    run_action(
        f"{action.capitalize()}: bundle {bundle} operation {operation}",
        lambda s: operate(s, acting(user), station, bundle, operation, action),
    )


def _scan() -> None:
    code = st.session_state.get("scan", "")
    st.session_state["scan"] = ""
    try:
        with in_store(engine) as session:
            work = scan_bundle(session, acting(user), station, code)
    except AtelierError as exc:
        st.session_state["scan_result"] = ("error", str(exc))
        return
    st.session_state[SELECTED_KEY] = (work.bundle, work.operation)
    st.session_state["scan_result"] = ("success", f"Bundle {work.bundle} selected")


st.fragment(machine_panel, run_every=LIVE_S)(station)
st.fragment(work_panel, run_every=LIVE_S)(station)

queue = read(engine, lambda s: station_queue(s, station))
current = current_work(queue)
if current is not None:
    allowed = {action: statuses for action, (_, statuses) in ACTIONS.items()}
    for col, action in zip(st.columns(4), allowed, strict=True):
        col.button(
            action.capitalize(),
            key=f"op_{action}",
            on_click=_operate,
            args=(current.bundle, current.operation, action),
            disabled=current.status not in allowed[action],
            width="stretch",
        )

st.text_input("Scan bundle", key="scan", on_change=_scan, placeholder="scan or type, then Enter")
kind_text = st.session_state.pop("scan_result", None)
if kind_text:
    (st.error if kind_text[0] == "error" else st.success)(kind_text[1])
st.fragment(next_panel, run_every=LIVE_S)(station)
st.fragment(line_panel, run_every=LIVE_S)(station)
st.fragment(alarms_panel, run_every=LIVE_S)(station)
alarms = read(engine, lambda s: station_alarms(s, station.id))
if alarms:
    picked = st.selectbox(
        "Alarm", alarms, format_func=lambda a: f"#{a.id} {a.message} ({a.state})", key="alarm_pick"
    )
    left, right = st.columns(2)
    left.button(
        "Acknowledge",
        key="alarm_ack",
        width="stretch",
        on_click=lambda: run_action(
            f"Alarm {picked.id} acknowledged",
            lambda s: acknowledge(s, acting(user), station.id, picked.id),
        ),
    )
    right.text_input("Shelve reason", key="shelve_reason")
    right.number_input("Shelve for (min)", 1, MAX_SHELVE_MIN, 30, step=5, key="shelve_minutes")
    right.button(
        "Shelve",
        key="alarm_shelve",
        width="stretch",
        on_click=lambda: run_action(
            f"Alarm {picked.id} shelved for {int(st.session_state['shelve_minutes'])} min",
            lambda s: shelve(
                s,
                acting(user),
                station.id,
                picked.id,
                st.session_state.get("shelve_reason", ""),
                int(st.session_state["shelve_minutes"]),
            ),
        ),
    )

st.subheader("Andon")
for col, kind in zip(st.columns(len(ANDON_KINDS)), ANDON_KINDS, strict=True):
    col.button(
        f"Call {kind}",
        key=f"andon_{kind}",
        width="stretch",
        on_click=lambda k=kind: run_action(
            f"Andon: {k} called to {station.id}",
            lambda s: call_andon(s, acting(user), station, k),
        ),
    )

now = datetime.now(UTC)
st.subheader("Defects flagged here in the last hour")
defects = read(engine, lambda s: recent_defects(s, station.id, now))
if not defects:
    st.caption("None.")
for col, defect in zip(st.columns(4), defects[:8], strict=False):
    image = thumbnail(defect)
    if image is None:
        col.markdown(f"*image missing* (#{defect.id})")
    else:
        col.image(image, caption=f"#{defect.id} {defect.defect_class}")

st.subheader("OEE this shift (last 8 hours)")
oee = read(engine, lambda s: station_oee(s, station.id, now))
if oee is None:
    st.info("No telemetry from this station in the last 8 hours: OEE cannot be computed.")
else:
    cols = st.columns(3)
    cols[0].metric(
        "availability", f"{oee.availability:.0%}" if oee.availability is not None else "n/a"
    )
    cols[1].metric("quality", f"{oee.quality:.0%}" if oee.quality is not None else "n/a")
    performance = oee.reported_performance
    cols[2].metric(
        "performance",
        f"{performance:.0%}" if performance is not None else "n/a",
        help="ideal cycle time x pieces / run time, as the line reports it for its shift",
    )

with st.expander(f"Switch operator (now: {who.operator})"):
    st.text_input("Operator name", key="switch_name")
    st.text_input("PIN", key="switch_pin", type="password")
    st.button("Switch", key="switch", on_click=_switch, args=("switch_name", "switch_pin"))
    if who.operator != user.name:
        st.button("Back to the screen's account", key="switch_back", on_click=forget)
