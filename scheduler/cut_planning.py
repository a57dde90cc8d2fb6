"""Cut order planning (CP-SAT): group garments of one fabric into markers and lays.

Per fabric: marker slots m, copies x[m,g] of garment g in marker m (at most N garments, at most
the table length), plies p[m] (at most the lay height); every garment's demand is covered
exactly: sum_m x[m,g] * p[m] = demand[g]. A marker's expected length is its pieces' area over
(width x expected efficiency for its garment count). Objective: fabric (length x plies) plus
lay and ply costs, all in millimetres of fabric.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Sequence

from core.errors import InputError
from scheduler.model import CutPlan, CuttingRules, Fabric, Garment, Lay
from scheduler.progress import Progress

log = logging.getLogger(__name__)


def _efficiency(rules: CuttingRules, count: int) -> float:
    table = rules.expected_efficiency
    return table[min(count, len(table)) - 1]


def plan_cuts(
    garments: Sequence[Garment],
    fabrics: dict[str, Fabric],
    rules: CuttingRules = CuttingRules(),
    time_limit: float = 10.0,
    workers: int = 2,
    on_progress: Progress | None = None,
) -> CutPlan:
    """Markers and lays for every garment, fabric by fabric; raises InputError on bad requests."""
    groups: dict[str, list[Garment]] = {}
    for g in garments:
        if g.fabric not in fabrics:
            raise InputError(
                f"garment {g.garment_id} of order {g.order_id}: unknown fabric {g.fabric!r}"
            )
        if g.demand < 1:
            raise InputError(f"garment {g.garment_id} of order {g.order_id}: demand < 1")
        groups.setdefault(g.fabric, []).append(g)
    lays, fabric_mm, cost_mm, optimal = [], 0.0, 0.0, True
    share = time_limit / max(1, len(groups))
    for code, group in sorted(groups.items()):
        result = _plan_fabric(group, fabrics[code], rules, share, workers, on_progress)
        lays += result.lays
        fabric_mm += result.fabric_mm
        cost_mm += result.cost_mm
        optimal = optimal and result.optimal
    return CutPlan(tuple(lays), fabric_mm, cost_mm, optimal)


def _plan_fabric(group, fabric: Fabric, rules: CuttingRules, time_limit, workers, on_progress):
    from ortools.sat.python import cp_model

    from scheduler.progress import solution_reporter

    area = [round(g.area_mm2) for g in group]
    width = fabric.width_mm
    for g, a in zip(group, area, strict=True):
        alone = a / (width * _efficiency(rules, 1))
        if alone > rules.table_length_mm:
            raise InputError(
                f"garment {g.garment_id} of order {g.order_id} needs about {alone:.0f} mm of "
                f"{fabric.code}, longer than the {rules.table_length_mm:.0f} mm table"
            )
    n_max = rules.max_garments_per_marker
    total = sum(g.demand for g in group)
    slots = min(total, len(group) + math.ceil(total / rules.max_plies))
    max_len = int(rules.table_length_mm)
    model = cp_model.CpModel()
    x = [
        [model.new_int_var(0, min(n_max, g.demand), f"x{m}_{i}") for i, g in enumerate(group)]
        for m in range(slots)
    ]
    plies = [model.new_int_var(0, rules.max_plies, f"p{m}") for m in range(slots)]
    used = [model.new_bool_var(f"u{m}") for m in range(slots)]
    length = [model.new_int_var(0, max_len, f"len{m}") for m in range(slots)]
    fabric_terms = []
    for m in range(slots):
        count = sum(x[m])
        model.add(count <= n_max)
        model.add(count >= 1).only_enforce_if(used[m])
        model.add(count == 0).only_enforce_if(used[m].Not())
        model.add(plies[m] >= 1).only_enforce_if(used[m])
        model.add(plies[m] == 0).only_enforce_if(used[m].Not())
        marker_area = sum(a * v for a, v in zip(area, x[m], strict=True))
        for k in range(1, n_max + 1):
            is_k = model.new_bool_var("")
            model.add(count == k).only_enforce_if(is_k)
            model.add(count != k).only_enforce_if(is_k.Not())
            scale = round(width * _efficiency(rules, k))
            model.add(length[m] * scale >= marker_area).only_enforce_if(is_k)
        spread = model.new_int_var(0, max_len * rules.max_plies, f"f{m}")
        model.add_multiplication_equality(spread, [length[m], plies[m]])
        fabric_terms.append(spread)
        if m + 1 < slots:
            model.add(used[m] >= used[m + 1])  # fill slots in order: fewer symmetric twins
    for i, g in enumerate(group):
        cut = []
        for m in range(slots):
            if g.demand == 1:  # made-to-measure: one copy on a one-ply lay, no product needed
                cut.append(x[m][i])
                model.add(plies[m] == 1).only_enforce_if(x[m][i])
                continue
            y = model.new_int_var(0, g.demand, "")
            model.add_multiplication_equality(y, [x[m][i], plies[m]])
            cut.append(y)
        model.add(sum(cut) == g.demand)
    lay_cost = round(rules.lay_cost_mm)
    ply_cost = round(rules.ply_cost_mm)
    model.minimize(sum(fabric_terms) + lay_cost * sum(used) + ply_cost * sum(plies))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = workers
    t0 = time.monotonic()
    status = solver.solve(model, solution_reporter(on_progress))
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise InputError(
            f"no cut plan for fabric {fabric.code}: {len(group)} garment types do not fit in "
            f"markers of at most {n_max} garments, {rules.table_length_mm:.0f} mm and "
            f"{rules.max_plies} plies ({solver.status_name(status)})"
        )
    lays: list[Lay] = []
    for m in range(slots):
        if not solver.boolean_value(used[m]):
            continue
        content = tuple(
            (g.garment_id, solver.value(x[m][i]))
            for i, g in enumerate(group)
            if solver.value(x[m][i]) > 0
        )
        lays.append(
            Lay(
                f"{fabric.code}-M{len(lays) + 1}",
                fabric.code,
                content,
                solver.value(plies[m]),
                float(solver.value(length[m])),
            )
        )
    fabric_mm = float(sum(solver.value(t) for t in fabric_terms))
    log.info(
        "cut plan %s: %d lays, %.0f mm fabric in %.1fs",
        fabric.code,
        len(lays),
        fabric_mm,
        time.monotonic() - t0,
    )
    return CutPlan(
        tuple(lays), fabric_mm, float(solver.objective_value), status == cp_model.OPTIMAL
    )


def marker_pieces(lay: Lay, garments: dict[str, Garment]):
    """The pieces to nest for a lay's marker: each garment's pieces times its copies."""
    from dataclasses import replace

    pieces = []
    for garment_id, copies in lay.garments:
        for piece in garments[garment_id].pieces:
            pieces.append(replace(piece, quantity=piece.quantity * copies))
    return pieces
