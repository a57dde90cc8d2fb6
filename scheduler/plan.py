"""`plan_production`: cut order plan, nested markers and the sewing schedule, with KPIs.

This is the one entry point the rest of Atelier calls; `write_plan_files` writes what the floor
needs (marker SVG/DXF/HPGL, the Gantt image).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from scheduler.cut_planning import marker_pieces, plan_cuts
from scheduler.feasibility import late_warnings, station_windows
from scheduler.model import CutPlan, CuttingRules, Fabric, Garment, Marker, Schedule, SewingProblem
from scheduler.nesting import make_marker
from scheduler.sewing import solve_sewing

log = logging.getLogger(__name__)

# on_progress(stage, message): stage is "cut", "nest" or "sew".
PlanProgress = Callable[[str, str], None]


@dataclass(frozen=True)
class PlanKPIs:
    fabric_used_mm: float  # nested marker length x plies, all lays
    marker_efficiency: float  # pieces' area / fabric area, all lays together
    marker_efficiencies: dict[str, float]
    makespan_min: int
    orders_late: dict[str, int]  # minutes late, late orders only
    station_utilisation: dict[str, float]  # busy / working minutes up to the makespan


@dataclass(frozen=True)
class Plan:
    cut_plan: CutPlan
    markers: tuple[Marker, ...]
    schedule: Schedule
    kpis: PlanKPIs
    warnings: tuple[str, ...]


def _utilisation(problem: SewingProblem, schedule: Schedule) -> dict[str, float]:
    busy: dict[str, int] = {}
    for s in schedule.operations:
        busy[s.station_id] = busy.get(s.station_id, 0) + s.end - s.start
    out = {}
    for station in problem.stations:
        available = sum(
            max(0, min(e, schedule.makespan) - b) for b, e in station_windows(station, problem)
        )
        out[station.station_id] = (
            round(busy.get(station.station_id, 0) / available, 4) if (available) else 0.0
        )
    return out


def plan_production(
    garments: Sequence[Garment],
    fabrics: dict[str, Fabric],
    sewing: SewingProblem,
    rules: CuttingRules = CuttingRules(),
    *,
    cut_time_limit: float = 10.0,
    nest_time_limit: float = 10.0,
    sew_time_limit: float = 20.0,
    workers: int = 2,
    previous: Schedule | None = None,
    on_progress: PlanProgress | None = None,
) -> Plan:
    """Plan cutting and sewing; raises InputError or PlanInfeasible with reasons when it cannot."""

    def report(stage: str, message: str) -> None:
        log.info("%s: %s", stage, message)
        if on_progress is not None:
            on_progress(stage, message)

    cut = plan_cuts(
        garments,
        fabrics,
        rules,
        cut_time_limit,
        workers,
        lambda obj, _b, t: report("cut", f"cost {obj} mm at {t:.1f}s"),
    )
    by_id = {g.garment_id: g for g in garments}
    markers, fabric_mm, fabric_area, cut_area = [], 0.0, 0.0, 0.0
    for index, lay in enumerate(cut.lays, start=1):
        report("nest", f"marker {lay.marker_id} ({index}/{len(cut.lays)})")

        def nest_progress(phase: str, length: float, density: float, _s: float, m=lay.marker_id):
            report("nest", f"{m} {phase}: {length:.0f} mm, {density:.1%}")

        marker = make_marker(
            lay.marker_id,
            marker_pieces(lay, by_id),
            fabrics[lay.fabric],
            gap=rules.gap_mm,
            time_limit=nest_time_limit,
            workers=workers,
            on_progress=nest_progress,
        )
        markers.append(marker)
        fabric_mm += marker.length_mm * lay.plies
        fabric_area += marker.width_mm * marker.length_mm * lay.plies
        cut_area += marker.efficiency * marker.width_mm * marker.length_mm * lay.plies
    schedule = solve_sewing(
        sewing,
        sew_time_limit,
        workers,
        lambda obj, bound, t: report("sew", f"objective {obj} (bound {bound}) at {t:.1f}s"),
        warm_start=previous,
    )
    kpis = PlanKPIs(
        fabric_used_mm=round(fabric_mm, 1),
        marker_efficiency=round(cut_area / fabric_area, 4) if fabric_area else 0.0,
        marker_efficiencies={m.marker_id: round(m.efficiency, 4) for m in markers},
        makespan_min=schedule.makespan,
        orders_late={o: t for o, t in schedule.tardiness.items() if t > 0},
        station_utilisation=_utilisation(sewing, schedule),
    )
    warnings = tuple(late_warnings(sewing))
    if schedule.note:
        warnings += (f"sewing schedule: {schedule.note}",)
    for marker in markers:
        if marker.length_mm > rules.table_length_mm:
            warnings += (
                f"marker {marker.marker_id} nests to {marker.length_mm:.0f} mm, longer "
                f"than the {rules.table_length_mm:.0f} mm table",
            )
    return Plan(cut, tuple(markers), schedule, kpis, warnings)


def write_plan_files(plan: Plan, sewing: SewingProblem, folder: Path) -> list[Path]:
    """Every marker as SVG, DXF and HPGL, and gantt.png, in `folder`."""
    from scheduler.gantt import write_gantt
    from scheduler.marker_export import write_marker_files

    written = []
    for marker in plan.markers:
        written += write_marker_files(marker, folder / "markers")
    written.append(write_gantt(sewing, plan.schedule, folder / "gantt.png"))
    return written
