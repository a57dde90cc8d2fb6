"""Alarm conditions from values: limits with deadband, rate of change, Western Electric rules."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass


@dataclass
class Limit:
    """Active beyond `threshold`; clears only back past the deadband, so it does not chatter."""

    threshold: float
    above: bool
    deadband: float = 0.0
    active: bool = False

    def update(self, value: float) -> bool:
        if self.above:
            self.active = value > self.threshold or (
                self.active and value > self.threshold - self.deadband
            )
        else:
            self.active = value < self.threshold or (
                self.active and value < self.threshold + self.deadband
            )
        return self.active


@dataclass
class RateOfChange:
    """Active while the value moves faster than `max_per_s` between consecutive samples."""

    max_per_s: float
    _last: tuple[float, float] | None = None  # (time s, value)
    active: bool = False

    def update(self, value: float, at_s: float) -> bool:
        last, self._last = self._last, (at_s, value)
        if last is None or at_s <= last[0]:
            return self.active
        self.active = abs(value - last[1]) / (at_s - last[0]) > self.max_per_s
        return self.active


class WesternElectric:
    """Western Electric rules on a process value with known centre line and sigma.

    1: one point beyond 3 sigma; 2: two of three beyond 2 sigma on one side; 3: four of five
    beyond 1 sigma on one side; 4: eight in a row on one side of the centre line.
    """

    def __init__(self, center: float, sigma: float, rules: tuple[int, ...] = (1, 2, 3, 4)) -> None:
        if sigma <= 0:
            raise ValueError(f"sigma must be positive, not {sigma}")
        self.center = center
        self.sigma = sigma
        self.rules = rules
        self._z: deque[float] = deque(maxlen=8)

    def update(self, value: float) -> list[int]:
        """Add a point; returns the rules the latest points break (empty when in control)."""
        self._z.append((value - self.center) / self.sigma)
        z = list(self._z)
        broken = []
        if 1 in self.rules and abs(z[-1]) > 3:
            broken.append(1)
        if 2 in self.rules and self._k_of_n(z, 2, 3, 2):
            broken.append(2)
        if 3 in self.rules and self._k_of_n(z, 4, 5, 1):
            broken.append(3)
        if 4 in self.rules and len(z) == 8 and (all(v > 0 for v in z) or all(v < 0 for v in z)):
            broken.append(4)
        return broken

    @staticmethod
    def _k_of_n(z: list[float], k: int, n: int, limit: float) -> bool:
        if len(z) < n:
            return False
        window = z[-n:]
        # The rule must involve the newest point, else it was already reported.
        if abs(window[-1]) <= limit:
            return False
        side = 1 if window[-1] > 0 else -1
        return sum(1 for v in window if v * side > limit) >= k
