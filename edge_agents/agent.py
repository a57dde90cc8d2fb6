"""The edge agent: the process that runs one line, with or without the centre.

The agent is a small supervisor of asyncio tasks. Each task (heartbeat, plan inbox, link
watcher, and the device links for OPC-UA, serial devices and cameras that
`edge_agents.devices.wire_line` plugs in) gets `emit`, the
one way to report a fact: `emit` writes the event to the outbox before it returns. A task that
crashes is restarted with growing spacing; the agent never talks to Ray, so it keeps writing
when the centre is gone.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from core.errors import InputError
from core.events import Event, EventType, utcnow
from edge_agents.execution.commands import CommandRunner
from edge_agents.execution.state import ExecutionState
from edge_agents.execution.watch import ExecutionWatch
from edge_agents.outbox import Outbox
from edge_agents.outbox_guard import OutboxGuard, OutboxLimits

log = logging.getLogger(__name__)

Emit = Callable[[Event], None]
TaskFactory = Callable[[Emit], Awaitable[None]]


@dataclass
class SupervisedTask:
    """One long-running coroutine of the agent and how often it had to be restarted."""

    name: str
    factory: TaskFactory
    restarts: int = 0
    backoff_s: float = field(default=0.5)


class LineAgent:
    """Runs one line: lifecycle and heartbeat events, plans from the inbox, plugged-in tasks."""

    def __init__(
        self,
        line: str,
        outbox: Outbox,
        heartbeat_s: float = 2.0,
        poll_s: float = 0.5,
        max_backoff_s: float = 30.0,
        keep_shipped_s: float = 7 * 24 * 3600.0,
        limits: OutboxLimits | None = None,
        link_down_s: float = 30.0,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.line = line
        self.outbox = outbox
        self.heartbeat_s = heartbeat_s
        self.poll_s = poll_s
        self.max_backoff_s = max_backoff_s
        self.keep_shipped_s = keep_shipped_s
        self._tasks: list[SupervisedTask] = []
        self._started = time.monotonic()
        self._link_states: dict[str, str] = {}
        self.appended: dict[str, int] = {}
        self.last_heartbeat: datetime | None = None
        self._pending: list[Event] | None = None  # inside `together()`: events not yet written
        self.guard = OutboxGuard(outbox, line, limits)
        self.execution = ExecutionState(outbox, line, clock)
        self.watch = ExecutionWatch(self.execution, link_down_s=link_down_s)
        self.commands = CommandRunner(self.execution)
        self.add_task("heartbeat", self._heartbeat)
        self.add_task("inbox", self._inbox)
        self.add_task("links", self._links)
        self.add_task("housekeeping", self._housekeeping)
        self.add_task("execution", self._execution)

    def emit(self, event: Event) -> None:
        """Write one event durably to the outbox; the only way facts leave a task.

        Inside `together()` the event is written with the others of that block, when it ends.
        """
        if event.type == EventType.LINK_STATE and "link" not in event.payload:
            event = self._device_link(event)
        if self._pending is not None:
            self._pending.append(event)
            return
        self._write([event])

    @contextmanager
    def together(self) -> Iterator[None]:
        """Write the events emitted inside this block in one transaction when it ends.

        For a device task handling a burst of values (hundreds of samples, aggregates and facts
        in one go): one commit (one fsync) instead of one per event. The block must not await,
        so nothing else runs before its events are on disk; they are written in emit order, also
        when the block raises, and what the execution watch derives from them comes after them.
        """
        if self._pending is not None:
            yield  # nested: the outer block writes
            return
        self._pending = []
        try:
            yield
        finally:
            events, self._pending = self._pending, None
            if events:
                self._write(events)

    def _write(self, events: list[Event]) -> None:
        self.outbox.append(events)
        for event in events:
            self.appended[event.type] = self.appended.get(event.type, 0) + 1
        self.guard.after_append(len(events))
        for event in events:
            self.watch.on_event(event)

    def _device_link(self, event: Event) -> Event:
        # A device link reports itself (`LinkStatus.to_dict()`); it also goes into the outbox's
        # link table, which `atelier status` reads, and is marked known so `_links` stays quiet.
        name = str(event.payload.get("name", "?"))
        state = str(event.payload.get("state", "?"))
        self.outbox.set_link(name, state, str(event.payload.get("last_error") or ""))
        self._link_states[name] = state
        return Event(
            id=event.id,
            line=event.line,
            station=event.station,
            type=event.type,
            time=event.time,
            payload={"link": name} | event.payload,
        )

    @property
    def tasks(self) -> list[SupervisedTask]:
        """The supervised tasks, with how often each was restarted."""
        return list(self._tasks)

    @property
    def link_states(self) -> dict[str, str]:
        """Each known link's last state (device links and the uplink)."""
        return dict(self._link_states)

    def add_task(self, name: str, factory: TaskFactory) -> None:
        """Plug in a long-running coroutine (a device loop); it receives `emit`."""
        self._tasks.append(SupervisedTask(name, factory))

    async def run(self, stop: asyncio.Event) -> None:
        """Run until `stop` is set: started event, supervised tasks, stopped event."""
        self.emit(Event(line=self.line, type=EventType.AGENT_STARTED, payload={}))
        log.info("edge agent for line %s started, outbox %s", self.line, self.outbox.path)
        runners = [asyncio.create_task(self._supervise(t), name=t.name) for t in self._tasks]
        try:
            await stop.wait()
        finally:
            for runner in runners:
                runner.cancel()
            await asyncio.gather(*runners, return_exceptions=True)
            self.emit(
                Event(
                    line=self.line,
                    type=EventType.AGENT_STOPPED,
                    payload={"uptime_s": round(time.monotonic() - self._started, 1)},
                )
            )
            log.info("edge agent for line %s stopped", self.line)

    async def _supervise(self, task: SupervisedTask) -> None:
        while True:
            try:
                await task.factory(self.emit)
                log.warning("agent task %s returned; restarting", task.name)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("agent task %s failed; restart %d", task.name, task.restarts + 1)
            task.restarts += 1
            await asyncio.sleep(task.backoff_s)
            task.backoff_s = min(task.backoff_s * 2, self.max_backoff_s)

    async def _heartbeat(self, emit: Emit) -> None:
        beat = 0
        while True:
            beat += 1
            self.last_heartbeat = utcnow()
            emit(
                Event(
                    line=self.line,
                    type=EventType.AGENT_HEARTBEAT,
                    payload={
                        "beat": beat,
                        "uptime_s": round(time.monotonic() - self._started, 1),
                        "outbox_depth": self.outbox.depth(),
                        "outbox_state": self.guard.state,
                    },
                )
            )
            await asyncio.sleep(self.heartbeat_s)

    async def _inbox(self, emit: Emit) -> None:
        # Only the newest delivered plan is executed; older ones in the same batch are noted.
        # Operators' commands follow the plans they arrived with, in the order they were given.
        while True:
            plans = self.outbox.take_plans()
            for plan_id, _payload in plans[:-1]:
                emit(
                    Event(
                        line=self.line,
                        type=EventType.PLAN_RECEIVED,
                        payload={"plan_id": plan_id, "superseded_by": plans[-1][0]},
                    )
                )
            if plans:
                self._execute(*plans[-1])
            self.commands.apply_pending()
            await asyncio.sleep(self.poll_s)

    def _execute(self, plan_id: str, payload: dict) -> None:
        if "markers" in payload and "assignments" not in payload:
            # A cutting plan: acknowledged; the cutter's jobs are not driven from plans yet.
            info = {"plan_id": plan_id, "markers": len(payload["markers"]), "executed": False}
            self.emit(Event(line=self.line, type=EventType.PLAN_RECEIVED, payload=info))
            return
        try:
            self.execution.load_plan(plan_id, payload)
        except InputError as exc:
            # The last good plan keeps running; the centre hears why this one did not.
            log.error("line %s: plan %s refused: %s", self.line, plan_id, exc)
            self.emit(
                Event(
                    line=self.line,
                    type=EventType.PLAN_RECEIVED,
                    payload={"plan_id": plan_id, "error": str(exc)},
                )
            )

    async def _execution(self, emit: Emit) -> None:
        # Time-driven deviations (late, link down too long) and the outbox's bound, each second.
        while True:
            self.watch.tick()
            self.guard.check()
            await asyncio.sleep(1.0)

    async def _links(self, emit: Emit) -> None:
        # The uplink records its state in the outbox file; changes become events for the centre.
        while True:
            for name, (state, since, detail) in self.outbox.links().items():
                if self._link_states.get(name) != state:
                    self._link_states[name] = state
                    emit(
                        Event(
                            line=self.line,
                            type=EventType.LINK_STATE,
                            payload={
                                "link": name,
                                "state": state,
                                "since": since.isoformat(),
                                "detail": detail,
                            },
                        )
                    )
            await asyncio.sleep(self.poll_s)

    async def _housekeeping(self, emit: Emit) -> None:
        # Shipped events are kept a while for audits on the line's PC, then forgotten.
        while True:
            cutoff = utcnow() - timedelta(seconds=self.keep_shipped_s)
            gone = self.outbox.prune_shipped(cutoff)
            if gone:
                log.info("line %s: pruned %d shipped events older than %s", self.line, gone, cutoff)
            await asyncio.sleep(600)


def serve(agent: LineAgent) -> None:
    """Run the agent process until SIGTERM or SIGINT, then stop cleanly (stopped event last)."""

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await agent.run(stop)

    asyncio.run(main())
