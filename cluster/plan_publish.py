"""Publishing a plan version: the store first (one transaction, superseding the version the lines
ran before), then each line's part to its edge agent when a cluster is running."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from core.db import transaction
from core.errors import AtelierError, InputError
from core.plans import publish_plan, published_plan
from core.states import PlanStatus

log = logging.getLogger(__name__)


@dataclass
class Publication:
    version: int
    published: list[str] = field(default_factory=list)  # families published now
    superseded: dict[str, int] = field(default_factory=dict)  # family -> version superseded
    delivered: list[str] = field(default_factory=list)  # lines whose agent got its part
    pending: dict[str, str] = field(default_factory=dict)  # line -> why delivery waits

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "published": self.published,
            "superseded": self.superseded,
            "delivered": self.delivered,
            "pending": self.pending,
        }


def _cluster_reachable(home: Path | None) -> str | None:
    """None when a running cluster answers; otherwise why not, in a line."""
    from cluster.status import _reachable, known_address
    from core.settings import atelier_home

    home = home or atelier_home()
    address = known_address(home)
    if address is None:
        return f"no Atelier cluster is running ({home / 'cluster.json'} is missing)"
    if not _reachable(address):
        return f"the cluster at {address} does not answer"
    return None


def publish_version(
    engine: Engine,
    version: int,
    *,
    cutting_line: str = "C1",
    sewing_line: str = "L1",
    deliver: bool = True,
    home: Path | None = None,
) -> Publication:
    """Publish both families' drafts of `version`, then deliver each line's part.

    Publishing again a version that is already published only delivers it again (each agent's
    inbox keeps one copy per plan id). A cluster that is not running leaves delivery pending;
    the publication in the store stands.
    """
    from cluster.plan_versions import families, payload, version_rows

    names = families(cutting_line, sewing_line)
    result = Publication(version)
    payloads: dict[str, dict[str, Any]] = {}
    with transaction(engine) as session:
        rows = version_rows(session, names, version)
        if not rows:
            raise InputError(f"there is no plan version {version} to publish")
        stale = [
            f"{r.family} is {r.status}" for r in rows if r.status == PlanStatus.SUPERSEDED.value
        ]
        if stale:
            raise InputError(
                f"plan version {version} cannot be published: {', '.join(stale)}; "
                "plan again (atelier plan) and publish the new version"
            )
        for row in rows:
            if row.status == PlanStatus.DRAFT.value:
                before = published_plan(session, row.family)
                publish_plan(session, row.id)
                result.published.append(row.family)
                if before is not None:
                    result.superseded[row.family] = before.version
            payloads[row.family.split(":", 1)[1]] = payload(row)
    if deliver:
        _deliver(payloads, result, home)
    else:
        result.pending = dict.fromkeys(payloads, "delivery not requested")
    return result


def _deliver(payloads: dict[str, dict[str, Any]], result: Publication, home: Path | None) -> None:
    why = _cluster_reachable(home)
    if why is not None:
        result.pending = dict.fromkeys(payloads, why)
        log.warning("plan v%d published; delivery pending: %s", result.version, why)
        return
    from cluster.services import deliver_plan

    for line, body in payloads.items():
        try:
            deliver_plan(line, body, plan_id=body["plan_id"])
            result.delivered.append(line)
        except (AtelierError, ConnectionError, TimeoutError) as exc:
            result.pending[line] = str(exc)
            log.warning("plan %s for line %s not delivered: %s", body["plan_id"], line, exc)
