"""State names the store keeps for plans, alarms and defect reviews (stored as plain strings)."""

from __future__ import annotations

from enum import StrEnum


class PlanStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    SUPERSEDED = "superseded"


class AlarmState(StrEnum):
    """ISA-18.2 alarm states, the same names the edge agent's alarm manager uses."""

    UNACKNOWLEDGED = "unacknowledged"  # active, nobody has acknowledged it yet
    ACKNOWLEDGED = "acknowledged"  # active, acknowledged
    RETURNED_UNACKNOWLEDGED = "returned_unacknowledged"  # cleared before anyone acknowledged
    NORMAL = "normal"
    SHELVED = "shelved"  # hidden by an operator until `shelved_until`
    SUPPRESSED = "suppressed"  # hidden by design (e.g. the machine is stopped on purpose)


class AlarmPriority(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class ReviewStatus(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"
    RECLASSIFIED = "reclassified"
