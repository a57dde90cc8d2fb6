"""An independent checker for sewing schedules: it re-reads the problem and recomputes everything.

It shares no code with the model, so a modelling mistake cannot hide itself.
"""

from __future__ import annotations

from scheduler.model import Schedule, SewingProblem


def check_schedule(problem: SewingProblem, schedule: Schedule) -> list[str]:
    """Every broken rule: machine type, skill duration, precedence, shifts, overlap, setup, pins."""
    problems: list[str] = []
    placed = {s.op_id: s for s in schedule.operations}
    stations = {s.station_id: s for s in problem.stations}
    for op in problem.operations:
        s = placed.get(op.op_id)
        if s is None:
            problems.append(f"{op.op_id}: not scheduled")
            continue
        station = stations.get(s.station_id)
        if station is None or op.machine_type not in station.machine_types:
            problems.append(f"{op.op_id}: on {s.station_id} without a {op.machine_type} machine")
            continue
        factor = station.skill.get(op.machine_type, 1.0)
        expected = max(1, round(op.smv * op.garments / factor))
        if s.end - s.start != expected:
            problems.append(f"{op.op_id}: takes {s.end - s.start} min, skill says {expected}")
        for p in op.predecessors:
            if p in placed and placed[p].end > s.start:
                problems.append(f"{op.op_id}: starts at {s.start} before {p} ends {placed[p].end}")
        windows = (station.calendar or problem.calendar).working_windows()
        if not any(b <= s.start and s.end <= e for b, e in windows):
            problems.append(f"{op.op_id}: {s.start}-{s.end} is not inside one working stretch")
    pins = {p.op_id: p for p in problem.pins}
    for op_id, pin in pins.items():
        s = placed.get(op_id)
        if s is not None and (s.station_id != pin.station_id or s.start != pin.start):
            problems.append(f"{op_id}: pinned to {pin.station_id}@{pin.start}, moved")
    for op in problem.operations:
        s = placed.get(op.op_id)
        if s is not None and op.op_id not in pins and s.start < problem.now:
            problems.append(f"{op.op_id}: starts at {s.start}, before now ({problem.now})")
    colour = {op.op_id: op.thread_colour for op in problem.operations}
    by_station: dict[str, list] = {}
    for s in schedule.operations:
        by_station.setdefault(s.station_id, []).append(s)
    for station_id, items in by_station.items():
        items.sort(key=lambda s: s.start)
        for a, b in zip(items, items[1:], strict=False):
            gap = problem.setup_minutes if colour.get(a.op_id) != colour.get(b.op_id) else 0
            if b.start < a.end + gap:
                problems.append(
                    f"{station_id}: {b.op_id} starts {b.start}, {a.op_id} ends {a.end}"
                    f" (+{gap} setup)"
                )
    ends: dict[str, int] = {}
    for s in schedule.operations:
        ends[s.order_id] = max(ends.get(s.order_id, 0), s.end)
    for order in problem.orders:
        late = max(0, ends.get(order.order_id, 0) - order.due)
        if schedule.tardiness.get(order.order_id, 0) != late:
            problems.append(
                f"order {order.order_id}: reported {schedule.tardiness.get(order.order_id)}"
                f" min late, is {late}"
            )
    if schedule.operations and schedule.makespan != max(s.end for s in schedule.operations):
        problems.append(f"makespan {schedule.makespan} is not the last end")
    return problems
