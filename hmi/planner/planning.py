"""Where planning plugs in: a function that takes the orders and stores draft plans.

The backend is the cluster's client API `cluster.planning.plan_for_hmi(engine, orders, *,
created_by, actor, on_progress, time_limit_s)`: it drafts and plans the open orders, stores the
result as draft plan versions with assignments and markers, writes a `plan.create` audit row
by `actor`, and returns the plan ids; `on_progress(stage, message)` reports as it goes. In a
build without the scheduler the planner page says that planning is not available; it never
makes up a plan.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from typing import Protocol

from sqlalchemy import Engine

from core.orders import CustomOrder
from hmi.roles import require
from hmi.session import SignedIn

log = logging.getLogger(__name__)

Progress = Callable[[str, str], None]


class PlanOrders(Protocol):
    def __call__(
        self,
        engine: Engine,
        orders: list[CustomOrder],
        *,
        created_by: str,
        actor: str,
        on_progress: Progress,
        time_limit_s: float,
    ) -> list[int]: ...


def planning_backend() -> PlanOrders | None:
    """The cluster's planning call, or None when this build cannot plan."""
    try:
        planning = importlib.import_module("cluster.planning")
    except ImportError as exc:
        log.info("planning not available: %s", exc)
        return None
    backend = getattr(planning, "plan_for_hmi", None)
    return backend if callable(backend) else None


def plan_orders(
    engine: Engine,
    user: SignedIn,
    orders: list[CustomOrder],
    backend: PlanOrders,
    on_progress: Progress,
    time_limit_s: float = 20.0,
) -> list[int]:
    """Plan `orders` with the planning backend; only a planner (or admin) may."""
    require(user.role, "planner", "planning orders")
    return backend(
        engine,
        orders,
        created_by=user.name,
        actor=user.actor,
        on_progress=on_progress,
        time_limit_s=time_limit_s,
    )
