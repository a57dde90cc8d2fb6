"""Where planning plugs in: a function that takes the orders and stores draft plans.

The contract (for the scheduler's adapter): `scheduler.plan_orders(engine, orders, *,
created_by, actor, on_progress)` plans the orders, stores the result as draft plan versions
(`core.plans.new_plan` with assignments and markers) in one transaction together with a
`plan.create` audit row by `actor` (`core.audit.record`), and returns their plan ids;
`on_progress(stage, message)` reports as it goes. Until the scheduler provides it, the planner page says
that planning is not available; it never makes up a plan.
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
    ) -> list[int]: ...


def planning_backend() -> PlanOrders | None:
    """The scheduler's `plan_orders`, or None when this build has no scheduler that offers it."""
    try:
        scheduler = importlib.import_module("scheduler")
    except ImportError as exc:
        log.info("planning not available: %s", exc)
        return None
    backend = getattr(scheduler, "plan_orders", None)
    return backend if callable(backend) else None


def plan_orders(
    engine: Engine,
    user: SignedIn,
    orders: list[CustomOrder],
    backend: PlanOrders,
    on_progress: Progress,
) -> list[int]:
    """Plan `orders` with the scheduler's backend; only a planner (or admin) may."""
    require(user.role, "planner", "planning orders")
    return backend(engine, orders, created_by=user.name, actor=user.actor, on_progress=on_progress)
