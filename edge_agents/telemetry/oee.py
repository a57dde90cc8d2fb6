"""OEE per station and shift from PackML states and good/scrap counters.

    availability = time in Execute / planned time (shift minus breaks)
    performance  = ideal cycle time x pieces made / time in Execute
    quality      = good pieces / pieces made
    OEE          = availability x performance x quality

Only what falls inside the shift's planned time counts; breaks are not planned time.
Performance is not capped at 1: above 1 means the ideal cycle time is set too long. The ideal
cycle time comes from the factory file (`ideal_cycle_s` per machine type, or per station); a
station without one has no performance, and so no OEE (None), rather than a made-up 1.0.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.config.models import ShiftConfig
from edge_agents.packml import PackMLState

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ShiftWindow:
    name: str
    start: datetime
    end: datetime
    breaks: tuple[tuple[datetime, datetime], ...]

    def planned(self, upto: datetime | None = None) -> list[tuple[datetime, datetime]]:
        """The planned intervals of the shift (breaks cut out), up to `upto`."""
        end = min(self.end, upto) if upto is not None else self.end
        pieces = []
        cursor = self.start
        for b_start, b_end in sorted(self.breaks):
            if b_start > cursor:
                pieces.append((cursor, min(b_start, end)))
            cursor = max(cursor, b_end)
        pieces.append((cursor, end))
        return [(a, b) for a, b in pieces if b > a]


def shift_window(shift: ShiftConfig, day: date, timezone: str) -> ShiftWindow:
    """The shift starting on `day` in the plant's time zone; a shift may run past midnight."""
    tz = ZoneInfo(timezone)

    def at_or_after(t: time, ref: datetime) -> datetime:
        moment = datetime.combine(ref.date(), t, tz)
        if moment < ref:
            moment = datetime.combine(ref.date() + timedelta(days=1), t, tz)
        return moment

    start = datetime.combine(day, shift.start, tz)
    end = at_or_after(shift.end, start + timedelta(microseconds=1))
    breaks = []
    for b_start, b_end in shift.breaks:
        opens = at_or_after(b_start, start)
        breaks.append((opens, at_or_after(b_end, opens)))
    return ShiftWindow(shift.name, start, end, tuple(breaks))


def current_shift(shifts: list[ShiftConfig], now: datetime, timezone: str) -> ShiftWindow | None:
    for day in (now.date() - timedelta(days=1), now.date()):
        for shift in shifts:
            if day.weekday() not in shift.days:
                continue
            window = shift_window(shift, day, timezone)
            if window.start <= now < window.end:
                return window
    return None


@dataclass(frozen=True)
class OeeReport:
    station: str
    shift: str
    planned_s: float
    run_s: float
    good: int
    scrap: int
    availability: float
    performance: float | None  # None: no ideal cycle time configured for the station
    quality: float

    @property
    def oee(self) -> float | None:
        if self.performance is None:
            return None
        return self.availability * self.performance * self.quality


def _overlap(a0: datetime, a1: datetime, b0: datetime, b1: datetime) -> float:
    return max(0.0, (min(a1, b1) - max(a0, b0)).total_seconds())


class StationOee:
    """Collects one station's states and counts; `report(window, now)` gives its OEE."""

    def __init__(self, station: str, ideal_cycle_s: float | None) -> None:
        if ideal_cycle_s is not None and ideal_cycle_s <= 0:
            raise ValueError(f"ideal cycle time of {station} must be positive, not {ideal_cycle_s}")
        self.station = station
        self.ideal_cycle_s = ideal_cycle_s
        self._states: list[tuple[datetime, int]] = []
        self._counts: list[tuple[datetime, int, int]] = []  # (time, good delta, scrap delta)
        self._last_counter: dict[str, int] = {}

    def on_state(self, at: datetime, state: int) -> None:
        if self._states and self._states[-1][1] == state:
            return
        self._states.append((at, state))

    def on_counter(self, at: datetime, counter: str, value: int) -> None:
        """A good_count or scrap_count reading; deltas are taken, a reset counts from zero."""
        last = self._last_counter.get(counter)
        self._last_counter[counter] = value
        if last is None:
            return
        delta = value - last if value >= last else value
        if delta:
            good, scrap = (delta, 0) if counter == "good_count" else (0, delta)
            self._counts.append((at, good, scrap))

    def forget_before(self, moment: datetime) -> None:
        """Drop history older than `moment` (keeps the state in force at that moment)."""
        keep = [i for i, (t, _) in enumerate(self._states) if t >= moment]
        first = max(keep[0] - 1, 0) if keep else max(len(self._states) - 1, 0)
        self._states = self._states[first:]
        self._counts = [c for c in self._counts if c[0] >= moment]

    def report(self, window: ShiftWindow, now: datetime) -> OeeReport:
        planned = window.planned(upto=now)
        planned_s = sum((b - a).total_seconds() for a, b in planned)
        run_s = 0.0
        for i, (t, state) in enumerate(self._states):
            if state != PackMLState.EXECUTE:
                continue
            until = self._states[i + 1][0] if i + 1 < len(self._states) else now
            run_s += sum(_overlap(t, until, a, b) for a, b in planned)
        good = scrap = 0
        for t, g, s in self._counts:
            if any(a <= t <= b for a, b in planned):
                good += g
                scrap += s
        made = good + scrap
        return OeeReport(
            station=self.station,
            shift=window.name,
            planned_s=planned_s,
            run_s=run_s,
            good=good,
            scrap=scrap,
            availability=run_s / planned_s if planned_s else 0.0,
            performance=(
                None
                if self.ideal_cycle_s is None
                else self.ideal_cycle_s * made / run_s
                if run_s
                else 0.0
            ),
            quality=good / made if made else 0.0,
        )
