"""Planner's desk: upload a batch with its row-by-row report, the orders, drafting results,
planning (where the scheduler plugs in), the plans with publishing, a version's Gantt and
markers, replanning (rush order, station down) and each line's progress against its plan."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from core.errors import AtelierError
from core.importer import list_orders
from hmi.actions import run_action, show_outcome
from hmi.planner.desk import UPLOAD_TYPES, list_plans, publish, upload_batch
from hmi.planner.drafting import draft_preview
from hmi.planner.outlook import render_outlook
from hmi.planner.panels import render_line_progress, render_replan, render_version
from hmi.planner.planning import plan_orders, planning_backend
from hmi.progress import ThreadSafeProgress
from hmi.settings import load_settings
from hmi.store import read, store_engine
from hmi.widgets import guard, line_agents_panel, show_error

REPORT_KEY = "planner_import_report"

user = guard("planner")
settings = load_settings()
st.title("Planner")
st.caption(f"Signed in as {user.name}")
show_outcome()
line_agents_panel(settings)

st.header("Upload a batch")
with st.form("upload", clear_on_submit=True):
    upload = st.file_uploader("Order batch (CSV or JSON)", type=UPLOAD_TYPES, key="batch_file")
    submitted = st.form_submit_button("Import")
if submitted:
    if upload is None:
        st.error("Choose a batch file first.")
    else:
        try:
            report = upload_batch(store_engine(), user, upload.name, upload.getvalue())
        except AtelierError as exc:
            st.session_state.pop(REPORT_KEY, None)
            st.error(f"{upload.name}: {exc}")
        else:
            st.session_state[REPORT_KEY] = (upload.name, report)
if REPORT_KEY in st.session_state:
    name, report = st.session_state[REPORT_KEY]
    cols = st.columns(3)
    cols[0].metric("imported", report.imported)
    cols[1].metric("duplicates", report.duplicates)
    cols[2].metric("rows with errors", len({e.row for e in report.errors}))
    if report.errors:
        st.warning(f"{name}: {len(report.errors)} problem(s); the good rows were stored.")
        st.dataframe(
            pd.DataFrame([e.to_dict() for e in report.errors], columns=["row", "field", "message"]),
            hide_index=True,
            width="stretch",
        )
    else:
        st.success(f"{name}: every row is valid.")

try:
    orders = list_orders(store_engine())
except SQLAlchemyError as exc:
    st.error(f"Cannot read the orders from the store: {str(exc).splitlines()[0]}")
    st.stop()

st.header("Orders")
if not orders:
    st.info("No orders yet: upload a batch.")
else:
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "order": o.order_id,
                    "customer": o.customer,
                    "style": o.style,
                    "size": o.size or "MTM",
                    "fabric": o.fabric,
                    "quantity": o.quantity,
                    "due": o.due_date.isoformat(),
                    "priority": o.priority.value,
                    "status": status,
                }
                for o, status in orders
            ]
        ),
        hide_index=True,
        width="stretch",
    )

    st.header("Drafting")
    by_id = {o.order_id: o for o, _ in orders}
    chosen = st.selectbox("Order", list(by_id), key="draft_order")
    try:
        preview = draft_preview(by_id[chosen])
    except AtelierError as exc:
        st.error(f"Order {chosen} cannot be drafted: {exc}")
    else:
        cols = st.columns(3)
        cols[0].metric("SMV per garment", f"{preview.smv_total:.2f}")
        cols[1].metric("SMV for the order", f"{preview.smv_total * preview.quantity:.2f}")
        cols[2].metric("fabric (m)", f"{preview.fabric['length (m)']:.2f}")
        if preview.flags:
            st.warning("Fit flags: " + "; ".join(preview.flags))
        else:
            st.caption("No fit flags.")
        st.image(
            preview.svg,
            caption=f"{chosen}: cut line, sewing line (dashed), grain, notches",
            width="stretch",
        )
        st.dataframe(pd.DataFrame(preview.fit), hide_index=True, width="stretch")
        st.dataframe(pd.DataFrame([preview.fabric]), hide_index=True, width="stretch")

st.header("Planning")
backend = planning_backend()
received = [o for o, status in orders if status in ("received", "drafted")]
if backend is None:
    st.info(
        "Planning is not available in this build (no scheduler). "
        "Plans made elsewhere appear below and can be published."
    )
elif st.button(f"Plan {len(received)} open orders", key="plan", disabled=not received):
    with st.status("Planning...", expanded=True) as status_box:
        progress = ThreadSafeProgress(status_box)
        try:
            plan_ids = plan_orders(
                store_engine(), user, received, backend, progress, settings.plan_time_limit_s
            )
        except AtelierError as exc:
            progress.flush()
            status_box.update(label="Planning failed", state="error")
            st.error(str(exc))
        else:
            progress.flush()
            status_box.update(label=f"Planned: {len(plan_ids)} draft plan(s)", state="complete")

render_outlook()

st.header("Plans")
try:
    plans = read(store_engine(), list_plans)
except AtelierError as exc:
    show_error(exc)
    st.stop()
if not plans:
    st.info("No plans yet.")
    st.stop()
kpi_names = sorted({k for p in plans for k in p.kpis})
st.dataframe(
    pd.DataFrame(
        [
            {
                "id": p.id,
                "family": p.family,
                "version": p.version,
                "kind": p.kind,
                "status": p.status,
                **{k: p.kpis.get(k) for k in kpi_names},
                "assignments": p.assignments,
                "markers": p.markers,
                "by": p.created_by,
                "created (UTC)": p.created_at.strftime("%Y-%m-%d %H:%M"),
            }
            for p in plans
        ]
    ),
    hide_index=True,
    width="stretch",
)
drafts = {f"{p.family} v{p.version} (id {p.id})": p.id for p in plans if p.status == "draft"}
if drafts:
    cols = st.columns([3, 1])
    label = cols[0].selectbox("Draft plan to publish", list(drafts), key="publish_pick")
    cols[1].button(
        "Publish",
        key="publish",
        on_click=lambda: run_action(
            f"Published {label}", lambda s: publish(s, user, drafts[label])
        ),
        width="stretch",
    )

render_version(plans)
render_replan(user, plans, received, settings)
render_line_progress(settings.refresh_s)
