"""The chart specs the pages send are valid Vega-Lite (the browser would show an error box for
one that is not) and carry the data they are given, in ISA-101 greys with red only for points
out of control."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import altair as alt
import pandas as pd

from hmi.charts import p_chart_spec, pareto_spec, trend_spec
from hmi.quality.pchart import p_chart
from hmi.style import ALARM

T0 = datetime(2026, 11, 22, 6, 0, tzinfo=UTC)


def _valid(spec: dict) -> None:
    """Altair validates a spec against the Vega-Lite schema it ships, raising when invalid."""
    kind = alt.LayerChart if "layer" in spec else alt.Chart
    kind.from_dict({**spec, "data": {"values": []}}, validate=True)


def test_pareto_bars_in_order_with_the_cumulative_percentage():
    data, spec = pareto_spec([("stain", 6), ("hole", 3), ("slub", 1)], "by class")
    _valid(spec)
    assert list(data["name"]) == ["stain", "hole", "slub"]
    assert list(data["cumulative %"]) == [60.0, 90.0, 100.0]
    assert spec["layer"][0]["encoding"]["x"]["sort"] == ["stain", "hole", "slub"]


def test_p_chart_marks_points_out_of_control_red():
    hours = [T0 + timedelta(hours=i) for i in range(4)]
    points = p_chart(dict(zip(hours, [1, 1, 9, 1], strict=True)), dict.fromkeys(hours, 100))
    data, spec = p_chart_spec(points)
    _valid(spec)
    assert list(data["control"]) == ["in control", "in control", "out of control", "in control"]
    colour = spec["layer"][-1]["encoding"]["color"]["scale"]
    assert colour == {"domain": ["in control", "out of control"], "range": ["#303030", ALARM]}


def test_trend_is_one_line_per_station():
    index = pd.DatetimeIndex([T0, T0 + timedelta(seconds=1)], name="time")
    wide = pd.DataFrame({"S1": [3000.0, 3010.0], "S2": [2900.0, None]}, index=index)
    data, spec = trend_spec(wide, "speed")
    _valid(spec)
    assert data.to_dict("records") == [
        {"time": "2026-11-22T06:00:00Z", "station": "S1", "value": 3000.0},
        {"time": "2026-11-22T06:00:01Z", "station": "S1", "value": 3010.0},
        {"time": "2026-11-22T06:00:00Z", "station": "S2", "value": 2900.0},
    ]
