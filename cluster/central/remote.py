"""Placing the central jobs on the cluster's central role, with a GPU where one helps.

Central nodes advertise the custom resource `central`; every job asks for one unit of it, so
jobs queue on the central node(s) and never land on a line's edge PC. The demand job asks for a
GPU when the cluster has one (implicit's ALS and BPR use it); the trend models (statsforecast)
and the design search run on CPU.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from core.errors import AtelierError, ConfigError

log = logging.getLogger(__name__)

CENTRAL_RESOURCE = "central"
GPU_JOBS = frozenset({"demand"})


@contextmanager
def ray_session(
    address: str | None = None, num_cpus: int = 2, object_store_mb: int = 200
) -> Iterator[None]:
    """Join the cluster at `address`, or start a small local Ray advertising `central`; always
    shut down afterwards."""
    import ray

    if address:
        try:
            ray.init(address=address, logging_level=logging.WARNING)
        except (ConnectionError, RuntimeError, ValueError) as exc:
            raise ConfigError(f"cannot join the Ray cluster at {address}: {exc}") from exc
    else:
        # "local" starts a private instance even when a `ray start` cluster runs on this machine.
        ray.init(
            address="local",
            num_cpus=num_cpus,
            resources={CENTRAL_RESOURCE: 1},
            object_store_memory=object_store_mb * 1024 * 1024,
            include_dashboard=False,
            logging_level=logging.WARNING,
        )
    try:
        resources = ray.cluster_resources()
        if resources.get(CENTRAL_RESOURCE, 0) < 1:
            raise ConfigError(
                f"no node of the Ray cluster at {address} advertises the '{CENTRAL_RESOURCE}' "
                "resource; start the central node with --resources '{\"central\": 1}'"
            )
        yield
    finally:
        ray.shutdown()


def placement(job: str, cluster_resources: dict[str, float]) -> dict[str, Any]:
    """Ray options for a job: one unit of `central`, one CPU, and a GPU only where it helps."""
    options: dict[str, Any] = {"resources": {CENTRAL_RESOURCE: 1}, "num_cpus": 1}
    if job in GPU_JOBS and cluster_resources.get("GPU", 0) >= 1:
        options["num_gpus"] = 1
    return options


def _logged(func: Callable[..., Any], *args: Any) -> Any:
    # Ray forwards a worker's stderr to the driver; INFO lines are the job's progress.
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    return func(*args)


def run_remote(job: str, func: Callable[..., Any], *args: Any) -> Any:
    """Run `func(*args)` as a Ray task placed on the central role and wait for its result."""
    import ray

    options = placement(job, ray.cluster_resources())
    log.info("central job %s placed with %s", job, options)
    task = ray.remote(_logged).options(**options, max_retries=0)
    try:
        return ray.get(task.remote(func, *args))
    except ray.exceptions.RayTaskError as exc:
        # A user's mistake (bad file, bad setting) reaches the CLI as its own one-line error.
        if isinstance(exc.cause, AtelierError):
            raise exc.cause from None
        raise
