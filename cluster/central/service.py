"""Run the central jobs on the cluster and write their results under atelier_home()/central/.

`designs` needs a demand outlook and a trend palette: it reads the latest demand.json and
trends.json there, and runs those jobs first when they are missing.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from cluster.central.outputs import (
    central_dir,
    plot_attribute_trends,
    plot_demand,
    plot_trends,
    read_json,
    write_json,
    write_swatches,
)
from cluster.central.settings import CentralSettings
from core.errors import InputError

log = logging.getLogger(__name__)

JOBS = ("demand", "trends", "designs")
Progress = Callable[[str], None]


def _run_job(job: str, settings: CentralSettings, out: Path, progress: Progress | None) -> dict:
    import ray

    from cluster.central import jobs
    from cluster.central.remote import placement, run_remote

    if job == "demand":
        use_gpu = "num_gpus" in placement(job, ray.cluster_resources())
        result = run_remote(job, jobs.run_demand, settings.demand, use_gpu).to_dict()
        write_json(out / "demand.json", result)
        plot_demand(result, out / "demand.png")
    elif job == "trends":
        result = run_remote(job, jobs.run_trends, settings.trends).to_dict()
        write_json(out / "trends.json", result)
        plot_trends(result, out / "trends.png")
        plot_attribute_trends(result, out / "trends_attributes.png")
    else:
        demand = read_json(out / "demand.json") or _run_job("demand", settings, out, progress)
        trends = read_json(out / "trends.json") or _run_job("trends", settings, out, progress)
        result = run_remote(
            job, jobs.run_designs, settings.designs, demand["outlook"]["lines"], trends["palette"]
        ).to_dict()
        write_swatches(result, out / "designs", settings.designs.swatch_px)
        write_json(out / "designs" / "designs.json", result)
    if progress:
        progress(f"{job}: written under {out}")
    return result


def run_jobs(
    names: list[str],
    settings: CentralSettings | None = None,
    out: Path | None = None,
    address: str | None = None,
    progress: Progress | None = None,
) -> dict[str, dict]:
    """Run the named jobs once in one Ray session; results by job name."""
    from cluster.central.remote import ray_session

    unknown = [n for n in names if n not in JOBS]
    if unknown:
        raise InputError(f"unknown central job(s) {', '.join(unknown)}; expected {', '.join(JOBS)}")
    settings = settings or CentralSettings()
    out = out or central_dir()
    results: dict[str, dict] = {}
    with ray_session(address):
        for name in names:
            if progress:
                progress(f"{name}: started")
            results[name] = _run_job(name, settings, out, progress)
    return results


def run_periodically(
    names: list[str],
    every_s: float,
    runs: int | None,
    stop: threading.Event,
    run: Callable[..., object] = run_jobs,
    **kwargs,
) -> int:
    """Run the jobs every `every_s` seconds (start to start) until `runs` are done or `stop`."""
    if every_s <= 0:
        raise InputError(f"schedule interval must be positive, got {every_s} s")
    done = 0
    while not stop.is_set() and (runs is None or done < runs):
        started = time.monotonic()
        run(names, **kwargs)
        done += 1
        log.info("central run %d finished; next in %.0f s", done, every_s)
        if runs is not None and done >= runs:
            break
        stop.wait(max(every_s - (time.monotonic() - started), 0.0))
    return done
