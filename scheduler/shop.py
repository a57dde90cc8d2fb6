"""Job-shop and flexible job-shop instances: the two standard text formats and a parser for each."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from core.errors import InputError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ShopOperation:
    """One operation of a job; it runs on exactly one of its (machine, duration) alternatives."""

    alternatives: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class ShopInstance:
    """A (flexible) job shop: jobs are chains of operations, machines numbered from 0."""

    name: str
    n_machines: int
    jobs: tuple[tuple[ShopOperation, ...], ...]

    @property
    def flexible(self) -> bool:
        return any(len(op.alternatives) > 1 for job in self.jobs for op in job)


@dataclass(frozen=True)
class ShopSolution:
    """A solved instance: per job, per operation the chosen (machine, start, duration)."""

    makespan: int
    lower_bound: int
    optimal: bool
    seconds: float
    assignment: tuple[tuple[tuple[int, int, int], ...], ...]


def _ints(text: str, where: str) -> list[list[int]]:
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            rows.append([int(float(tok)) for tok in line.split()])
        except ValueError as exc:
            raise InputError(
                f"{where} line {number}: expected whole numbers, got {line!r}"
            ) from exc
    if not rows:
        raise InputError(f"{where}: the file is empty")
    return rows


def parse_jssp(text: str, name: str = "instance") -> ShopInstance:
    """Standard job-shop format: "n m", then per job "machine duration" pairs, machines from 0."""
    rows = _ints(text, name)
    if len(rows[0]) < 2:
        raise InputError(f"{name} line 1: expected 'jobs machines'")
    n_jobs, n_machines = rows[0][0], rows[0][1]
    if len(rows) - 1 < n_jobs:
        raise InputError(f"{name}: header says {n_jobs} jobs but {len(rows) - 1} job lines follow")
    jobs = []
    for j, row in enumerate(rows[1 : 1 + n_jobs]):
        if len(row) % 2:
            raise InputError(
                f"{name} job {j + 1}: odd number of values in 'machine duration' pairs"
            )
        ops = []
        for k in range(0, len(row), 2):
            machine, duration = row[k], row[k + 1]
            if not 0 <= machine < n_machines or duration < 0:
                raise InputError(
                    f"{name} job {j + 1} operation {k // 2 + 1}: machine {machine} must be in "
                    f"0..{n_machines - 1} and duration {duration} must not be negative"
                )
            ops.append(ShopOperation(((machine, duration),)))
        jobs.append(tuple(ops))
    return ShopInstance(name, n_machines, tuple(jobs))


def parse_fjsp(text: str, name: str = "instance") -> ShopInstance:
    """Brandimarte format: "n m [avg]", then per job: n_ops, per op: k, k x (machine duration)."""
    rows = _ints(text, name)
    n_jobs, n_machines = rows[0][0], rows[0][1]
    if len(rows) - 1 < n_jobs:
        raise InputError(f"{name}: header says {n_jobs} jobs but {len(rows) - 1} job lines follow")
    jobs = []
    for j, row in enumerate(rows[1 : 1 + n_jobs]):
        where = f"{name} job {j + 1}"
        try:
            pos, ops = 1, []
            for o in range(row[0]):
                k = row[pos]
                pairs = row[pos + 1 : pos + 1 + 2 * k]
                if k < 1 or len(pairs) != 2 * k:
                    raise InputError(f"{where} operation {o + 1}: truncated alternatives")
                alts = tuple((pairs[i] - 1, pairs[i + 1]) for i in range(0, 2 * k, 2))
                for machine, duration in alts:
                    if not 0 <= machine < n_machines or duration < 0:
                        raise InputError(
                            f"{where} operation {o + 1}: machine {machine + 1} not in "
                            f"1..{n_machines} or negative duration"
                        )
                ops.append(ShopOperation(alts))
                pos += 1 + 2 * k
        except IndexError as exc:
            raise InputError(f"{where}: line ends before all operations are listed") from exc
        jobs.append(tuple(ops))
    return ShopInstance(name, n_machines, tuple(jobs))


def detect_format(text: str) -> str:
    """'fjsp' when the first job line reads as Brandimarte (op count, then alternatives)."""
    rows = [line.split() for line in text.splitlines() if line.strip()]
    if len(rows[0]) >= 3:
        return "fjsp"
    if len(rows) > 1 and len(rows[0]) == 2 and len(rows[1]) == 2 * int(rows[0][1]):
        return "jssp"
    return "fjsp"


def load_instance(path: Path, fmt: str | None = None) -> ShopInstance:
    """Read an instance file; `fmt` is 'jssp' or 'fjsp', detected from the header when None."""
    if not path.is_file():
        raise InputError(f"instance file {path} does not exist")
    text = path.read_text()
    if not text.strip():
        raise InputError(f"instance file {path} is empty")
    fmt = fmt or detect_format(text)
    if fmt == "jssp":
        return parse_jssp(text, path.stem)
    if fmt == "fjsp":
        return parse_fjsp(text, path.stem)
    raise InputError(f"unknown instance format {fmt!r}; expected 'jssp' or 'fjsp'")


def check_solution(instance: ShopInstance, solution: ShopSolution) -> list[str]:
    """Independent check: alternatives respected, job order kept, machines never double-booked."""
    problems = []
    by_machine: dict[int, list[tuple[int, int, str]]] = {}
    end_max = 0
    for j, job in enumerate(instance.jobs):
        previous_end = 0
        for o, (op, (machine, start, duration)) in enumerate(
            zip(job, solution.assignment[j], strict=True)
        ):
            if (machine, duration) not in op.alternatives:
                problems.append(f"job {j} op {o}: machine {machine} / {duration} not allowed")
            if start < previous_end:
                problems.append(f"job {j} op {o}: starts at {start} before predecessor ends")
            previous_end = start + duration
            end_max = max(end_max, previous_end)
            by_machine.setdefault(machine, []).append((start, start + duration, f"{j}/{o}"))
    for machine, spans in by_machine.items():
        spans.sort()
        for (_s1, e1, a), (s2, _e2, b) in zip(spans, spans[1:], strict=False):
            if s2 < e1:
                problems.append(f"machine {machine}: {a} and {b} overlap")
    if end_max != solution.makespan:
        problems.append(f"makespan {solution.makespan} but last operation ends at {end_max}")
    return problems
