"""Why a sewing request cannot be planned, in words a planner can act on.

`explain` finds what makes a request impossible before any solving: an operation no station can
do, nobody on shift for a machine type, an operation longer than any working stretch, a cyclic
routing, a broken pin. `late_warnings` names orders that will be late whatever the plan does.
"""

from __future__ import annotations

import logging

from core.errors import AtelierError
from scheduler.model import BundleOperation, SewingProblem, Station

log = logging.getLogger(__name__)


class PlanInfeasible(AtelierError):
    """The request cannot be planned; `reasons` lists each cause in a planner's words."""

    def __init__(self, reasons: list[str]) -> None:
        self.reasons = reasons
        super().__init__("the plan is impossible: " + "; ".join(reasons))


def station_windows(station: Station, problem: SewingProblem) -> list[tuple[int, int]]:
    return (station.calendar or problem.calendar).working_windows()


def _windows_after_now(station: Station, problem: SewingProblem) -> list[tuple[int, int]]:
    return [
        (max(b, problem.now), e) for b, e in station_windows(station, problem) if e > problem.now
    ]


def capable(op: BundleOperation, problem: SewingProblem) -> list[Station]:
    return [s for s in problem.stations if op.machine_type in s.machine_types]


def _cycle(problem: SewingProblem) -> list[str] | None:
    preds = {op.op_id: op.predecessors for op in problem.operations}
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for p in preds.get(node, ()):
            if state.get(p) == 1:
                return stack[stack.index(p) :] + [p]
            if p in preds and state.get(p) is None:
                found = visit(p)
                if found:
                    return found
        state[node] = 2
        stack.pop()
        return None

    for node in preds:
        if state.get(node) is None:
            found = visit(node)
            if found:
                return found
    return None


def explain(problem: SewingProblem) -> list[str]:
    """Every reason the request is impossible; empty when none is found before solving."""
    reasons: list[str] = []
    ids = [op.op_id for op in problem.operations]
    known = set(ids)
    if len(known) != len(ids):
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        reasons.append(f"operation ids are not unique: {', '.join(dupes[:5])}")
    orders = {o.order_id for o in problem.orders}
    pinned = {p.op_id for p in problem.pins}
    for op in problem.operations:
        where = f"operation {op.operation} ({op.op_id}) of order {op.order_id}"
        if op.order_id not in orders:
            reasons.append(f"{where}: order {op.order_id} has no due date in the request")
        for p in op.predecessors:
            if p not in known:
                reasons.append(f"{where}: its predecessor {p} is not in the request")
        stations = capable(op, problem)
        if not stations:
            reasons.append(f"{where} needs a {op.machine_type} machine; no station has one")
            continue
        if op.op_id in pinned:
            continue  # its place is fixed; _pin_problems checks it
        on_shift = [s for s in stations if _windows_after_now(s, problem)]
        if not on_shift:
            names = ", ".join(s.station_id for s in stations)
            after = f" after minute {problem.now}" if problem.now else " in the plan"
            reasons.append(
                f"{where} needs a {op.machine_type} machine; stations with one ({names}) "
                f"have no shift{after}"
            )
            continue
        longest = {
            s.station_id: max(e - b for b, e in _windows_after_now(s, problem)) for s in on_shift
        }
        if all(s.duration(op) > longest[s.station_id] for s in on_shift):
            best = min(s.duration(op) for s in on_shift)
            reasons.append(
                f"{where} takes {best} min at best but the longest working stretch without a break "
                f"is {max(longest.values())} min; split the bundle"
            )
    cycle = _cycle(problem)
    if cycle:
        reasons.append("the routing has a cycle: " + " -> ".join(cycle))
    reasons.extend(_pin_problems(problem))
    return reasons


def _pin_problems(problem: SewingProblem) -> list[str]:
    reasons = []
    ops = {op.op_id: op for op in problem.operations}
    stations = {s.station_id: s for s in problem.stations}
    spans: dict[str, list[tuple[int, int, str]]] = {}
    for pin in problem.pins:
        op = ops.get(pin.op_id)
        station = stations.get(pin.station_id)
        if op is None or station is None:
            reasons.append(f"pin of {pin.op_id} on {pin.station_id}: unknown operation or station")
            continue
        if op.machine_type not in station.machine_types:
            reasons.append(
                f"operation {op.op_id} is pinned to {pin.station_id}, which has no "
                f"{op.machine_type} machine"
            )
            continue
        end = pin.start + station.duration(op)
        if not any(b <= pin.start and end <= e for b, e in station_windows(station, problem)):
            reasons.append(
                f"operation {op.op_id} is pinned at minute {pin.start}-{end} on {pin.station_id}, "
                f"outside its working time"
            )
        spans.setdefault(pin.station_id, []).append((pin.start, end, op.op_id))
    for station_id, items in spans.items():
        items.sort()
        for (_s1, e1, a), (s2, _e2, b) in zip(items, items[1:], strict=False):
            if s2 < e1:
                reasons.append(f"pinned operations {a} and {b} overlap on {station_id}")
    return reasons


def critical_path_minutes(problem: SewingProblem) -> dict[str, int]:
    """Per order: the longest chain of operations at the fastest capable station's speed."""
    ops = {op.op_id: op for op in problem.operations}
    memo: dict[str, int] = {}

    def finish(op_id: str) -> int:
        if op_id not in memo:
            op = ops[op_id]
            fastest = min((s.duration(op) for s in capable(op, problem)), default=0)
            memo[op_id] = fastest + max((finish(p) for p in op.predecessors if p in ops), default=0)
        return memo[op_id]

    per_order: dict[str, int] = {}
    for op in problem.operations:
        per_order[op.order_id] = max(per_order.get(op.order_id, 0), finish(op.op_id))
    return per_order


def late_warnings(problem: SewingProblem) -> list[str]:
    """Orders whose due date comes before `now` plus their routing's shortest possible time."""
    due = {o.order_id: o.due for o in problem.orders}
    pinned = {p.op_id for p in problem.pins}
    warnings = []
    for order_id, minutes in sorted(critical_path_minutes(problem).items()):
        has_open = any(
            op.order_id == order_id and op.op_id not in pinned for op in problem.operations
        )
        if order_id in due and has_open and due[order_id] < problem.now:
            warnings.append(
                f"order {order_id} was due at minute {due[order_id]}, "
                f"{problem.now - due[order_id]} min before the plan's start (minute "
                f"{problem.now}): it is already late"
            )
        elif order_id in due and has_open and problem.now + minutes > due[order_id]:
            warnings.append(
                f"order {order_id} is due at minute {due[order_id]} but its routing needs at "
                f"least {minutes} min of sewing from minute {problem.now}: it will be late"
            )
    return warnings
