"""Replanning on the planner's desk: a rush order inserted or a station down for a while.

The backend is the cluster's client API `cluster.planning.replan_for_hmi(engine, version,
request, *, created_by, actor, on_progress, time_limit_s)`: it replans the stored version from
now, stores the result as the next draft version (audited `plan.replan`) and returns what moved
and why. The requests are `cluster.replanning.RushRequest` and `DownRequest`.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.schema import StationRow
from hmi.roles import require
from hmi.session import SignedIn

log = logging.getLogger(__name__)

Progress = Callable[[str, str], None]

# The KPIs compared before and after, with the label the page shows.
COMPARED = (
    ("makespan_min", "makespan (min)"),
    ("late_orders", "late orders"),
    ("late_minutes", "minutes late (sum)"),
    ("operations", "operations"),
)


class ReplanVersion(Protocol):
    def __call__(
        self,
        engine: Any,
        version: int,
        request: Any,
        *,
        created_by: str,
        actor: str,
        on_progress: Progress,
        time_limit_s: float,
    ) -> Any: ...


@dataclass(frozen=True)
class Backend:
    """The replanning call and the two request types it takes."""

    replan: ReplanVersion
    rush: Callable[..., Any]  # RushRequest(order_id, due_date, priority)
    down: Callable[..., Any]  # DownRequest(station_id, since, minutes)


def replanning_backend() -> Backend | None:
    """The cluster's replanning call, or None when this build cannot replan."""
    try:
        planning = importlib.import_module("cluster.planning")
        requests = importlib.import_module("cluster.replanning")
    except ImportError as exc:
        log.info("replanning not available: %s", exc)
        return None
    call = getattr(planning, "replan_for_hmi", None)
    if not callable(call):
        return None
    return Backend(call, requests.RushRequest, requests.DownRequest)


def rush_request(backend: Backend, order_id: str, due: date, priority: str) -> Any:
    return backend.rush(order_id, due_date=due, priority=priority)


def down_request(backend: Backend, station: str, since: datetime, minutes: int | None) -> Any:
    return backend.down(station, since, minutes)


def replan_plan(
    engine: Any,
    user: SignedIn,
    version: int,
    request: Any,
    backend: Backend,
    on_progress: Progress,
    time_limit_s: float = 5.0,
) -> Any:
    """Replan plan `version` for `request`; only a planner (or admin) may."""
    require(user.role, "planner", "replanning a plan")
    return backend.replan(
        engine,
        version,
        request,
        created_by=user.name,
        actor=user.actor,
        on_progress=on_progress,
        time_limit_s=time_limit_s,
    )


def line_stations(session: Session, line_id: str) -> list[str]:
    """The stations of a sewing line in the store, in their natural order (S2 before S10)."""
    ids = session.scalars(select(StationRow.id).where(StationRow.line_id == line_id)).all()
    return sorted(ids, key=lambda s: (len(s), s))


def kpi_rows(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per compared KPI: before, after and the change."""
    return [
        {
            "KPI": label,
            "before": before.get(key),
            "after": after.get(key),
            "change": (after.get(key) or 0) - (before.get(key) or 0),
        }
        for key, label in COMPARED
    ]
