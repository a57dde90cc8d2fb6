"""The station's shift view: defects flagged here in the last hour (with thumbnails) and the
station's OEE over the shift from the telemetry aggregates."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from pathlib import Path

from PIL import Image, UnidentifiedImageError
from sqlalchemy.orm import Session

from core.settings import atelier_home
from hmi.overview.telemetry import StationOee, oee_by_station
from hmi.quality.defects import Defect, DefectFilter, find_defects

log = logging.getLogger(__name__)

SHIFT = timedelta(hours=8)  # the shift window: the store holds no shift calendar
THUMB_PX = 160


def recent_defects(session: Session, station: str, now: datetime) -> list[Defect]:
    return find_defects(session, DefectFilter(stations=(station,), since=now - timedelta(hours=1)))


def thumbnail(defect: Defect) -> Image.Image | None:
    """A small copy of the defect's image, or None when the file is missing, unreadable or
    outside Atelier's home (the page shows a placeholder instead)."""
    home = Path(atelier_home()).resolve()
    path = (home / defect.image_path).resolve()
    if not path.is_relative_to(home):
        log.warning("defect %s: image path %r leaves the home", defect.id, defect.image_path)
        return None
    try:
        with Image.open(path) as img:
            img.thumbnail((THUMB_PX, THUMB_PX))
            return img.copy()
    except (FileNotFoundError, UnidentifiedImageError, OSError):
        return None


def station_oee(session: Session, station: str, now: datetime) -> StationOee | None:
    """The station's availability and quality over the shift window; None without telemetry."""
    for oee in oee_by_station(session, now - SHIFT, now, [station]):
        if oee.station == station:
            return oee
    return None
