"""Writing central results: JSON per job, swatches per proposal, and charts for the planner."""

from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path

from core.settings import atelier_home

log = logging.getLogger(__name__)


def central_dir() -> Path:
    return atelier_home() / "central"


def write_json(path: Path, data: dict) -> Path:
    """Write atomically, so a reader (the HMI) never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    with os.fdopen(fd, "w") as fh:
        json.dump(data, fh, indent=2, default=str)
    os.replace(tmp, path)
    return path


def read_json(path: Path) -> dict | None:
    return json.loads(path.read_text()) if path.is_file() else None


def latest_results(folder: Path | None = None) -> dict[str, dict | None]:
    """The last result of each job (None where it never ran), as the planner HMI reads them."""
    folder = folder or central_dir()
    return {
        "demand": read_json(folder / "demand.json"),
        "trends": read_json(folder / "trends.json"),
        "designs": read_json(folder / "designs" / "designs.json"),
    }


def write_swatches(designs: dict, out: Path, size: int) -> None:
    """One PNG per proposal; the proposal records its file name."""
    from design_bridge.generation.image import write_swatch

    for n, proposal in enumerate(designs["proposals"], start=1):
        name = f"proposal_{n:02d}.png"
        write_swatch(out / name, proposal["ground"], proposal["accent"], proposal["print"], size)
        proposal["image"] = name


def plot_demand(demand: dict, path: Path) -> Path:
    """Expected garments with intervals per style and size bucket, observed as dots."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from design_bridge.generation.options import SIZE_BUCKETS

    lines = demand["outlook"]["lines"]
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for ax, attribute in zip(axes, ("style", "size"), strict=True):
        rows = [r for r in lines if r["attribute"] == attribute]
        if attribute == "size":
            rows.sort(key=lambda r: list(SIZE_BUCKETS).index(r["value"]))
        x = range(len(rows))
        mid = [r["expected"] for r in rows]
        err = [
            [m - r["low"] for m, r in zip(mid, rows, strict=True)],
            [r["high"] - m for m, r in zip(mid, rows, strict=True)],
        ]
        ax.bar(x, mid, yerr=err, capsize=4, color="#3460b0", label="expected")
        observed = [r["observed"] for r in rows]
        if all(o is not None for o in observed):
            ax.scatter(x, observed, color="#b8282c", zorder=3, label="observed (test)")
        ax.set_xticks(list(x), [r["value"] for r in rows])
        ax.set_title(f"{attribute}: garments in {demand['outlook']['horizon_weeks']} weeks")
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def plot_attribute_trends(trends: dict, path: Path) -> Path:
    """Weekly garments per style and per palette colour (drawn in that colour)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pandas as pd

    history = pd.DataFrame(trends["attribute_history"])
    rgb = {f"colour={c['name']}": [v / 255 for v in c["rgb"]] for c in trends["palette"]}
    fig, axes = plt.subplots(1, 2, figsize=(12, 4), sharex=True)
    for ax, prefix in zip(axes, ("style=", "colour="), strict=True):
        for uid, g in history[history["series"].str.startswith(prefix)].groupby("series"):
            ax.plot(
                pd.to_datetime(g["ds"]),
                g["y"],
                label=uid.removeprefix(prefix),
                color=rgb.get(uid),
                linewidth=2 if uid in rgb else 1,
            )
        ax.set_title(f"garments per week by {prefix.rstrip('=')}")
        ax.legend(fontsize=8)
        ax.tick_params(axis="x", rotation=30)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def plot_trends(trends: dict, path: Path) -> Path:
    """Clothing-store sales, the 12-month forecast with its 80 % band, and WAPE per model."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pandas as pd

    history = pd.DataFrame(trends["clothing_history"]).tail(72)
    forecast = pd.DataFrame(trends["clothing_forecast"])
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(12, 4), gridspec_kw={"width_ratios": [2, 1]})
    ax.plot(pd.to_datetime(history["ds"]), history["y"], color="#1c2852", label="sales")
    fds = pd.to_datetime(forecast["ds"])
    ax.plot(fds, forecast["forecast"], color="#e27c2c", label="AutoETS forecast")
    ax.fill_between(fds, forecast["low"], forecast["high"], color="#e27c2c", alpha=0.25)
    ax.set_title("US clothing stores, million USD per month")
    ax.legend()
    models = trends["clothing"]["models"]
    bx.bar([m["model"] for m in models], [100 * m["wape"] for m in models], color="#387a4a")
    bx.set_title("12-month rolling-origin backtest WAPE %")
    bx.tick_params(axis="x", rotation=30)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
