"""A sewing or cutting machine as the simulator runs it: PackML states, counts, speed, heat, faults.

Pure and deterministic given its seed: `step(dt)` advances the machine by `dt` seconds and says
which of its values changed, with the time each changed (the OPC-UA source timestamp).
"""

from __future__ import annotations

import logging
import math
import random
from dataclasses import dataclass, field
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from core.events import utcnow
from edge_agents.packml import PackMLState as S

log = logging.getLogger(__name__)

# Typical running speeds (stitches or cycles per minute) and stitches per piece of the
# operation each machine type runs in the demo line.
TYPE_SPEED = {
    "lockstitch": 3500.0,
    "overlock": 5500.0,
    "coverstitch": 4000.0,
    "buttonhole": 2500.0,
    "button_sew": 1800.0,
    "bartack": 2200.0,
    "pressing": 6.0,
    "inspection": 4.0,
    "spreader": 30.0,
    "cutter": 60.0,
}
TYPE_CYCLES_PER_PIECE = {
    "lockstitch": 420,
    "overlock": 600,
    "coverstitch": 380,
    "buttonhole": 160,
    "button_sew": 120,
    "bartack": 90,
    "pressing": 2,
    "inspection": 1,
    "spreader": 20,
    "cutter": 40,
}
TRANSIENT_S = {
    S.STARTING: 0.5,
    S.UNHOLDING: 0.3,
    S.ABORTING: 0.3,
    S.CLEARING: 1.0,
    S.RESETTING: 0.5,
}


class MachineBehaviour(BaseModel):
    """How often things go wrong on a simulated machine, and how it recovers."""

    model_config = ConfigDict(extra="forbid")

    thread_breaks_per_hour: float = Field(
        6.0, ge=0, description="Mean thread breaks per running hour"
    )
    faults_per_hour: float = Field(
        1.0, ge=0, description="Mean machine faults (Aborted) per running hour"
    )
    scrap_rate: float = Field(
        0.02, ge=0, le=1, description="Share of pieces that come out as scrap"
    )
    rethread_s: float = Field(20.0, gt=0, description="Time an operator takes to rethread (Held)")
    repair_s: float = Field(
        120.0, gt=0, description="Time maintenance takes to clear a fault (Aborted)"
    )
    speed_noise: float = Field(0.03, ge=0, description="Relative speed jitter while running")
    temperature_drift: float = Field(
        0.05, ge=0, description="Random walk of needle temperature, deg C per s"
    )


@dataclass
class Value:
    """One published value and when it last changed (the OPC-UA source timestamp)."""

    value: float | int | bool
    changed_at: datetime = field(default_factory=utcnow)


SIGNALS = (
    "state",
    "speed",
    "cycle_count",
    "good_count",
    "scrap_count",
    "motor_current",
    "thread_break",
    "needle_temperature",
)


class MachineModel:
    """One simulated machine; `step` moves it on and returns the names of changed signals."""

    def __init__(
        self,
        machine: str,
        machine_type: str,
        behaviour: MachineBehaviour | None = None,
        seed: int = 0,
    ) -> None:
        self.machine = machine
        self.machine_type = machine_type
        self.behaviour = behaviour or MachineBehaviour()
        self._rng = random.Random(f"{machine}:{seed}")
        self._nominal_speed = TYPE_SPEED.get(machine_type, 1000.0)
        self.cycles_per_piece = TYPE_CYCLES_PER_PIECE.get(machine_type, 100)
        self._cycles = 0.0
        self._piece_progress = 0.0
        self._state_time = 0.0
        self._pending_fault: str | None = None
        self.values: dict[str, Value] = {
            "state": Value(int(S.IDLE)),
            "speed": Value(0.0),
            "cycle_count": Value(0),
            "good_count": Value(0),
            "scrap_count": Value(0),
            "motor_current": Value(0.2),
            "thread_break": Value(False),
            "needle_temperature": Value(24.0),
        }

    @property
    def state(self) -> S:
        return S(int(self.values["state"].value))

    def inject(self, kind: str) -> None:
        """Make a fault happen on the next step: 'thread_break' or 'fault'."""
        if kind not in ("thread_break", "fault"):
            raise ValueError(f"unknown fault kind {kind!r}; use 'thread_break' or 'fault'")
        self._pending_fault = kind

    def _set(self, name: str, value: float | int | bool, now: datetime, changed: list[str]) -> None:
        current = self.values[name]
        if current.value != value:
            self.values[name] = Value(value, now)
            changed.append(name)

    def _enter(self, state: S, now: datetime, changed: list[str]) -> None:
        self._state_time = 0.0
        self._set("state", int(state), now, changed)

    def _happens(self, per_hour: float, dt: float) -> bool:
        return per_hour > 0 and self._rng.random() < 1.0 - math.exp(-per_hour * dt / 3600.0)

    def step(self, dt: float, now: datetime | None = None) -> list[str]:
        now = now or utcnow()
        changed: list[str] = []
        self._state_time += dt
        state = self.state
        b = self.behaviour
        if state in TRANSIENT_S and self._state_time >= TRANSIENT_S[state]:
            following = {
                S.STARTING: S.EXECUTE,
                S.UNHOLDING: S.EXECUTE,
                S.ABORTING: S.ABORTED,
                S.CLEARING: S.STOPPED,
                S.RESETTING: S.IDLE,
            }[state]
            self._enter(following, now, changed)
        elif state == S.IDLE:
            self._enter(S.STARTING, now, changed)
        elif state == S.STOPPED:
            self._enter(S.RESETTING, now, changed)
        elif state == S.HELD and self._state_time >= b.rethread_s:
            self._set("thread_break", False, now, changed)
            self._enter(S.UNHOLDING, now, changed)
        elif state == S.ABORTED and self._state_time >= b.repair_s:
            self._enter(S.CLEARING, now, changed)
        elif state == S.EXECUTE:
            self._run(dt, now, changed)
        if self.state != S.EXECUTE:
            self._set("speed", 0.0, now, changed)
        self._heat(dt, now, changed)
        return changed

    def _run(self, dt: float, now: datetime, changed: list[str]) -> None:
        b = self.behaviour
        fault = self._pending_fault
        self._pending_fault = None
        if fault == "fault" or (fault is None and self._happens(b.faults_per_hour, dt)):
            self._enter(S.ABORTING, now, changed)
            return
        if fault == "thread_break" or self._happens(b.thread_breaks_per_hour, dt):
            self._set("thread_break", True, now, changed)
            self._enter(S.HELD, now, changed)
            return
        speed = self._nominal_speed * (1.0 + self._rng.gauss(0.0, b.speed_noise))
        self._set("speed", round(max(speed, 0.0), 1), now, changed)
        cycles = speed * dt / 60.0
        self._cycles += cycles
        self._set("cycle_count", int(self._cycles), now, changed)
        self._piece_progress += cycles
        while self._piece_progress >= self.cycles_per_piece:
            self._piece_progress -= self.cycles_per_piece
            counter = "scrap_count" if self._rng.random() < b.scrap_rate else "good_count"
            self._set(counter, int(self.values[counter].value) + 1, now, changed)

    def _heat(self, dt: float, now: datetime, changed: list[str]) -> None:
        speed = float(self.values["speed"].value)
        load = speed / self._nominal_speed if self._nominal_speed else 0.0
        temp = float(self.values["needle_temperature"].value)
        target = 24.0 + 60.0 * load
        # First-order approach to the running temperature plus a slow random walk.
        temp += (target - temp) * min(dt / 90.0, 1.0)
        temp += self._rng.gauss(0.0, self.behaviour.temperature_drift * math.sqrt(dt))
        self._set("needle_temperature", round(temp, 2), now, changed)
        current = 0.2 + 2.3 * load + self._rng.gauss(0.0, 0.02)
        self._set("motor_current", round(max(current, 0.0), 3), now, changed)


def advance(
    models: list[MachineModel], dt: float, now: datetime | None = None
) -> dict[str, list[str]]:
    """Step every machine by `dt` at one shared time; returns changed signals per machine."""
    now = now or utcnow()
    return {m.machine: m.step(dt, now) for m in models}
