"""Execution state of the line's current plan, kept in the outbox file so it survives restarts.

Every change of state is written in the same SQLite transaction as the event that reports it
(`Outbox.append_with`), so after a crash the state and the events shipped to the centre agree.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from core.errors import InputError
from core.events import Event, EventType, utcnow
from edge_agents.execution.queues import planned_operations
from edge_agents.outbox import Outbox, Statement

log = logging.getLogger(__name__)

QUEUED, RUNNING, PAUSED = "queued", "running", "paused"
FINISHED, SCRAPPED = "finished", "scrapped"
OPEN = (QUEUED, RUNNING, PAUSED)

_TABLES = """
CREATE TABLE IF NOT EXISTS exec_plan (
    key INTEGER PRIMARY KEY CHECK (key = 1),
    plan_id TEXT NOT NULL,
    loaded_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS exec_ops (
    bundle TEXT NOT NULL,
    operation TEXT NOT NULL,
    station TEXT NOT NULL,
    order_id TEXT NOT NULL,
    start TEXT NOT NULL,
    end TEXT NOT NULL,
    seq INTEGER NOT NULL,
    status TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT,
    good INTEGER NOT NULL DEFAULT 0,
    scrap INTEGER NOT NULL DEFAULT 0,
    late_reported INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (bundle, operation)
);
CREATE TABLE IF NOT EXISTS exec_stations (
    station TEXT PRIMARY KEY,
    down_since TEXT NOT NULL,
    reason TEXT NOT NULL
);
"""

_COLUMNS = (
    "bundle, operation, station, order_id, start, end, seq, status, started_at, finished_at, "
    "good, scrap, late_reported"
)


@dataclass(frozen=True)
class OpRecord:
    """One operation of the plan as executed on the line."""

    bundle: str
    operation: str
    station: str
    order_id: str
    start: datetime
    end: datetime
    seq: int
    status: str
    started_at: datetime | None
    finished_at: datetime | None
    good: int
    scrap: int
    late_reported: bool

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> OpRecord:
        def when(text: str | None) -> datetime | None:
            return datetime.fromisoformat(text) if text else None

        b, o, st, order, start, end, seq, status, s_at, f_at, good, scrap, late = row
        return cls(
            b, o, st, order, datetime.fromisoformat(start), datetime.fromisoformat(end),
            int(seq), status, when(s_at), when(f_at), int(good), int(scrap), bool(late),
        )  # fmt: skip

    def facts(self) -> dict[str, Any]:
        return {
            "bundle": self.bundle,
            "operation": self.operation,
            "order_id": self.order_id,
            "planned_start": self.start.isoformat(),
            "planned_end": self.end.isoformat(),
        }


@dataclass(frozen=True)
class Also:
    """What goes into the transaction of an action's state change besides its own event: facts
    added to that event, events written just before it (the scan that caused it) and statements
    (the HMI command marked applied), so a command is applied once even across a crash."""

    facts: dict[str, Any] = field(default_factory=dict)
    events_before: tuple[Event, ...] = ()
    statements: tuple[Statement, ...] = ()


NOTHING_ELSE = Also()


class ExecutionState:
    """The line's plan as queues per station and what happened to each operation.

    `start`, `pause`, `finish` and `scrap` are the local API (scans and the HMI's commands use
    it); each raises InputError naming the bundle, operation and station when the action does
    not fit. Operation states: queued -> running <-> paused -> finished, and scrapped from any
    open state.
    """

    def __init__(self, outbox: Outbox, line: str, clock: Callable[[], datetime] = utcnow) -> None:
        self.outbox = outbox
        self.line = line
        self.clock = clock
        outbox.ensure_tables(_TABLES)

    # --- the plan ----------------------------------------------------------------------

    @property
    def plan_id(self) -> str | None:
        rows = self.outbox.query("SELECT plan_id FROM exec_plan")
        return rows[0][0] if rows else None

    def load_plan(self, plan_id: str, payload: dict[str, Any]) -> int:
        """Make this plan the one executed; returns its number of operations.

        Operations already started, finished or scrapped keep their state (facts stay facts);
        queued ones not in the new plan leave the queues. Nothing changes on bad input.
        """
        ops = planned_operations(plan_id, payload)
        now = self.clock().isoformat()
        statements: list[Statement] = [
            ("DELETE FROM exec_ops WHERE status = ?", (QUEUED,)),
            (
                "INSERT INTO exec_plan (key, plan_id, loaded_at) VALUES (1, ?, ?) "
                "ON CONFLICT(key) DO UPDATE SET plan_id = excluded.plan_id, "
                "loaded_at = excluded.loaded_at",
                (plan_id, now),
            ),
        ]
        for seq, op in enumerate(ops):
            statements.append(
                (
                    f"INSERT INTO exec_ops ({_COLUMNS}) VALUES "
                    "(?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, 0, 0, 0) "
                    "ON CONFLICT(bundle, operation) DO UPDATE SET station = excluded.station, "
                    "order_id = excluded.order_id, start = excluded.start, end = excluded.end, "
                    "seq = excluded.seq",
                    (
                        op.bundle,
                        op.operation,
                        op.station,
                        op.order_id,
                        op.start.isoformat(),
                        op.end.isoformat(),
                        seq,
                        QUEUED,
                    ),
                )  # fmt: skip
            )
        stations = sorted({op.station for op in ops})
        event = self.event(
            EventType.PLAN_RECEIVED,
            None,
            {"plan_id": plan_id, "operations": len(ops), "stations": stations},
        )
        self.outbox.append_with([event], statements)
        log.info("line %s executes plan %s: %d operations", self.line, plan_id, len(ops))
        return len(ops)

    def queue(self, station: str) -> list[OpRecord]:
        """The station's open operations (queued, running or paused) in plan order."""
        rows = self.outbox.query(
            f"SELECT {_COLUMNS} FROM exec_ops WHERE station = ? AND status IN (?, ?, ?) "
            "ORDER BY start, seq",
            (station, *OPEN),
        )
        return [OpRecord.from_row(r) for r in rows]

    def record(self, bundle: str, operation: str) -> OpRecord | None:
        rows = self.outbox.query(
            f"SELECT {_COLUMNS} FROM exec_ops WHERE bundle = ? AND operation = ?",
            (bundle, operation),
        )
        return OpRecord.from_row(rows[0]) if rows else None

    def records(self) -> list[OpRecord]:
        rows = self.outbox.query(f"SELECT {_COLUMNS} FROM exec_ops ORDER BY start, seq")
        return [OpRecord.from_row(r) for r in rows]

    # --- operator and scan actions --------------------------------------------------------

    def start(
        self, station: str, bundle: str, operation: str, source: str = "operator",
        also: Also = NOTHING_ELSE,
    ) -> None:  # fmt: skip
        """Start a queued operation, or resume a paused one (its first start time is kept)."""
        op = self._expect(station, bundle, operation, (QUEUED, PAUSED), "start")
        now = self.clock()
        facts = {"source": source} | ({"resumed": True} if op.status == PAUSED else {})
        self._change(
            op, EventType.OPERATION_STARTED, facts,
            "status = ?, started_at = COALESCE(started_at, ?)", (RUNNING, now.isoformat()), also,
        )  # fmt: skip

    def pause(
        self, station: str, bundle: str, operation: str, source: str = "operator",
        also: Also = NOTHING_ELSE,
    ) -> None:  # fmt: skip
        op = self._expect(station, bundle, operation, (RUNNING,), "pause")
        self._change(
            op, EventType.OPERATION_PAUSED, {"source": source}, "status = ?", (PAUSED,), also
        )

    def finish(
        self, station: str, bundle: str, operation: str, source: str = "operator",
        also: Also = NOTHING_ELSE,
    ) -> None:  # fmt: skip
        op = self._expect(station, bundle, operation, (RUNNING,), "finish")
        now = self.clock()
        facts = {
            "source": source,
            "machine_good": op.good,
            "machine_scrap": op.scrap,
            "confirmed": op.good > 0,  # the machine's counter saw pieces of this operation
            "late": now > op.end,
        }
        self._change(
            op, EventType.OPERATION_FINISHED, facts,
            "status = ?, finished_at = ?", (FINISHED, now.isoformat()), also,
        )  # fmt: skip

    def scrap(
        self, station: str, bundle: str, operation: str, reason: str = "", source: str = "operator",
        also: Also = NOTHING_ELSE,
    ) -> None:  # fmt: skip
        op = self._expect(station, bundle, operation, OPEN, "scrap")
        now = self.clock()
        self._change(
            op, EventType.OPERATION_SCRAPPED, {"source": source, "reason": reason},
            "status = ?, finished_at = ?", (SCRAPPED, now.isoformat()), also,
        )  # fmt: skip

    def scan(
        self, station: str, bundle: str, source: str = "scan", also: Also = NOTHING_ELSE
    ) -> None:
        """A bundle ticket scanned at a station: finishes its running operation there, else
        starts (or resumes) its next open one; a scan the plan has nothing for becomes
        `scan.unplanned`."""
        open_here = [op for op in self.queue(station) if op.bundle == bundle]
        running = [op for op in open_here if op.status == RUNNING]
        if running:
            self.finish(station, bundle, running[0].operation, source=source, also=also)
        elif open_here:
            self.start(station, bundle, open_here[0].operation, source=source, also=also)
        else:
            unplanned = self.event(
                EventType.SCAN_UNPLANNED, station, {"bundle": bundle} | also.facts
            )
            self.outbox.append_with([*also.events_before, unplanned], also.statements)
            log.warning("line %s: bundle %s scanned at %s, not planned there", self.line,
                        bundle, station)  # fmt: skip

    def count(self, station: str, counter: str, delta: int) -> None:
        """A machine counter moved: the pieces go to the station's running operation."""
        running = [op for op in self.queue(station) if op.status == RUNNING]
        if not running or delta <= 0:
            return
        op = running[0]
        column = "good" if counter == "good_count" else "scrap"
        statements: list[Statement] = [
            (f"UPDATE exec_ops SET {column} = {column} + ? WHERE bundle = ? AND operation = ?",
             (delta, op.bundle, op.operation)),
        ]  # fmt: skip
        events = []
        if column == "scrap":
            facts = op.facts() | {"source": "machine", "pieces": delta}
            events.append(self.event(EventType.OPERATION_SCRAPPED, station, facts))
        self.outbox.append_with(events, statements)

    # --- helpers ----------------------------------------------------------------------------

    def _expect(
        self, station: str, bundle: str, operation: str, states: tuple[str, ...], action: str
    ) -> OpRecord:
        op = self.record(bundle, operation)
        where = f"bundle {bundle} operation {operation} at station {station}"
        if op is None:
            plan = self.plan_id
            known = f"not in plan {plan}" if plan else f"no plan is executed on line {self.line}"
            raise InputError(f"cannot {action} {where}: {known}")
        if op.station != station:
            raise InputError(f"cannot {action} {where}: planned at station {op.station}")
        if op.status not in states:
            raise InputError(f"cannot {action} {where}: it is {op.status}")
        return op

    def _change(
        self,
        op: OpRecord,
        kind: str,
        facts: dict[str, Any],
        sets: str,
        args: tuple,
        also: Also = NOTHING_ELSE,
    ) -> None:
        statement = (
            f"UPDATE exec_ops SET {sets} WHERE bundle = ? AND operation = ?",
            (*args, op.bundle, op.operation),
        )
        event = self.event(kind, op.station, op.facts() | facts | also.facts)
        self.outbox.append_with([*also.events_before, event], [statement, *also.statements])

    def event(self, kind: str, station: str | None, payload: dict[str, Any]) -> Event:
        return Event(line=self.line, station=station, type=kind, time=self.clock(),
                     payload={"plan_id": self.plan_id} | payload)  # fmt: skip
