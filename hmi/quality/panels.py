"""Parts of the quality page: the live pending count, the p-chart and the model versions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import streamlit as st
from sqlalchemy import func, select

from core.errors import AtelierError
from core.schema import DefectRow
from core.states import ReviewStatus
from hmi.actions import run_action
from hmi.charts import p_chart_spec
from hmi.quality.defects import Defect, DefectFilter
from hmi.quality.models import list_models, previous_version, promote, roll_back
from hmi.quality.pchart import defective_per_period, inspected_per_period, p_chart
from hmi.session import SignedIn
from hmi.store import read, store_engine
from hmi.widgets import show_error

NEWEST_SEEN_KEY = "quality_newest_defect_seen"


def pending_count() -> None:
    """Live: how many defects wait for review (a fragment reruns this on its own). New defects
    are announced with a button rather than loaded at once, so the defect under review never
    changes under a reviewer's finger."""
    try:
        newest = read(store_engine(), lambda s: s.scalar(select(func.max(DefectRow.id))))
        pending = read(
            store_engine(),
            lambda s: s.scalar(
                select(func.count())
                .select_from(DefectRow)
                .where(DefectRow.review_status == ReviewStatus.PENDING.value)
            ),
        )
    except AtelierError as exc:
        show_error(exc)
        return
    st.metric("Defects waiting for review", pending)
    seen = st.session_state.get(NEWEST_SEEN_KEY)
    if seen is not None and newest is not None and newest > seen:
        if st.button("New defects flagged: show them", key="show_new"):
            st.rerun(scope="app")
    st.caption(f"Updated {datetime.now(UTC):%H:%M:%S} UTC")


def mark_seen() -> None:
    """Remember the newest defect this full run of the page has loaded."""
    try:
        st.session_state[NEWEST_SEEN_KEY] = read(
            store_engine(), lambda s: s.scalar(select(func.max(DefectRow.id))) or 0
        )
    except AtelierError:
        st.session_state.pop(NEWEST_SEEN_KEY, None)  # the page shows the store's error below


def p_chart_section(defects: list[Defect], flt: DefectFilter, window: timedelta) -> None:
    st.subheader("p-chart: defective fraction per period")
    period = timedelta(hours=1) if window <= timedelta(hours=24) else timedelta(days=1)
    now = datetime.now(UTC)
    since = flt.since or now - window
    try:
        inspected = read(
            store_engine(),
            lambda s: inspected_per_period(s, list(flt.stations), since, now, period),
        )
        points = p_chart(defective_per_period(defects, period), inspected)
    except AtelierError as exc:
        show_error(exc)
        return
    if not points:
        st.info(
            "No items inspected in this window: the p-chart needs the stations' cycle_count "
            "telemetry for its n."
        )
        return
    data, spec = p_chart_spec(points)
    st.vega_lite_chart(data, spec, width="stretch")
    out = [p for p in points if p.out_of_control]
    st.caption(
        f"p-bar {points[0].centre:.4f} over {sum(p.n for p in points)} items; "
        f"{len(out)} period(s) out of control; limits p-bar +/- 3 sigma with each period's n."
    )
    with st.expander("p-chart data"):
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "period (UTC)": p.period.strftime("%Y-%m-%d %H:%M"),
                        "n": p.n,
                        "defective": p.defective,
                        "p": round(p.p, 4),
                        "LCL": round(p.lcl, 4),
                        "UCL": round(p.ucl, 4),
                        "out of control": p.out_of_control,
                    }
                    for p in points
                ]
            ),
            hide_index=True,
            key="pchart",
        )


def models_section(user: SignedIn) -> None:
    st.subheader("Inspection model versions")
    try:
        models = read(store_engine(), list_models)
        previous = read(store_engine(), previous_version)
    except AtelierError as exc:
        show_error(exc)
        return
    if not models:
        st.info("No inspection model is registered yet.")
        return
    metric_names = sorted({k for m in models for k in m.metrics})
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "version": m.version,
                    "architecture": m.architecture or "",
                    **{k: m.metrics.get(k) for k in metric_names},
                    "created (UTC)": m.created_at.strftime("%Y-%m-%d %H:%M"),
                    "promoted": "PROMOTED" if m.promoted else "",
                    "by": m.promoted_by or "",
                }
                for m in models
            ]
        ),
        hide_index=True,
        width="stretch",
        key="models",
    )
    candidates = [m.version for m in models if not m.promoted]
    cols = st.columns([3, 1, 1], vertical_alignment="bottom")
    if candidates:
        version = cols[0].selectbox(
            "Version to promote to the lines", candidates, key="promote_pick"
        )
        cols[1].button(
            "Promote",
            key="promote",
            on_click=lambda: run_action(
                f"Model {version} promoted", lambda s: promote(s, user, version)
            ),
            width="stretch",
        )
    if previous:
        # The lines get the earlier version shipped like any promotion.
        cols[2].button(
            f"Roll back to previous ({previous})",
            key="model_rollback",
            on_click=lambda: run_action(
                f"Model {previous} promoted again (rolled back)", lambda s: roll_back(s, user)
            ),
            width="stretch",
        )
