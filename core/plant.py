"""Keep the store's lines and stations in step with the factory configuration."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from core.config import FactoryConfig
from core.schema import LineRow, StationRow

log = logging.getLogger(__name__)


def sync_plant(session: Session, factory: FactoryConfig) -> None:
    """Insert or update every configured line and station. Rows no longer configured stay,
    because plans and events of the past still name them."""
    for line in factory.lines:
        row = session.get(LineRow, line.id) or LineRow(id=line.id)
        row.name, row.kind = line.name, line.kind
        session.add(row)
        for station in line.stations:
            srow = session.get(StationRow, station.id) or StationRow(id=station.id)
            srow.line_id = line.id
            srow.name = station.name
            srow.machine_type = station.machine_type
            srow.machine = station.machine
            session.add(srow)
    session.flush()
    log.info("plant in the store: %d lines", len(factory.lines))
