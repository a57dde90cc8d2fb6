"""Flagged defects: the filtered queue, one-touch review (audited), and the Pareto counts."""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.audit import record
from core.errors import InputError
from core.events import utcnow
from core.schema import DefectRow
from core.states import ReviewStatus
from hmi.roles import require
from hmi.session import SignedIn

log = logging.getLogger(__name__)

# The floor's defect names (glossary); classes the models report are added to these.
KNOWN_CLASSES = ("stain", "hole", "broken_yarn", "skipped_stitch", "puckering")
_CLASS_NAME = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
# A confirmed or reclassified defect is real; rejected ones were false alarms, pending unknown.
REAL = (ReviewStatus.CONFIRMED.value, ReviewStatus.RECLASSIFIED.value)


@dataclass(frozen=True)
class DefectFilter:
    stations: tuple[str, ...] = ()
    classes: tuple[str, ...] = ()  # the class as reviewed (reclassified) or as flagged
    statuses: tuple[str, ...] = ()
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class Defect:
    id: int
    line: str
    station: str
    time: datetime
    image_path: str
    heatmap_path: str | None
    box: tuple[int, int, int, int]  # x, y, w, h in image pixels
    score: float
    flagged_class: str
    model_version: str
    status: str
    reviewed_class: str | None
    reviewer: str | None

    @property
    def defect_class(self) -> str:
        return self.reviewed_class or self.flagged_class


def _public(r: DefectRow) -> Defect:
    return Defect(
        r.id,
        r.line,
        r.station,
        r.time,
        r.image_path,
        r.heatmap_path,
        (r.box_x, r.box_y, r.box_w, r.box_h),
        r.score,
        r.defect_class,
        r.model_version,
        r.review_status,
        r.reviewed_class,
        r.reviewer,
    )


def find_defects(session: Session, flt: DefectFilter, limit: int = 2000) -> list[Defect]:
    """Defects matching the filter, newest first."""
    query = select(DefectRow).order_by(DefectRow.time.desc(), DefectRow.id.desc()).limit(limit)
    if flt.stations:
        query = query.where(DefectRow.station.in_(flt.stations))
    if flt.statuses:
        query = query.where(DefectRow.review_status.in_(flt.statuses))
    if flt.since is not None:
        query = query.where(DefectRow.time >= flt.since)
    if flt.until is not None:
        query = query.where(DefectRow.time < flt.until)
    found = [_public(r) for r in session.scalars(query)]
    if flt.classes:
        found = [d for d in found if d.defect_class in flt.classes]
    return found


def defect_classes(session: Session) -> list[str]:
    stored = session.scalars(select(DefectRow.defect_class).distinct())
    return sorted(set(KNOWN_CLASSES) | set(stored))


def stations_with_defects(session: Session) -> list[str]:
    return sorted(session.scalars(select(DefectRow.station).distinct()))


def review_defect(
    session: Session,
    user: SignedIn,
    defect_id: int,
    decision: ReviewStatus,
    new_class: str | None = None,
) -> Defect:
    """Confirm, reject or reclassify one defect, audited in the caller's transaction.

    A reviewed defect may be reviewed again (a second look changes the record, and both
    decisions stay in the audit log)."""
    require(user.role, "quality", "reviewing defects")
    if decision is ReviewStatus.PENDING:
        raise InputError("a review must confirm, reject or reclassify")
    row = session.get(DefectRow, defect_id, with_for_update=True)
    if row is None:
        raise InputError(f"defect {defect_id} does not exist")
    if decision is ReviewStatus.RECLASSIFIED:
        if not new_class or not _CLASS_NAME.match(new_class):
            raise InputError(
                f"defect {defect_id}: reclassify needs a class name of lower-case letters, "
                f"digits and '_', got {new_class!r}"
            )
        if new_class == row.defect_class:
            raise InputError(
                f"defect {defect_id} is already flagged as {new_class}; confirm it instead"
            )
    before = _review_state(row)
    row.review_status = decision.value
    row.reviewed_class = new_class if decision is ReviewStatus.RECLASSIFIED else None
    row.reviewer = user.name
    row.reviewed_at = utcnow()
    session.flush()
    action = {
        ReviewStatus.CONFIRMED: "defect.confirm",
        ReviewStatus.REJECTED: "defect.reject",
        ReviewStatus.RECLASSIFIED: "defect.reclassify",
    }[decision]
    record(session, user.actor, action, f"defect:{defect_id}", before, _review_state(row))
    return _public(row)


def _review_state(row: DefectRow) -> dict[str, object]:
    return {
        "status": row.review_status,
        "class": row.reviewed_class or row.defect_class,
        "reviewer": row.reviewer,
    }


def pareto(defects: list[Defect], by: str) -> list[tuple[str, int]]:
    """Counts of real (confirmed or reclassified) defects by `class` or `station`, largest
    first, ties by name."""
    if by not in ("class", "station"):
        raise InputError(f"Pareto by {by!r}: choose class or station")
    counts = Counter(
        d.defect_class if by == "class" else d.station for d in defects if d.status in REAL
    )
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
