"""Plans, versioned per family, and what they assign: operations to stations, markers to lays."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.events import utcnow
from core.schema.base import Base, in_list
from core.states import PlanStatus


class PlanRow(Base):
    """One version of a plan. A family (e.g. `sewing:L1`) has at most one published version."""

    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    family: Mapped[str] = mapped_column(String(64))
    version: Mapped[int]
    kind: Mapped[str] = mapped_column(String(16))  # cut | sewing
    status: Mapped[str] = mapped_column(String(16), default=PlanStatus.DRAFT.value)
    kpis: Mapped[dict[str, Any]] = mapped_column(default=dict)
    note: Mapped[str | None] = mapped_column(String(500))
    created_by: Mapped[str] = mapped_column(String(64))  # user name; users live in their own table
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]
    superseded_at: Mapped[datetime | None]

    assignments: Mapped[list[PlanAssignmentRow]] = relationship(
        back_populates="plan", cascade="all, delete-orphan"
    )
    markers: Mapped[list[PlanMarkerRow]] = relationship(
        back_populates="plan", cascade="all, delete-orphan"
    )

    __table_args__ = (
        UniqueConstraint("family", "version", name="uq_plans_family_version"),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint(in_list("kind", ["cut", "sewing"]), name="kind_known"),
        CheckConstraint(in_list("status", [s.value for s in PlanStatus]), name="status_known"),
        CheckConstraint(
            "status <> 'published' OR published_at IS NOT NULL", name="published_has_time"
        ),
        # The database itself refuses a second published version in a family.
        Index(
            "uq_plans_one_published",
            "family",
            unique=True,
            sqlite_where=text("status = 'published'"),
            postgresql_where=text("status = 'published'"),
        ),
    )


class PlanAssignmentRow(Base):
    """One operation of one bundle on one station, `start` to `end`; pinned ones survive replans."""

    __tablename__ = "plan_assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    bundle: Mapped[str] = mapped_column(String(64))
    order_id: Mapped[str | None] = mapped_column(ForeignKey("orders.order_id"))
    operation_code: Mapped[str] = mapped_column(String(32))
    station_id: Mapped[str] = mapped_column(ForeignKey("stations.id"))
    start: Mapped[datetime]
    end: Mapped[datetime]
    pinned: Mapped[bool] = mapped_column(default=False)

    plan: Mapped[PlanRow] = relationship(back_populates="assignments")

    __table_args__ = (
        CheckConstraint('"end" > start', name="end_after_start"),
        Index("ix_plan_assignments_station_start", "station_id", "start"),
    )


class PlanMarkerRow(Base):
    """One marker of a cut plan: pieces nested on the fabric width, cut through `plies` plies."""

    __tablename__ = "plan_markers"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    fabric: Mapped[str] = mapped_column(String(64))
    width_mm: Mapped[float]
    length_mm: Mapped[float]
    plies: Mapped[int]
    efficiency: Mapped[float]  # used area / marker area
    order_ids: Mapped[list[Any]] = mapped_column(default=list)
    placements: Mapped[list[Any]] = mapped_column(default=list)  # {piece, order_id, x, y, rotation}
    station_id: Mapped[str | None] = mapped_column(ForeignKey("stations.id"))  # cutting table
    start: Mapped[datetime | None]
    end: Mapped[datetime | None]
    pinned: Mapped[bool] = mapped_column(default=False)

    plan: Mapped[PlanRow] = relationship(back_populates="markers")

    __table_args__ = (
        UniqueConstraint("plan_id", "name", name="uq_plan_markers_plan_name"),
        CheckConstraint("plies >= 1", name="plies_positive"),
        CheckConstraint("width_mm > 0 AND length_mm > 0", name="size_positive"),
        CheckConstraint("efficiency >= 0 AND efficiency <= 1", name="efficiency_fraction"),
    )
