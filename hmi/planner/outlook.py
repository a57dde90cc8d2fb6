"""The central services' look-ahead on the planner's desk: demand outlook, trends, proposals.

The jobs (`atelier central demand|trends|designs`, on the cluster's `central` role) write their
results under `ATELIER_HOME/central`; this reads the latest of each through the cluster's
client API and shows them. A job that never ran is said so, never made up.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

CHARTS = (
    ("demand.png", "Expected garments per style and size bucket (intervals; observed as dots)"),
    ("trends.png", "Clothing-store sales: backtests and forecast"),
    ("trends_attributes.png", "Attribute series by week: colours, styles, options"),
)


def proposal_rows(designs: dict[str, Any] | None) -> list[dict[str, Any]]:
    """One row per design proposal: what to make, its score and the score's parts."""
    rows = []
    for n, p in enumerate((designs or {}).get("proposals", []), start=1):
        breakdown = p.get("breakdown", {})
        rows.append(
            {
                "rank": n,
                "style": p.get("style"),
                "options": "; ".join(f"{k}={v}" for k, v in (p.get("options") or {}).items()),
                "fabric": p.get("fabric"),
                "colourway": f"{p.get('ground')} / {p.get('accent')}",
                "print": p.get("print"),
                "score": round(float(p.get("score", 0.0)), 2),
                **{
                    k: round(float(v), 2)
                    for k, v in breakdown.items()
                    if isinstance(v, int | float) and k != "score"
                },
            }
        )
    return rows


def render_outlook() -> None:
    from cluster.central.outputs import central_dir, latest_results

    folder = central_dir()
    latest = latest_results(folder)
    st.header("Look-ahead: demand, trends, design proposals")
    if not any(latest.values()):
        st.info(
            "No central results yet. They appear here after `atelier central demand`, "
            "`trends` and `designs` have run (on demand or on their schedule)."
        )
        return
    for name, caption in CHARTS:
        chart = folder / name
        if chart.is_file():
            st.image(str(chart), caption=caption, width="stretch")
    rows = proposal_rows(latest.get("designs"))
    if rows:
        st.subheader("Design proposals")
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
        swatches = [
            (folder / "designs" / str(p["image"]), f"#{n} {p.get('style')}")
            for n, p in enumerate(latest["designs"]["proposals"], start=1)
            if p.get("image") and Path(folder / "designs" / str(p["image"])).is_file()
        ]
        if swatches:
            st.image(
                [str(path) for path, _ in swatches[:8]],
                caption=[c for _, c in swatches[:8]],
                width=120,
            )
    elif latest.get("designs") is None:
        st.caption("No design proposals yet (`atelier central designs`).")
