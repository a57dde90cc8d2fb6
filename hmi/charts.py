"""Matplotlib charts in ISA-101 greys: a Pareto and a p-chart (colour only for points out of
control)."""

from __future__ import annotations

from matplotlib.figure import Figure

from hmi.quality.pchart import PPoint
from hmi.style import ALARM

_BAR = "#8a8a8a"
_LINE = "#303030"


def pareto_figure(
    counts: list[tuple[str, int]], title: str, y_label: str = "confirmed defects"
) -> Figure:
    fig = Figure(figsize=(6, 3.2), dpi=100)
    ax = fig.add_subplot()
    names = [k for k, _ in counts]
    values = [v for _, v in counts]
    ax.bar(names, values, color=_BAR)
    ax.set_title(title)
    ax.set_ylabel(y_label)
    total = sum(values)
    if total:
        cumulative, running = [], 0
        for v in values:
            running += v
            cumulative.append(100 * running / total)
        twin = ax.twinx()
        twin.plot(names, cumulative, color=_LINE, marker="o")
        twin.set_ylim(0, 105)
        twin.set_ylabel("cumulative %")
    ax.tick_params(axis="x", labelrotation=30)
    fig.tight_layout()
    return fig


def p_chart_figure(points: list[PPoint]) -> Figure:
    fig = Figure(figsize=(8, 3.2), dpi=100)
    ax = fig.add_subplot()
    x = [p.period for p in points]
    ax.plot(x, [p.p for p in points], color=_LINE, marker="o", label="p")
    ax.step(x, [p.ucl for p in points], where="mid", color=_BAR, linestyle="--", label="UCL")
    ax.step(x, [p.lcl for p in points], where="mid", color=_BAR, linestyle="--", label="LCL")
    ax.axhline(points[0].centre, color=_BAR, label="p-bar")
    out = [p for p in points if p.out_of_control]
    ax.scatter([p.period for p in out], [p.p for p in out], color=ALARM, zorder=3, s=60)
    ax.set_ylabel("defective fraction")
    ax.legend(loc="upper left", fontsize="small")
    fig.autofmt_xdate()
    fig.tight_layout()
    return fig
