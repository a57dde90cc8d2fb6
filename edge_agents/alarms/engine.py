"""Alarm rules on a line's machine values: limits, rate of change, SPC, machine faults.

Rules name a signal of the machine profiles (e.g. `needle_temperature`) and apply to every
station that publishes it (or to the stations listed). A machine that is stopped, idle or
being repaired has its process alarms suppressed by design; its fault alarm stays.
"""

from __future__ import annotations

import logging
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from edge_agents.alarms.detectors import Limit, RateOfChange, WesternElectric
from edge_agents.alarms.manager import AlarmManager
from edge_agents.alarms.state import Priority
from edge_agents.packml import PackMLState, state_name

log = logging.getLogger(__name__)

RUNNING = {PackMLState.EXECUTE, PackMLState.STARTING, PackMLState.UNHOLDING, PackMLState.HELD}
FAULTED = {PackMLState.ABORTING, PackMLState.ABORTED}


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    signal: str = Field(description="Profile signal the rule watches, e.g. needle_temperature")
    stations: list[str] | None = Field(None, description="Only these stations (default: all)")
    priority: Priority = Field(Priority.MEDIUM, description="ISA-18.2 priority of the alarm")


class LimitRule(_Rule):
    kind: Literal["HIHI", "HI", "LO", "LOLO"] = Field(description="Which limit")
    value: float = Field(description="The limit, in the signal's unit")
    deadband: float = Field(0.0, ge=0, description="How far back past the limit before it clears")


class RateRule(_Rule):
    max_per_s: float = Field(gt=0, description="Largest allowed change per second")


class SpcRule(_Rule):
    center: float = Field(description="Centre line of the process value")
    sigma: float = Field(gt=0, description="Process standard deviation")
    rules: list[int] = Field([1, 2, 3, 4], description="Western Electric rules to apply (1-4)")


class AlarmRules(BaseModel):
    """The alarm configuration of a line."""

    model_config = ConfigDict(extra="forbid")

    limits: list[LimitRule] = Field(default_factory=list, description="High and low limits")
    rates: list[RateRule] = Field(default_factory=list, description="Rate-of-change limits")
    spc: list[SpcRule] = Field(default_factory=list, description="SPC (Western Electric) rules")
    fault_priority: Priority = Field(Priority.HIGH, description="Priority of machine-fault alarms")
    thread_break_priority: Priority = Field(
        Priority.MEDIUM, description="Priority of thread breaks"
    )


def demo_rules() -> AlarmRules:
    """Rules for the demo sewing line: needle heat, motor current and speed stability."""
    return AlarmRules(
        limits=[
            LimitRule(signal="needle_temperature", kind="HI", value=75, deadband=2),
            LimitRule(
                signal="needle_temperature", kind="HIHI", value=90, deadband=2, priority="high"
            ),
            LimitRule(signal="motor_current", kind="HI", value=3.2, deadband=0.1),
        ],
        rates=[RateRule(signal="needle_temperature", max_per_s=3.0, priority="low")],
    )


class AlarmEngine:
    """Feeds machine samples and states through the rules into the `AlarmManager`."""

    def __init__(self, rules: AlarmRules, manager: AlarmManager) -> None:
        self.rules = rules
        self.manager = manager
        self._limits: dict[tuple[str, str], list[tuple[str, Limit]]] = {}
        self._rates: dict[tuple[str, str], list[tuple[str, RateOfChange]]] = {}
        self._spc: dict[tuple[str, str], list[tuple[str, WesternElectric]]] = {}

    @staticmethod
    def _applies(rule: _Rule, station: str) -> bool:
        return rule.stations is None or station in rule.stations

    def _detectors(self, station: str, signal: str) -> None:
        key = (station, signal)
        if key in self._limits:
            return
        m = self.manager
        self._limits[key], self._rates[key], self._spc[key] = [], [], []
        for r in self.rules.limits:
            if r.signal == signal and self._applies(r, station):
                name = f"{station}.{signal}.{r.kind}"
                m.define(
                    name, station, f"{signal} {r.kind} limit {r.value:g} at {station}", r.priority
                )
                limit = Limit(r.value, above=r.kind.startswith("HI"), deadband=r.deadband)
                self._limits[key].append((name, limit))
        for r in self.rules.rates:
            if r.signal == signal and self._applies(r, station):
                name = f"{station}.{signal}.ROC"
                m.define(
                    name,
                    station,
                    f"{signal} changes faster than {r.max_per_s:g}/s at {station}",
                    r.priority,
                )
                self._rates[key].append((name, RateOfChange(r.max_per_s)))
        for r in self.rules.spc:
            if r.signal == signal and self._applies(r, station):
                name = f"{station}.{signal}.SPC"
                m.define(
                    name, station, f"{signal} out of statistical control at {station}", r.priority
                )
                self._spc[key].append((name, WesternElectric(r.center, r.sigma, tuple(r.rules))))

    def on_value(self, station: str, signal: str, value: Any, at_s: float) -> None:
        """A process value from a machine; `at_s` is its time in seconds (any fixed origin)."""
        if signal == "state":
            self.on_state(station, int(value))
            return
        if signal == "thread_break":
            name = f"{station}.thread_break"
            self.manager.define(
                name, station, f"thread break at {station}", self.rules.thread_break_priority
            )
            self.manager.update(name, bool(value))
            return
        if isinstance(value, bool) or not isinstance(value, int | float):
            return
        self._detectors(station, signal)
        key = (station, signal)
        for name, limit in self._limits[key]:
            self.manager.update(name, limit.update(value), value)
        for name, rate in self._rates[key]:
            self.manager.update(name, rate.update(value, at_s), value)
        for name, spc in self._spc[key]:
            broken = spc.update(value)
            self.manager.update(name, bool(broken), value)
            if broken:
                log.info("SPC %s broke Western Electric rule(s) %s at %g", name, broken, value)

    def on_sample(self, sample: Any) -> None:
        """Adapter for OPC-UA samples (`edge_agents.opcua.client.Sample`)."""
        self.on_value(sample.station, sample.signal, sample.value, sample.source_time.timestamp())

    def on_state(self, station: str, state: int) -> None:
        fault = f"{station}.fault"
        self.manager.define(
            fault, station, f"machine fault at {station}", self.rules.fault_priority
        )
        try:
            packml = PackMLState(state)
        except ValueError:
            packml = PackMLState.UNDEFINED
        self.manager.update(fault, packml in FAULTED, float(state))
        # Process alarms mean nothing while the machine does not run: suppressed by design.
        if packml in RUNNING:
            self.manager.unsuppress_station(station)
        else:
            keep = frozenset({fault, f"{station}.thread_break"})
            self.manager.suppress_station(station, state_name(state), keep)
