"""What a machine may send for each signal: a value that does not fit is refused, not ingested."""

from __future__ import annotations

import math
from typing import Any

from edge_agents.packml import state_name

COUNTERS = ("cycle_count", "good_count", "scrap_count")
FLAGS = ("thread_break",)


def value_problem(signal: str, value: Any) -> str | None:
    """Why `value` cannot be the machine's `signal`, or None when it can."""
    if signal in FLAGS:
        return None if isinstance(value, bool | int) else f"expected a flag, got {value!r}"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"expected a number, got {type(value).__name__} {value!r:.40}"
    if not math.isfinite(value):
        return f"expected a finite number, got {value!r}"
    if signal == "state":
        if value != int(value) or state_name(int(value)).startswith("UNDEFINED"):
            return f"{value!r} is not a PackML state number"
    if signal in COUNTERS and (value < 0 or value != int(value)):
        return f"a counter must be a whole number >= 0, got {value!r}"
    return None
