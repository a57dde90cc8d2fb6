"""Machine telemetry: raw samples as read, and one-second aggregates per station and signal."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.schema.base import Base

# SQLite only auto-increments a column declared exactly INTEGER PRIMARY KEY.
_BigId = BigInteger().with_variant(Integer(), "sqlite")


class TelemetrySampleRow(Base):
    __tablename__ = "telemetry_samples"

    id: Mapped[int] = mapped_column(_BigId, primary_key=True)
    line: Mapped[str] = mapped_column(String(32))
    station: Mapped[str] = mapped_column(String(32))
    signal: Mapped[str] = mapped_column(String(64))  # e.g. speed, motor_current
    time: Mapped[datetime]
    value: Mapped[float]

    __table_args__ = (
        Index("ix_telemetry_samples_station_signal_time", "station", "signal", "time"),
    )


class TelemetryAggregateRow(Base):
    """Min, max, mean and last of one signal over the second starting at `second`."""

    __tablename__ = "telemetry_aggregates"

    station: Mapped[str] = mapped_column(String(32), primary_key=True)
    signal: Mapped[str] = mapped_column(String(64), primary_key=True)
    second: Mapped[datetime] = mapped_column(primary_key=True)
    line: Mapped[str] = mapped_column(String(32))
    min: Mapped[float]
    max: Mapped[float]
    mean: Mapped[float]
    last: Mapped[float]
    count: Mapped[int]

    __table_args__ = (
        CheckConstraint("min <= mean AND mean <= max", name="mean_between"),
        CheckConstraint("count >= 1", name="count_positive"),
        Index("ix_telemetry_aggregates_line_second", "line", "second"),
    )


class TelemetryMinuteRow(Base):
    """One signal of one station over the minute starting at `minute`, rolled up from its
    one-second aggregates (`core.telemetry_rollup`), so pages read a row per minute, not 60.

    `first` / `last` are the `last` values of the minute's first and last readings; `rise` is a
    counter's rise between consecutive readings inside the minute (a fall is a reset: the new
    value counts); `execute_s` counts readings equal to PackML Execute (6), for `state`.
    """

    __tablename__ = "telemetry_minutes"

    station: Mapped[str] = mapped_column(String(32), primary_key=True)
    signal: Mapped[str] = mapped_column(String(64), primary_key=True)
    minute: Mapped[datetime] = mapped_column(primary_key=True)
    line: Mapped[str] = mapped_column(String(32))  # max over the minute's readings
    readings: Mapped[int]
    first_second: Mapped[datetime]
    last_second: Mapped[datetime]
    first: Mapped[float]
    last: Mapped[float]
    rise: Mapped[float]
    execute_s: Mapped[int]

    __table_args__ = (CheckConstraint("readings >= 1", name="readings_positive"),)


class TelemetryPendingRow(Base):
    """A stored `telemetry.aggregate` event whose seconds are not yet in the telemetry tables.

    Ingest takes a line's backlog (a batch of more than a few hundred events, as after an
    outage) into `events` first, so the line's outbox empties at the event path's speed, and
    queues its aggregates here in the same transaction; later, smaller batches project them,
    oldest first, each in the transaction that deletes its row (`core.store_telemetry`).
    """

    __tablename__ = "telemetry_pending"

    seq: Mapped[int] = mapped_column(_BigId, primary_key=True)
    event_id: Mapped[str] = mapped_column(String(64))
