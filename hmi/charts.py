"""Charts in ISA-101 greys as Vega-Lite specs (red only for points out of control): a Pareto,
a p-chart and sensor trends. The browser draws them; the server only writes a small spec and
the data, where a matplotlib PNG took it half a second per chart with 50 stations (BENCHMARKS)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from hmi.quality.pchart import PPoint
from hmi.style import ALARM

_BAR = "#8a8a8a"
_LINE = "#303030"
Spec = dict[str, Any]


def pareto_spec(
    counts: list[tuple[str, int]], title: str, y_label: str = "confirmed defects"
) -> tuple[pd.DataFrame, Spec]:
    """Bars in the order given (largest first) and the cumulative percentage over them."""
    total = sum(v for _, v in counts)
    running = 0
    rows = []
    for name, value in counts:
        running += value
        rows.append(
            {"name": name, "count": value, "cumulative %": 100 * running / total if total else 0}
        )
    order = [name for name, _ in counts]
    x = {
        "field": "name",
        "type": "nominal",
        "sort": order,
        "title": None,
        "axis": {"labelAngle": -30},
    }
    spec: Spec = {
        "title": title,
        "height": 260,
        "layer": [
            {
                "mark": {"type": "bar", "color": _BAR},
                "encoding": {
                    "x": x,
                    "y": {"field": "count", "type": "quantitative", "title": y_label},
                    "tooltip": [{"field": "name"}, {"field": "count"}],
                },
            },
            {
                "mark": {"type": "line", "color": _LINE, "point": {"color": _LINE}},
                "encoding": {
                    "x": x,
                    "y": {
                        "field": "cumulative %",
                        "type": "quantitative",
                        "scale": {"domain": [0, 105]},
                        "title": "cumulative %",
                    },
                },
            },
        ],
        "resolve": {"scale": {"y": "independent"}},
    }
    return pd.DataFrame(rows), spec


def p_chart_spec(points: list[PPoint]) -> tuple[pd.DataFrame, Spec]:
    """p per period, the control limits as steps, p-bar; points out of control in red."""
    data = pd.DataFrame(
        [
            {
                "period": p.period.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "p": p.p,
                "UCL": p.ucl,
                "LCL": p.lcl,
                "p-bar": p.centre,
                "n": p.n,
                "defective": p.defective,
                "control": "out of control" if p.out_of_control else "in control",
            }
            for p in points
        ]
    )
    x = {
        "field": "period",
        "type": "temporal",
        "scale": {"type": "utc"},
        "axis": {"format": "%m-%d %H:%M"},
        "title": None,
    }
    limit = {"type": "line", "color": _BAR, "strokeDash": [4, 3], "interpolate": "step"}
    spec: Spec = {
        "height": 260,
        "layer": [
            {"mark": limit, "encoding": {"x": x, "y": {"field": "UCL", "type": "quantitative"}}},
            {"mark": limit, "encoding": {"x": x, "y": {"field": "LCL", "type": "quantitative"}}},
            {
                "mark": {"type": "line", "color": _BAR},
                "encoding": {"x": x, "y": {"field": "p-bar", "type": "quantitative"}},
            },
            {
                "mark": {"type": "line", "color": _LINE},
                "encoding": {
                    "x": x,
                    "y": {"field": "p", "type": "quantitative", "title": "defective fraction"},
                },
            },
            {
                "mark": {"type": "point", "filled": True, "size": 60},
                "encoding": {
                    "x": x,
                    "y": {"field": "p", "type": "quantitative"},
                    "color": {
                        "field": "control",
                        "type": "nominal",
                        "scale": {
                            "domain": ["in control", "out of control"],
                            "range": [_LINE, ALARM],
                        },
                        "legend": {"title": None, "orient": "top"},
                    },
                    "tooltip": [
                        {"field": "period", "type": "temporal", "format": "%Y-%m-%d %H:%M"},
                        {"field": "p", "format": ".4f"},
                        {"field": "n"},
                        {"field": "defective"},
                        {"field": "UCL", "format": ".4f"},
                        {"field": "LCL", "format": ".4f"},
                    ],
                },
            },
        ],
    }
    return data, spec


def trend_spec(wide: pd.DataFrame, y_label: str) -> tuple[pd.DataFrame, Spec]:
    """Lines of a signal per station from a wide frame (time index, one column per station)."""
    long = wide.reset_index(names="time").melt(
        id_vars="time", var_name="station", value_name="value"
    )
    long = long.dropna(subset=["value"])
    long["time"] = long["time"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    spec: Spec = {
        "height": 300,
        "mark": {"type": "line"},
        "encoding": {
            "x": {
                "field": "time",
                "type": "temporal",
                "scale": {"type": "utc"},
                "axis": {"format": "%H:%M"},
                "title": "time (UTC)",
            },
            "y": {"field": "value", "type": "quantitative", "title": y_label},
            "color": {"field": "station", "type": "nominal"},
            "tooltip": [
                {"field": "station"},
                {"field": "time", "type": "temporal"},
                {"field": "value"},
            ],
        },
    }
    return long, spec
