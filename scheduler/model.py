"""The scheduler's input and output data: plain dataclasses, no solver objects.

Lengths are millimetres, times are whole minutes from the plan's origin (`ShiftCalendar.origin`).
A pattern piece's polygon is its cut line, drawn with the grain line along +x (the fabric's warp,
which runs along the marker's length).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from core.errors import InputError

# Weighted tardiness weight per order priority (core.orders.Priority values).
PRIORITY_WEIGHT: dict[str, int] = {"low": 1, "normal": 2, "high": 4, "rush": 8}


@dataclass(frozen=True)
class MarkerPiece:
    """A pattern piece to nest: cut-line polygon (mm), how many to cut, allowed rotations."""

    piece_id: str
    order_id: str
    polygon: tuple[tuple[float, float], ...]
    quantity: int = 1
    # Degrees; None means free rotation (non-directional fabric, piece without grain limit).
    rotations: tuple[float, ...] | None = (0.0, 180.0)
    grain_line: tuple[tuple[float, float], tuple[float, float]] | None = None
    label: str = ""

    def __post_init__(self) -> None:
        if len(self.polygon) < 3:
            raise InputError(f"piece {self.piece_id} of order {self.order_id}: fewer than 3 points")
        if self.quantity < 1:
            raise InputError(f"piece {self.piece_id} of order {self.order_id}: quantity < 1")


@dataclass(frozen=True)
class Garment:
    """One garment type to cut: MTM orders have one per garment, sized orders a demand > 1."""

    garment_id: str
    order_id: str
    fabric: str
    pieces: tuple[MarkerPiece, ...]
    demand: int = 1

    @property
    def area_mm2(self) -> float:
        from shapely.geometry import Polygon

        return sum(Polygon(p.polygon).area * p.quantity for p in self.pieces)


@dataclass(frozen=True)
class Fabric:
    """A fabric and colour: its usable width and whether its nap limits rotation."""

    code: str
    width_mm: float
    directional: bool = False  # one-way nap or print: 0 degrees only
    free_rotation: bool = False  # e.g. felt: any angle


@dataclass(frozen=True)
class CuttingRules:
    """Limits and costs of the cutting room for cut order planning."""

    max_garments_per_marker: int = 6
    table_length_mm: float = 8000.0
    max_plies: int = 60
    gap_mm: float = 2.0
    # Costs in millimetres of fabric, so one objective adds them up.
    lay_cost_mm: float = 400.0  # setting up a lay: unrolling, marker on the table
    ply_cost_mm: float = 30.0  # spreading one more ply
    # Marker efficiency expected before nesting, by garments in the marker (last value repeats).
    expected_efficiency: tuple[float, ...] = (0.72, 0.78, 0.81, 0.83, 0.84, 0.85)


@dataclass(frozen=True)
class Placement:
    """A placed piece in a marker: its polygon after rotation and translation (mm)."""

    piece_id: str
    order_id: str
    rotation: float
    polygon: tuple[tuple[float, float], ...]
    grain_line: tuple[tuple[float, float], ...] | None = None  # its two ends
    label: str = ""


@dataclass(frozen=True)
class Marker:
    """A nested marker: placements on the fabric width, its length and efficiency."""

    marker_id: str
    fabric: str
    width_mm: float
    length_mm: float
    efficiency: float
    placements: tuple[Placement, ...]


@dataclass(frozen=True)
class Lay:
    """One lay: a marker's garments, spread `plies` high."""

    marker_id: str
    fabric: str
    garments: tuple[tuple[str, int], ...]  # (garment_id, copies in the marker)
    plies: int
    expected_length_mm: float


@dataclass(frozen=True)
class CutPlan:
    lays: tuple[Lay, ...]
    fabric_mm: float  # expected fabric length (before nesting)
    cost_mm: float
    optimal: bool


@dataclass(frozen=True)
class BundleOperation:
    """One sewing operation on one bundle; precedence within the bundle's routing."""

    op_id: str
    bundle_id: str
    order_id: str
    operation: str
    machine_type: str
    smv: float  # standard minutes per garment
    garments: int = 1
    predecessors: tuple[str, ...] = ()
    thread_colour: str = ""

    @property
    def standard_minutes(self) -> float:
        return self.smv * self.garments


@dataclass(frozen=True)
class Shift:
    """Working time [start, end) in minutes from the origin, with breaks inside it."""

    start: int
    end: int
    breaks: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class ShiftCalendar:
    """The plant's shifts; `origin` is minute 0 of the plan."""

    origin: datetime
    shifts: tuple[Shift, ...]

    def working_windows(self) -> list[tuple[int, int]]:
        """Maximal stretches of working time, breaks cut out, sorted."""
        windows = []
        for shift in sorted(self.shifts, key=lambda s: s.start):
            cursor = shift.start
            for b_start, b_end in sorted(shift.breaks):
                if b_start > cursor:
                    windows.append((cursor, min(b_start, shift.end)))
                cursor = max(cursor, b_end)
            if cursor < shift.end:
                windows.append((cursor, shift.end))
        return windows


@dataclass(frozen=True)
class Station:
    """A sewing station: its machine types and its operator's efficiency per machine type."""

    station_id: str
    machine_types: frozenset[str]
    # 1.0 = standard; 1.25 = 25 % faster than SMV. Missing machine types count as 1.0.
    skill: dict[str, float] = field(default_factory=dict)
    calendar: ShiftCalendar | None = None  # None: the plant calendar

    def duration(self, op: BundleOperation) -> int:
        factor = self.skill.get(op.machine_type, 1.0)
        return max(1, round(op.standard_minutes / factor))


@dataclass(frozen=True)
class SewingOrder:
    order_id: str
    due: int  # minute from origin
    priority: str = "normal"


@dataclass(frozen=True)
class Pin:
    """An operation that may not move: started (in progress) or fixed by the planner."""

    op_id: str
    station_id: str
    start: int


@dataclass(frozen=True)
class SewingProblem:
    operations: tuple[BundleOperation, ...]
    stations: tuple[Station, ...]
    calendar: ShiftCalendar
    orders: tuple[SewingOrder, ...]
    pins: tuple[Pin, ...] = ()
    setup_minutes: int = 0  # on a thread-colour change at a station
    now: int = 0  # nothing unpinned starts earlier
    hard_due_dates: bool = False


@dataclass(frozen=True)
class ScheduledOperation:
    op_id: str
    order_id: str
    station_id: str
    start: int
    end: int


@dataclass(frozen=True)
class Schedule:
    operations: tuple[ScheduledOperation, ...]
    makespan: int
    weighted_tardiness: int
    tardiness: dict[str, int]  # minutes late per order (0 when on time)
    optimal: bool
    objective: int
    lower_bound: int
    # Why the schedule is not CP-SAT's own (e.g. the dispatching rule's, when CP-SAT found
    # none in its time limit); empty when it is.
    note: str = ""

    def by_op(self) -> dict[str, ScheduledOperation]:
        return {s.op_id: s for s in self.operations}
