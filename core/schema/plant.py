"""Lines and stations as the store knows them (mirrors `configs/factory.yaml`)."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.schema.base import Base, in_list


class LineRow(Base):
    __tablename__ = "lines"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))

    stations: Mapped[list[StationRow]] = relationship(back_populates="line")

    __table_args__ = (CheckConstraint(in_list("kind", ["cutting", "sewing"]), name="kind_known"),)


class StationRow(Base):
    __tablename__ = "stations"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    line_id: Mapped[str] = mapped_column(ForeignKey("lines.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    machine_type: Mapped[str] = mapped_column(String(32))
    machine: Mapped[str] = mapped_column(String(64))  # name used in OPC-UA node ids

    line: Mapped[LineRow] = relationship(back_populates="stations")
