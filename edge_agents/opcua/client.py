"""One OPC-UA endpoint's link: subscribes to every machine served there and turns values into facts.

asyncua 2.1 defaults that this link overrides, deliberately:
- the iterator subscription's queue (1000, drop-oldest, silent) -> a large queue that drops the
  newest and every dropped value counted as `lost` (produced minus consumed, via the observer);
- the 1 s watchdog that disconnects a busy client -> `watchdog_s` (3 s);
- reconnect backoff 1, 2, 4 ... 30 s -> capped at `reconnect_cap_s` (1 s), so a link resumes
  about a second after its server returns.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from asyncua import Client, ua
from asyncua.client.ua_client import UaClientState
from asyncua.common.subscription import DataChangeEvent, OverflowPolicy, StatusChangeEvent
from asyncua.observer import Observer
from pydantic import BaseModel, ConfigDict, Field

from core.config.models import FactoryConfig, OpcUaEndpoint, StationConfig
from core.errors import ConfigError
from core.events import Event, EventType, utcnow
from edge_agents.link import CONNECTED, DOWN, RECONNECTING, Backoff, LinkReporter, LinkStatus
from edge_agents.opcua.nodes import machine_nodes
from edge_agents.opcua.security import endpoint_password, quiet_asyncua, secure_client
from edge_agents.opcua.values import value_problem
from edge_agents.packml import state_name

log = logging.getLogger(__name__)

# Makes the events emitted inside one block go to the outbox together (`LineAgent.together`).
Together = Callable[[], AbstractContextManager[None]]

# DataValue status InfoType=DataValue (0x400) with the Overflow bit (0x80): the server's
# monitored-item queue discarded values before this one.
OVERFLOW_BITS = 0x480


class OpcUaLinkSettings(BaseModel):
    """Subscription, watchdog and reconnect settings of a machine link."""

    model_config = ConfigDict(extra="forbid")

    publishing_interval_ms: float = Field(
        100.0, gt=0, description="Subscription publishing interval"
    )
    sampling_interval_ms: float = Field(
        0.0, ge=0, description="Monitored-item sampling interval; 0 reports every change"
    )
    server_queue_size: int = Field(
        100,
        ge=1,
        description="Per-node queue on the server between publishes (values per interval)",
    )
    client_queue_size: int = Field(
        200_000, ge=1000, description="Client-side notification queue; overflow is counted as lost"
    )
    burst_max: int = Field(
        5000, ge=1, description="Most queued values handled (and written) together in one go"
    )
    watchdog_s: float = Field(3.0, gt=0, description="Health probe interval and timeout")
    request_timeout_s: float = Field(4.0, gt=0, description="Timeout of one OPC-UA request")
    reconnect_cap_s: float = Field(1.0, gt=0, description="Longest wait between reconnect attempts")
    client_name: str | None = Field(
        None,
        description="Certificate name of this client (urn:atelier:<name>); default agent-<line>",
    )
    certs_folder: Path | None = Field(None, description="Certificates folder (default home/certs)")


@dataclass(frozen=True)
class Sample:
    """One value from a machine, stamped with the time the machine says it changed."""

    line: str
    station: str
    machine: str
    signal: str
    value: Any
    source_time: datetime


@dataclass
class _Node:
    station: StationConfig
    signal: str
    last_value: Any = None
    last_time: datetime | None = None


class _Counter(Observer):
    """asyncua observer: counts notifications the subscription produced and follows client state."""

    def __init__(self, on_state: Callable[[UaClientState], None]) -> None:
        self.produced = 0
        self._on_state = on_state

    def on_notification(self, subscription_id: int | None, event_count: int) -> None:
        self.produced += event_count

    def on_state_change(self, state: UaClientState) -> None:
        self._on_state(state)


class OpcUaLink:
    """The link to one OPC-UA endpoint; `run()` is its supervised asyncio task."""

    def __init__(
        self,
        line: str,
        endpoint: OpcUaEndpoint,
        stations: list[StationConfig],
        factory: FactoryConfig,
        emit: Callable[[Event], None],
        on_sample: Callable[[Sample], None] | None = None,
        settings: OpcUaLinkSettings | None = None,
        together: Together | None = None,
    ) -> None:
        quiet_asyncua()
        self.line = line
        self.endpoint = endpoint
        self.stations = [s.id for s in stations]
        self.settings = settings or OpcUaLinkSettings()
        self._emit = emit
        self._on_sample = on_sample
        self._together = together or nullcontext
        self.status = LinkStatus(name=f"opcua {endpoint.url}", kind="opcua")
        self.reporter = LinkReporter(self.status, line, emit)
        self._nodes: dict[str, _Node] = {}
        self._by_node: dict[int, _Node] = {}  # id() of this session's asyncua Node objects
        for station in stations:
            profile = factory.machine_profiles[station.machine_type]
            for signal, text in machine_nodes(profile, station.machine).items():
                self._nodes[ua.NodeId.from_string(text).to_string()] = _Node(station, signal)
        for name in (
            "values",
            "duplicates",
            "lost",
            "server_overflows",
            "bad_values",
            "reconnects",
        ):
            self.status.counters[name] = 0
        self._ever_connected = False
        self.resumed_at: float | None = None

    def _on_client_state(self, state: UaClientState) -> None:
        if state is UaClientState.CONNECTED:
            if self._ever_connected:
                self.status.count("reconnects")
                self.resumed_at = asyncio.get_running_loop().time()
            self._ever_connected = True
            self.reporter.set_state(CONNECTED)
        elif (
            state in (UaClientState.RECONNECTING, UaClientState.CONNECTING) and self._ever_connected
        ):
            self.reporter.set_state(RECONNECTING)

    async def run(self) -> None:
        """Connect, subscribe and consume until cancelled; reconnects by itself, short backoff."""
        backoff = Backoff(0.25, self.settings.reconnect_cap_s)
        try:
            while True:
                try:
                    await self._session(backoff)
                except ConfigError as exc:
                    self.reporter.set_state(DOWN, error=str(exc))
                    raise
                except (TimeoutError, OSError, ua.UaError, ConnectionError) as exc:
                    self.status.count("connect_failures")
                    self.reporter.set_state(RECONNECTING, error=repr(exc))
                    log.info("OPC-UA %s unavailable (%r); retrying", self.endpoint.url, exc)
                await asyncio.sleep(backoff.next_delay())
        finally:
            self.reporter.set_state(DOWN)

    async def _session(self, backoff: Backoff) -> None:
        s = self.settings
        # A missing password is a configuration error: say so now, not once the server answers.
        endpoint_password(self.endpoint)
        counter = _Counter(self._on_client_state)
        client = Client(
            self.endpoint.url,
            timeout=s.request_timeout_s,
            watchdog_intervall=s.watchdog_s,
            auto_reconnect=True,
            reconnect_max_delay=s.reconnect_cap_s,
        )
        client.uaclient.observer = counter
        name = s.client_name or f"agent-{self.line}"
        self.status.warnings = await secure_client(client, self.endpoint, name, s.certs_folder)
        try:
            await client.connect()
            sub = await client.create_subscription(
                s.publishing_interval_ms,
                queue_maxsize=s.client_queue_size,
                overflow=OverflowPolicy.DROP_NEWEST,
            )
            nodes = [client.get_node(nodeid) for nodeid in self._nodes]
            # asyncua hands back these very Node objects with each value: look up by identity,
            # not by formatting the node id of every value.
            self._by_node = {
                id(n): node for n, node in zip(nodes, self._nodes.values(), strict=True)
            }
            results = await sub.subscribe_data_change(
                nodes, queuesize=s.server_queue_size, sampling_interval=s.sampling_interval_ms
            )
            for nodeid, result in zip(self._nodes, results, strict=True):
                if isinstance(result, ua.StatusCode):
                    message = f"node {nodeid} not subscribed on {self.endpoint.url}: {result.name}"
                    log.warning(message)
                    self.status.warnings.append(message)
            backoff.reset()
            await self._consume(sub, counter, client)
        finally:
            await self._close(client)

    async def _consume(self, sub: Any, counter: _Counter, client: Client) -> None:
        consumed = 0
        lost_seen = 0
        # One pending getter awaited with asyncio.wait: unlike wait_for (Python 3.11), it never
        # swallows the task's cancellation when a value arrives at the same moment. Once a value
        # is there, everything else already queued is taken at once (no await per value) and
        # handled as one burst whose events reach the outbox in one transaction.
        getter: asyncio.Future[Any] | None = None
        try:
            while True:
                if getter is None:
                    getter = asyncio.ensure_future(sub.__anext__())
                done, _ = await asyncio.wait({getter}, timeout=0.5)
                if not done:
                    # A publish that lands as the wait times out has put its values in the
                    # queue and woken the getter, which resumes on the next loop turn: let it,
                    # and count nothing while values are still on their way to us.
                    await asyncio.sleep(0)
                    if getter.done():
                        continue
                    queue = getattr(sub, "_event_queue", None)  # asyncua 2.1
                    waiting = queue.qsize() if queue is not None else 0
                    # Whatever this session produced and is neither consumed nor still queued
                    # was dropped.
                    lost = counter.produced - consumed - waiting
                    if lost > lost_seen:
                        log.error(
                            "OPC-UA %s: %d values dropped by a full queue",
                            self.endpoint.url,
                            lost - lost_seen,
                        )
                        self.status.count("lost", lost - lost_seen)
                        lost_seen = lost
                    if client.uaclient.state is UaClientState.DISCONNECTED:
                        raise ConnectionError("OPC-UA client gave up its connection")
                    continue
                try:
                    first = getter.result()
                except StopAsyncIteration:
                    raise ConnectionError("OPC-UA subscription closed") from None
                getter = None
                burst, closed = _take_queued(sub, first, self.settings.burst_max)
                consumed += len(burst)
                self._on_burst(burst)
                if closed:
                    raise ConnectionError("OPC-UA subscription closed")
        finally:
            if getter is not None:
                getter.cancel()

    def _on_burst(self, burst: list[Any]) -> None:
        taken = 0
        with self._together():
            for event in burst:
                if isinstance(event, DataChangeEvent):
                    taken += self._on_change(event)
                elif isinstance(event, StatusChangeEvent):
                    status = event.notification.Status
                    log.warning("OPC-UA %s subscription status: %s", self.endpoint.url, status)
        if taken:
            self.status.count("values", taken)
            self.status.last_value_at = utcnow()

    async def _close(self, client: Client) -> None:
        # In its own task: asyncua's teardown swallows a cancellation that lands inside it,
        # and can wait on a dead server; this way the link's own cancellation always ends it.
        closing = asyncio.ensure_future(client.disconnect())
        done, _ = await asyncio.wait({closing}, timeout=self.settings.request_timeout_s)
        if not done:
            closing.cancel()
            log.info("OPC-UA %s: disconnect did not finish; dropped", self.endpoint.url)
        elif closing.exception() is not None:
            log.debug("OPC-UA %s disconnect: %r", self.endpoint.url, closing.exception())

    def _on_change(self, event: DataChangeEvent) -> int:
        """Take one value; returns 1 when it was ingested, 0 when not (counted why)."""
        node = self._by_node.get(id(event.node)) or self._nodes.get(event.node.nodeid.to_string())
        if node is None:
            return 0
        datavalue = event.data.monitored_item.Value
        status = datavalue.StatusCode.value if datavalue.StatusCode is not None else 0
        if status & OVERFLOW_BITS == OVERFLOW_BITS:
            self.status.count("server_overflows")
            self.status.count("lost")
        if status & 0x80000000:
            self.status.count("bad_values")
            return 0
        source_time = datavalue.SourceTimestamp or datavalue.ServerTimestamp or utcnow()
        if source_time.tzinfo is None:
            source_time = source_time.replace(tzinfo=UTC)
        # A value resent after a resubscribe carries the time it changed: not a new fact.
        if node.last_time is not None and source_time <= node.last_time:
            self.status.count("duplicates")
            return 0
        problem = value_problem(node.signal, event.value)
        if problem is not None:
            self.status.count("bad_values")
            log.warning(
                "OPC-UA %s %s %s: %s; not ingested",
                self.endpoint.url,
                node.station.machine,
                node.signal,
                problem,
            )
            return 0
        previous = node.last_value
        node.last_value, node.last_time = event.value, source_time
        station = node.station
        if self._on_sample is not None:
            self._on_sample(
                Sample(
                    self.line, station.id, station.machine, node.signal, event.value, source_time
                )
            )
        self._fact(station, node.signal, event.value, previous, source_time)
        return 1

    def _fact(
        self, station: StationConfig, signal: str, value: Any, previous: Any, when: datetime
    ) -> None:
        payload: dict[str, Any]
        if signal == "state":
            if previous == value:
                return
            kind = EventType.MACHINE_STATE
            payload = {"state": int(value), "state_name": state_name(int(value))}
            if previous is not None:
                payload["previous"] = int(previous)
        elif signal in ("good_count", "scrap_count") and previous is not None:
            delta = int(value) - int(previous)
            # A counter that went down was reset at the machine: everything since counts.
            kind = EventType.MACHINE_COUNT
            payload = {
                "counter": signal,
                "value": int(value),
                "delta": delta if delta >= 0 else int(value),
            }
        elif signal == "thread_break" and previous is not None and bool(value) != bool(previous):
            kind = EventType.MACHINE_THREAD_BREAK
            payload = {"active": bool(value)}
        else:
            return
        payload["machine"] = station.machine
        self._emit(Event(line=self.line, station=station.id, type=kind, time=when, payload=payload))


def _take_queued(sub: Any, first: Any, most: int) -> tuple[list[Any], bool]:
    """`first` and what else the subscription has queued (at most `most` in all), without
    awaiting; and whether the subscription's end mark was met (asyncua puts None last)."""
    burst = [first]
    queue: asyncio.Queue[Any] | None = getattr(sub, "_event_queue", None)  # asyncua 2.1
    if queue is None:
        return burst, False
    while len(burst) < most:
        try:
            item = queue.get_nowait()
        except asyncio.QueueEmpty:
            break
        if item is None:
            return burst, True
        burst.append(item)
    return burst, False


def links_for_line(
    factory: FactoryConfig,
    line_id: str,
    emit: Callable[[Event], None],
    on_sample: Callable[[Sample], None] | None = None,
    settings: OpcUaLinkSettings | None = None,
    together: Together | None = None,
) -> list[OpcUaLink]:
    """One link per distinct endpoint among the line's stations."""
    try:
        line = factory.line(line_id)
    except KeyError:
        raise ConfigError(f"no line {line_id!r} in the factory configuration") from None
    groups: dict[str, tuple[OpcUaEndpoint, list[StationConfig]]] = {}
    for station in line.stations:
        if station.opcua is None:
            continue
        endpoint, members = groups.setdefault(station.opcua.url, (station.opcua, []))
        if station.opcua != endpoint:
            raise ConfigError(
                f"line {line_id}: stations on {station.opcua.url} disagree on security or user"
            )
        members.append(station)
    return [
        OpcUaLink(line_id, endpoint, members, factory, emit, on_sample, settings, together)
        for endpoint, members in groups.values()
    ]
