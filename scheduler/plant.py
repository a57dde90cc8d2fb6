"""The demo plant's configuration as scheduler inputs: a line's stations and its shift calendar."""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.config.models import FactoryConfig
from core.errors import InputError
from scheduler.model import Shift, ShiftCalendar, Station

log = logging.getLogger(__name__)


def line_stations(factory: FactoryConfig, line_id: str) -> tuple[Station, ...]:
    """One scheduler Station per configured station of a sewing line (standard skill)."""
    for line in factory.lines:
        if line.id == line_id:
            return tuple(Station(s.id, frozenset({s.machine_type})) for s in line.stations)
    known = ", ".join(line.id for line in factory.lines)
    raise InputError(f"line {line_id!r} is not in the factory configuration (lines: {known})")


def plant_calendar(factory: FactoryConfig, origin: datetime, days: int = 7) -> ShiftCalendar:
    """The configured shifts over `days` days from `origin` (aware), in plan minutes."""
    if origin.tzinfo is None:
        raise InputError("the plan origin must carry a time zone")
    zone = ZoneInfo(factory.timezone)
    local_start = origin.astimezone(zone)

    def minute(day: datetime, at: time) -> int:
        moment = datetime.combine(day.date(), at, tzinfo=zone)
        return round((moment - origin).total_seconds() / 60)

    shifts = []
    for offset in range(days):
        day = local_start + timedelta(days=offset)
        for shift in factory.shifts:
            if day.weekday() not in shift.days:
                continue
            start, end = minute(day, shift.start), minute(day, shift.end)
            if end <= start:  # a night shift ends the next day
                end += 24 * 60
            breaks = []
            for b_at, e_at in shift.breaks:
                b, e = minute(day, b_at), minute(day, e_at)
                breaks.append((b + 1440 if b < start else b, e + 1440 if e <= start else e))
            if end > 0:
                shifts.append(Shift(max(start, 0), end, tuple(b for b in breaks if b[1] > 0)))
    return ShiftCalendar(origin, tuple(shifts))
