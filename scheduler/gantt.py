"""The sewing schedule as a Gantt image: one row per station, one colour per order."""

from __future__ import annotations

import logging
from pathlib import Path

from scheduler.model import Schedule, SewingProblem

log = logging.getLogger(__name__)


def write_gantt(problem: SewingProblem, schedule: Schedule, path: Path, title: str = "") -> Path:
    """PNG Gantt chart; shaded spans are off-shift or breaks, red lines are due dates."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    stations = [s.station_id for s in problem.stations]
    orders = sorted({s.order_id for s in schedule.operations})
    cmap = plt.get_cmap("tab20")
    colour = {o: cmap(i % 20) for i, o in enumerate(orders)}
    fig, ax = plt.subplots(figsize=(12, 1 + 0.45 * len(stations)))
    end = max(schedule.makespan, 1)
    windows = problem.calendar.working_windows()
    cursor = 0
    for begin, stop in windows + [(end, end)]:
        if begin > cursor:
            ax.axvspan(cursor, min(begin, end), color="0.9", zorder=0)
        cursor = max(cursor, stop)
        if cursor >= end:
            break
    for s in schedule.operations:
        row = stations.index(s.station_id)
        ax.barh(
            row,
            s.end - s.start,
            left=s.start,
            color=colour[s.order_id],
            edgecolor="black",
            linewidth=0.4,
        )
    for order in problem.orders:
        if order.order_id in colour and order.due <= end * 1.2:
            ax.axvline(order.due, color="red", linewidth=0.8, linestyle="--")
    ax.set_yticks(range(len(stations)), stations)
    ax.invert_yaxis()
    ax.set_xlabel(f"minutes from {problem.calendar.origin:%Y-%m-%d %H:%M} UTC")
    ax.set_title(title or f"Sewing schedule: makespan {schedule.makespan} min")
    handles = [plt.Rectangle((0, 0), 1, 1, color=colour[o]) for o in orders[:20]]
    ax.legend(handles, orders[:20], loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    log.info("wrote Gantt chart %s", path)
    return path
