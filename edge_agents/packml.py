"""PackML (ISA-TR88.00.02) machine states by their standard numbers, as machines publish them."""

from __future__ import annotations

from enum import IntEnum


class PackMLState(IntEnum):
    UNDEFINED = 0
    CLEARING = 1
    STOPPED = 2
    STARTING = 3
    IDLE = 4
    SUSPENDED = 5
    EXECUTE = 6
    STOPPING = 7
    ABORTING = 8
    ABORTED = 9
    HOLDING = 10
    HELD = 11
    UNHOLDING = 12
    SUSPENDING = 13
    UNSUSPENDING = 14
    RESETTING = 15
    COMPLETING = 16
    COMPLETE = 17


def state_name(number: int) -> str:
    """Name of a PackML state number; unknown numbers read as 'UNDEFINED(<n>)'."""
    try:
        return PackMLState(number).name
    except ValueError:
        return f"UNDEFINED({number})"
