"""Quality review: the flagged-defect queue with one-touch (and keyboard) review, filters,
defect Pareto by class and station, the p-chart, and inspection model promotion."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import streamlit as st

from core.errors import AtelierError
from core.states import ReviewStatus
from hmi.actions import run_action, show_outcome
from hmi.charts import pareto_spec
from hmi.quality.defects import (
    Defect,
    DefectFilter,
    defect_classes,
    find_defects,
    pareto,
    review_defect,
    stations_with_defects,
)
from hmi.quality.overlay import overlay
from hmi.quality.panels import mark_seen, models_section, p_chart_section, pending_count
from hmi.session import SignedIn
from hmi.settings import load_settings
from hmi.store import read, store_engine
from hmi.widgets import guard, show_error

WINDOWS = {
    "last hour": timedelta(hours=1),
    "last 8 hours": timedelta(hours=8),
    "last 24 hours": timedelta(hours=24),
    "last 7 days": timedelta(days=7),
    "last 30 days": timedelta(days=30),
}

user = guard("quality")
settings = load_settings()
st.title("Quality")
st.caption(f"Signed in as {user.name}")
show_outcome()
mark_seen()
st.fragment(pending_count, run_every=settings.refresh_s)()


def _review(who: SignedIn, defect_id: int, decision: ReviewStatus, new_class: str | None) -> None:
    run_action(
        f"Defect {defect_id}: {decision.value}" + (f" as {new_class}" if new_class else ""),
        lambda s: review_defect(s, who, defect_id, decision, new_class),
    )


def _filters() -> tuple[DefectFilter, timedelta]:
    engine = store_engine()
    stations = read(engine, stations_with_defects)
    classes = read(engine, defect_classes)
    cols = st.columns(4)
    chosen_stations = cols[0].multiselect("Station", stations, key="f_station")
    chosen_classes = cols[1].multiselect("Class", classes, key="f_class")
    statuses = cols[2].multiselect(
        "Status", [s.value for s in ReviewStatus], default=["pending"], key="f_status"
    )
    window_name = cols[3].selectbox("Time window", list(WINDOWS), index=1, key="f_window")
    window = WINDOWS[window_name]
    flt = DefectFilter(
        stations=tuple(chosen_stations),
        classes=tuple(chosen_classes),
        statuses=tuple(statuses),
        since=datetime.now(UTC) - window,
    )
    return flt, window


def _label(d: Defect) -> str:
    return f"#{d.id} · {d.station} · {d.defect_class} · {d.score:.2f} · {d.time:%m-%d %H:%M}"


def _review_panel(queue: list[Defect], classes: list[str]) -> None:
    st.subheader("Review queue")
    if not queue:
        st.info("No defect matches the filters.")
        return
    picked = st.selectbox("Defect", queue, format_func=_label, key="pick_defect")
    left, right = st.columns([3, 2])
    with left:
        try:
            st.image(
                overlay(picked),
                caption=f"defect #{picked.id}: heat map and region",
                width="stretch",
            )
        except AtelierError as exc:
            show_error(exc)
    with right:
        st.markdown(
            f"**{picked.defect_class}** · score {picked.score:.3f}  \n"
            f"station **{picked.station}** (line {picked.line}) · {picked.time:%Y-%m-%d %H:%M:%S} UTC"
            f"  \nmodel {picked.model_version} · status **{picked.status}**"
            + (f" by {picked.reviewer}" if picked.reviewer else "")
        )
        st.button(
            "Confirm",
            key="confirm",
            shortcut="A",
            on_click=_review,
            args=(user, picked.id, ReviewStatus.CONFIRMED, None),
            width="stretch",
        )
        st.button(
            "Reject",
            key="reject",
            shortcut="X",
            on_click=_review,
            args=(user, picked.id, ReviewStatus.REJECTED, None),
            width="stretch",
        )
        others = [c for c in classes if c != picked.flagged_class]
        new_class = st.selectbox("Reclassify as", others, key="new_class")
        st.button(
            "Reclassify",
            key="reclassify",
            shortcut="K",
            on_click=_review,
            args=(user, picked.id, ReviewStatus.RECLASSIFIED, new_class),
            width="stretch",
        )
        st.caption("Keys: A confirm, X reject, K reclassify (Streamlit keeps C and R for itself).")
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "id": d.id,
                    "station": d.station,
                    "class": d.defect_class,
                    "score": round(d.score, 3),
                    "time (UTC)": d.time.strftime("%Y-%m-%d %H:%M:%S"),
                    "model": d.model_version,
                    "status": d.status,
                }
                for d in queue
            ]
        ),
        hide_index=True,
        width="stretch",
        key="queue",
    )


def _pareto_section(defects: list[Defect]) -> None:
    st.subheader("Defect Pareto (confirmed and reclassified)")
    cols = st.columns(2)
    for col, by in zip(cols, ("class", "station"), strict=True):
        counts = pareto(defects, by)
        with col:
            if not counts:
                st.info(f"No confirmed defect by {by} in this window.")
                continue
            data, spec = pareto_spec(counts, f"by {by}")
            st.vega_lite_chart(data, spec, width="stretch")
            st.dataframe(
                pd.DataFrame(counts, columns=[by, "confirmed defects"]),
                hide_index=True,
                key=f"pareto_{by}",
            )


try:
    flt, window = _filters()
    engine = store_engine()
    queue = read(engine, lambda s: find_defects(s, flt))
    # Pareto and p-chart count every reviewed defect in the window, whatever the status filter.
    charted = read(
        engine, lambda s: find_defects(s, DefectFilter(flt.stations, flt.classes, (), flt.since))
    )
    classes = read(engine, defect_classes)
except AtelierError as exc:
    show_error(exc)
    st.stop()

_review_panel(queue, classes)
_pareto_section(charted)
p_chart_section(charted, flt, window)
models_section(user)
