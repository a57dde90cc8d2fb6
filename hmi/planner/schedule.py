"""A plan version as the planner sees it: the sewing Gantt per station (late orders red) and the
cut plan's markers drawn with their efficiency, plies and fabric length."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import altair as alt
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from core.schema import PlanRow
from hmi.style import ALARM

_BAR = "#9e9e9e"
_EDGE = "#303030"


@dataclass(frozen=True)
class VersionView:
    """One planning run: its sewing assignments and its cut plan's markers."""

    version: int
    status: str
    late: dict[str, int]  # order -> minutes late
    bars: list[dict[str, Any]]
    markers: list[dict[str, Any]]


def _utc(moment: datetime) -> str:
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def version_view(session: Session, version: int) -> VersionView:
    """The sewing and cut rows of `version` (empty lists when a family has no row)."""
    rows = session.scalars(
        select(PlanRow)
        .where(PlanRow.version == version)
        .options(selectinload(PlanRow.assignments), selectinload(PlanRow.markers))
    ).all()
    sewing = next((r for r in rows if r.kind == "sewing"), None)
    cut = next((r for r in rows if r.kind == "cut"), None)
    first = sewing or cut
    kpis = first.kpis if first is not None else {}
    late = {str(k): int(v) for k, v in (kpis.get("orders_late_min") or {}).items() if v}
    bars = [
        {
            "station": a.station_id,
            "order": a.order_id,
            "operation": a.operation_code,
            "bundle": a.bundle,
            "start": _utc(a.start),
            "end": _utc(a.end),
            "minutes": round((a.end - a.start).total_seconds() / 60),
            "status": "late" if a.order_id in late else "on time",
            "started": "yes" if a.pinned else "",
        }
        for a in sorted(sewing.assignments if sewing else [], key=lambda a: (a.start, a.station_id))
    ]
    markers = [
        {
            "marker": m.name,
            "fabric": m.fabric,
            "efficiency": m.efficiency,
            "plies": m.plies,
            "length (m)": round(m.length_mm / 1000, 3),
            "fabric (m)": round(m.length_mm * m.plies / 1000, 2),
            "width (mm)": m.width_mm,
            "orders": ", ".join(m.order_ids),
            "table": m.station_id,
            "placements": m.placements,
        }
        for m in sorted(cut.markers if cut else [], key=lambda m: m.name)
    ]
    status = ", ".join(sorted({r.status for r in rows}))
    return VersionView(version, status, late, bars, markers)


def _station_key(station: str) -> tuple[int, str]:
    return (len(station), station)


def gantt_chart(view: VersionView) -> alt.Chart:
    """One row per station, one bar per operation; bars of late orders red, the rest grey
    (ISA-101); zoom and pan along time, a tooltip per bar."""
    data = pd.DataFrame(view.bars)
    stations = sorted(data["station"].unique(), key=_station_key)
    colour = alt.Color(
        "status:N",
        scale=alt.Scale(domain=["on time", "late"], range=[_BAR, ALARM]),
        legend=alt.Legend(title=None, orient="top"),
    )
    return (
        alt.Chart(data, title=f"Sewing schedule, plan v{view.version} (UTC)")
        .mark_bar(stroke=_EDGE, strokeWidth=0.5)
        .encode(
            x=alt.X("start:T", scale=alt.Scale(type="utc"), title=None),
            x2="end:T",
            y=alt.Y("station:N", sort=stations, title=None),
            color=colour,
            tooltip=["order", "operation", "bundle", "station", "start", "end", "minutes"],
        )
        .properties(height=alt.Step(26))  # one 26 px row per station
        .interactive(bind_y=False)
    )


def marker_svg(
    marker: dict[str, Any], height_px: int = 220, max_width_px: int = 1100
) -> tuple[str, int]:
    """The marker seen from above: its length along x, the fabric width along y, pieces grey;
    `height_px` high for the fabric width (narrower when a long marker would be too wide).
    Returns the SVG and its width in pixels."""
    xs = [p[0] for pl in marker["placements"] for p in pl["polygon"]]
    length = max([marker["length (m)"] * 1000, 1.0, *xs])
    width = float(marker["width (mm)"])
    scale = min(height_px / width, max_width_px / length)
    shapes = "".join(
        '<polygon points="{}" fill="#cfcfcf" stroke="{}" stroke-width="3"/>'.format(
            " ".join(f"{x:.0f},{y:.0f}" for x, y in pl["polygon"]), _EDGE
        )
        for pl in marker["placements"]
    )
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {length:.0f} {width:.0f}" '
        f'width="{length * scale:.0f}" height="{width * scale:.0f}">'
        f'<rect width="{length:.0f}" height="{width:.0f}" fill="#f2f2f2" stroke="{_EDGE}" '
        f'stroke-width="4"/>{shapes}</svg>'
    )
    return svg, max(1, round(length * scale))
