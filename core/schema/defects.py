"""Defects flagged by the cameras, their review, and the inspection models that found them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from core.events import utcnow
from core.schema.base import Base, in_list
from core.states import ReviewStatus


class DefectRow(Base):
    """One flagged region; file paths are relative to Atelier's home. Box in image pixels."""

    __tablename__ = "defects"

    id: Mapped[int] = mapped_column(primary_key=True)
    line: Mapped[str] = mapped_column(String(32))
    station: Mapped[str] = mapped_column(String(32))
    camera: Mapped[str | None] = mapped_column(String(64))
    time: Mapped[datetime]
    image_path: Mapped[str] = mapped_column(String(500))
    heatmap_path: Mapped[str | None] = mapped_column(String(500))
    box_x: Mapped[int]
    box_y: Mapped[int]
    box_w: Mapped[int]
    box_h: Mapped[int]
    score: Mapped[float]
    defect_class: Mapped[str] = mapped_column(String(32))  # as the model said
    model_version: Mapped[str] = mapped_column(String(64))
    review_status: Mapped[str] = mapped_column(String(16), default=ReviewStatus.PENDING.value)
    reviewed_class: Mapped[str | None] = mapped_column(String(32))  # set when reclassified
    reviewer: Mapped[str | None] = mapped_column(String(64))
    reviewed_at: Mapped[datetime | None]
    event_id: Mapped[str | None] = mapped_column(String(64), unique=True)

    __table_args__ = (
        CheckConstraint(
            in_list("review_status", [s.value for s in ReviewStatus]), name="review_status_known"
        ),
        CheckConstraint("box_w > 0 AND box_h > 0 AND box_x >= 0 AND box_y >= 0", name="box_valid"),
        CheckConstraint(
            "review_status = 'pending' OR (reviewer IS NOT NULL AND reviewed_at IS NOT NULL)",
            name="review_has_who",
        ),
        CheckConstraint(
            "review_status <> 'reclassified' OR reviewed_class IS NOT NULL",
            name="reclassified_has_class",
        ),
        Index("ix_defects_review_time", "review_status", "time"),
        Index("ix_defects_station_time", "station", "time"),
    )


class InspectionModelRow(Base):
    """A trained inspection model; the promoted one is what the lines run."""

    __tablename__ = "inspection_models"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(64), unique=True)
    path: Mapped[str] = mapped_column(String(500))  # relative to Atelier's home
    architecture: Mapped[str | None] = mapped_column(String(64))
    metrics: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    promoted: Mapped[bool] = mapped_column(default=False)
    promoted_at: Mapped[datetime | None]
    promoted_by: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (
        CheckConstraint("NOT promoted OR promoted_at IS NOT NULL", name="promoted_has_time"),
    )
