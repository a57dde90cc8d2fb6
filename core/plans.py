"""Plan versions: each family (e.g. `sewing:L1`, `cut:C1`) numbers its plans 1, 2, 3, ...;
publishing one supersedes the one published before, in the same transaction."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.errors import InputError
from core.events import utcnow
from core.schema import PlanRow
from core.states import PlanStatus

log = logging.getLogger(__name__)


def new_plan(
    session: Session,
    family: str,
    kind: str,
    created_by: str,
    kpis: dict[str, Any] | None = None,
    note: str | None = None,
) -> PlanRow:
    """Add the next draft version of `family`; the caller fills assignments or markers."""
    last = session.scalar(select(func.max(PlanRow.version)).where(PlanRow.family == family))
    plan = PlanRow(
        family=family,
        version=(last or 0) + 1,
        kind=kind,
        status=PlanStatus.DRAFT.value,
        kpis=kpis or {},
        note=note,
        created_by=created_by,
    )
    session.add(plan)
    session.flush()
    return plan


def published_plan(session: Session, family: str) -> PlanRow | None:
    """The version of `family` the lines run now, if any."""
    return session.scalar(
        select(PlanRow).where(
            PlanRow.family == family, PlanRow.status == PlanStatus.PUBLISHED.value
        )
    )


def publish_plan(session: Session, plan_id: int) -> PlanRow:
    """Publish a draft and supersede the family's published version, inside the caller's
    transaction (use `core.db.transaction`), so readers never see two or none mid-way."""
    plan = session.get(PlanRow, plan_id, with_for_update=True)
    if plan is None:
        raise InputError(f"plan {plan_id} does not exist")
    if plan.status != PlanStatus.DRAFT.value:
        raise InputError(
            f"plan {plan.family} v{plan.version} is {plan.status}; only a draft can be published"
        )
    now = utcnow()
    previous = published_plan(session, plan.family)
    if previous is not None:
        previous.status = PlanStatus.SUPERSEDED.value
        previous.superseded_at = now
        # The partial unique index allows one published row; write the old one first.
        session.flush()
    plan.status = PlanStatus.PUBLISHED.value
    plan.published_at = now
    session.flush()
    log.info(
        "published plan %s v%s%s",
        plan.family,
        plan.version,
        f" (supersedes v{previous.version})" if previous else "",
    )
    return plan
