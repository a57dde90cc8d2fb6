"""The planner page's plan sections: a version's Gantt and cut plan, and replanning it (a rush
order or a station down) with what moved."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

import pandas as pd
import streamlit as st

from core.errors import AtelierError
from core.orders import Priority
from hmi.planner.desk import PlanSummary
from hmi.planner.line_progress import lines_progress
from hmi.planner.replanning import (
    down_request,
    kpi_rows,
    line_stations,
    replan_plan,
    replanning_backend,
    rush_request,
)
from hmi.planner.schedule import gantt_chart, marker_svg, version_view
from hmi.progress import ThreadSafeProgress
from hmi.session import SignedIn
from hmi.settings import HmiSettings
from hmi.store import read, store_engine

REPLAN_KEY = "planner_replan_outcome"
RUSH, DOWN = "Rush order", "Station down"


def _sewing_versions(plans: list[PlanSummary], statuses: tuple[str, ...]) -> dict[str, PlanSummary]:
    return {
        f"v{p.version} {p.family} ({p.status})": p
        for p in plans
        if p.kind == "sewing" and p.status in statuses
    }


def render_version(plans: list[PlanSummary]) -> None:
    """Pick a plan version; its sewing Gantt per station and its markers."""
    versions = _sewing_versions(plans, ("draft", "published", "superseded"))
    if not versions:
        return
    st.header("Schedule and cut plan")
    label = st.selectbox("Plan version", list(versions), key="view_version")
    view = read(store_engine(), lambda s: version_view(s, versions[label].version))
    if view.bars:
        st.altair_chart(gantt_chart(view), width="stretch")
        if view.late:
            late = ", ".join(f"{o} ({m} min)" for o, m in sorted(view.late.items()))
            st.warning(f"Late orders (red): {late}")
        else:
            st.caption("Every order is on time.")
    else:
        st.info(f"Plan v{view.version} assigns no sewing operations.")
    if not view.markers:
        st.caption(f"Plan v{view.version} has no markers.")
        return
    st.subheader("Markers")
    table = pd.DataFrame([{k: v for k, v in m.items() if k != "placements"} for m in view.markers])
    st.dataframe(table, hide_index=True, width="stretch")
    for marker in view.markers:
        svg, width_px = marker_svg(marker)
        st.image(
            svg,
            caption=(
                f"{marker['marker']} ({marker['fabric']}): efficiency "
                f"{marker['efficiency']:.1%}, {marker['plies']} plies, "
                f"{marker['length (m)']:.2f} m long, {marker['fabric (m)']:.2f} m of fabric"
            ),
            width=width_px,
        )


def _request(backend: Any, open_orders: list[Any], stations: list[str]) -> Any | None:
    """The replan request from the controls, or None when it cannot be made yet."""
    kind = st.radio("What happened", [RUSH, DOWN], key="replan_kind", horizontal=True)
    if kind == RUSH:
        if not open_orders:
            st.info("No imported order is waiting: upload a batch to insert a rush order.")
            return None
        by_id = {o.order_id: o for o in open_orders}
        left, middle, right = st.columns(3)
        order_id = left.selectbox("Order", list(by_id), key="rush_order")
        due = middle.date_input("Due date", by_id[order_id].due_date, key=f"rush_due_{order_id}")
        priorities = [p.value for p in Priority]
        priority = right.selectbox(
            "Priority", priorities, index=priorities.index("rush"), key="rush_priority"
        )
        return rush_request(backend, order_id, due, priority)
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    cols = st.columns(4)
    station = cols[0].selectbox("Station", stations, key="down_station")
    day = cols[1].date_input("Down from (date, UTC)", now.date(), key="down_date")
    at = cols[2].time_input("Time (UTC)", now.time(), key="down_time", step=timedelta(minutes=5))
    minutes = cols[3].number_input(
        "For (minutes)", min_value=1, max_value=7 * 24 * 60, value=120, step=15, key="down_for"
    )
    open_ended = st.checkbox("Until further notice", key="down_open")
    since = datetime.combine(day, at or time(0), tzinfo=UTC)
    return down_request(backend, station, since, None if open_ended else int(minutes))


def render_replan(
    user: SignedIn, plans: list[PlanSummary], open_orders: list[Any], settings: HmiSettings
) -> None:
    """Replan a draft or the published version; the result is the next draft, shown with the
    KPIs before and after and every moved operation with why."""
    backend = replanning_backend()
    versions = _sewing_versions(plans, ("draft", "published"))
    st.header("Replan")
    if backend is None:
        st.info("Replanning is not available in this build (no scheduler).")
        return
    if not versions:
        st.info("Plan the orders first: replanning starts from a draft or published plan.")
        return
    label = st.selectbox("Plan to replan", list(versions), key="replan_version")
    plan = versions[label]
    line = plan.family.split(":", 1)[-1]
    stations = read(store_engine(), lambda s: line_stations(s, line))
    request = _request(backend, open_orders, stations)
    if request is not None and st.button("Replan", key="replan"):
        with st.status("Replanning...", expanded=True) as box:
            progress = ThreadSafeProgress(box)
            try:
                outcome = replan_plan(
                    store_engine(),
                    user,
                    plan.version,
                    request,
                    backend,
                    progress,
                    settings.replan_time_limit_s,
                )
            except AtelierError as exc:
                progress.flush()
                box.update(label="Replanning failed", state="error")
                st.session_state.pop(REPLAN_KEY, None)
                st.error(str(exc))
            else:
                progress.flush()
                box.update(label=f"Replanned as draft v{outcome.version}", state="complete")
                st.session_state[REPLAN_KEY] = outcome
                st.rerun()  # the plans table and the publish list show the new draft
    outcome = st.session_state.get(REPLAN_KEY)
    if outcome is not None:
        _show_outcome(outcome)


def _show_outcome(outcome: Any) -> None:
    st.success(
        f"Plan v{outcome.from_version} replanned as draft v{outcome.version} in "
        f"{outcome.seconds:.1f} s: {outcome.moved} operation(s) moved, {outcome.added} new. "
        "Publish it under Plans when it suits."
    )
    rows = kpi_rows(outcome.before, outcome.after)
    cols = st.columns(len(rows) + 1)
    cols[0].metric("moved operations", outcome.moved)
    for col, row in zip(cols[1:], rows, strict=True):
        col.metric(row["KPI"], row["after"], delta=row["change"], delta_color="off")
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    for line in outcome.explanation:
        st.caption(line)
    if outcome.changes:
        st.dataframe(pd.DataFrame(outcome.changes), hide_index=True, width="stretch")


def render_line_progress(refresh_s: float) -> None:
    """Each line's progress against its published plan, refreshed on its own."""
    st.header("Line progress")
    st.fragment(_line_progress, run_every=refresh_s * 5)()


def _line_progress() -> None:
    now = datetime.now(UTC)
    found = read(store_engine(), lambda s: lines_progress(s, now))
    if not found:
        st.info("No plan is published to a line yet.")
        return
    for p in found:
        st.subheader(f"Line {p.line}: plan v{p.plan_version}")
        cols = st.columns(3)
        cols[0].metric("operations done", f"{p.done} of {p.planned}")
        cols[1].metric("planned done by now", p.due_by_now)
        behind = len(p.behind)
        cols[2].metric("behind plan", behind)
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "station": s.station,
                        "planned": s.planned,
                        "done": s.done,
                        "running": s.running,
                        "due by now": s.due_by_now,
                        "behind": s.behind,
                        "done %": round(s.done_pct, 1),
                        "plan %": round(s.due_pct, 1),
                    }
                    for s in p.stations
                ]
            ),
            hide_index=True,
            width="stretch",
        )
        if p.behind:
            st.warning(
                f"Line {p.line}: {behind} operation(s) planned to be finished by now are not."
            )
            st.dataframe(
                pd.DataFrame(
                    [
                        {
                            "station": b.station,
                            "bundle": b.bundle,
                            "order": b.order_id,
                            "operation": b.operation,
                            "planned end (UTC)": b.planned_end.strftime("%Y-%m-%d %H:%M"),
                            "status": b.status,
                            "minutes behind": round(b.minutes_behind),
                        }
                        for b in p.behind[:50]
                    ]
                ),
                hide_index=True,
                width="stretch",
            )
        else:
            st.caption(f"Line {p.line} is on plan.")
