"""OEE of every station of a line over the current shift, from the line's own samples.

Each station's ideal cycle time comes from the factory file (`FactoryConfig.station_ideal_cycle_s`:
the station's own, else its machine type's). `LineOee.on_sample` takes the OPC-UA samples
(PackML state, good and scrap counters); `readings(now)` gives, per station, the signals
`availability`, `performance`, `quality` and `oee` for the shift running now, which the agent
adds to its one-second aggregates so the centre (and the HMI) receive them as telemetry.
"""

from __future__ import annotations

import logging
from datetime import datetime

from core.config.models import FactoryConfig
from edge_agents.telemetry.oee import OeeReport, StationOee, current_shift

log = logging.getLogger(__name__)

COUNTERS = ("good_count", "scrap_count")


class LineOee:
    """One `StationOee` per station of the line, fed from samples, reported per shift."""

    def __init__(self, factory: FactoryConfig, line_id: str) -> None:
        self.factory = factory
        self.line_id = line_id
        self.stations = {
            s.id: StationOee(s.id, factory.station_ideal_cycle_s(s.id))
            for s in factory.line(line_id).stations
        }
        self._shift_start: datetime | None = None

    def on_sample(self, sample) -> None:  # noqa: ANN001 - an OPC-UA Sample
        oee = self.stations.get(sample.station)
        if oee is None:
            return
        if sample.signal == "state":
            oee.on_state(sample.source_time, int(sample.value))
        elif sample.signal in COUNTERS:
            oee.on_counter(sample.source_time, sample.signal, int(sample.value))

    def reports(self, now: datetime) -> list[OeeReport]:
        """Each station's OEE over the shift running at `now` (none between shifts)."""
        window = current_shift(self.factory.shifts, now, self.factory.timezone)
        if window is None:
            return []
        if window.start != self._shift_start:
            # A new shift: history before it no longer counts (memory stays bounded).
            self._shift_start = window.start
            for oee in self.stations.values():
                oee.forget_before(window.start)
        return [oee.report(window, now) for oee in self.stations.values()]

    def readings(self, now: datetime) -> list[tuple[str, str, float]]:
        """(station, signal, value) for availability, performance, quality and OEE; a station
        without an ideal cycle time has no performance and no OEE reading."""
        out: list[tuple[str, str, float]] = []
        for r in self.reports(now):
            if r.planned_s <= 0:
                continue
            out += [(r.station, "availability", r.availability), (r.station, "quality", r.quality)]
            if r.performance is not None and r.oee is not None:
                out += [(r.station, "performance", r.performance), (r.station, "oee", r.oee)]
        return out
