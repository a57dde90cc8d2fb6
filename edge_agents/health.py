"""The agent's health endpoint and Prometheus metrics, served from a thread of the agent process.

The outbox is a SQLite connection of the agent's event loop, so the HTTP thread never reads it:
a `health` agent task takes a snapshot each second and the server answers from the latest one.
A snapshot older than `stale_s` means the agent loop is stuck, and /health says so.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import CollectorRegistry, make_wsgi_app
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from core.errors import InputError
from edge_agents.agent import Emit, LineAgent

log = logging.getLogger(__name__)

CONNECTED = "connected"


@dataclass(frozen=True)
class Snapshot:
    """What the agent looked like at one moment, for the HTTP thread to read."""

    line: str
    taken: float = field(default_factory=time.monotonic)
    outbox_depth: int = 0
    outbox_state: str = "ok"
    links: dict[str, str] = field(default_factory=dict)
    appended: dict[str, int] = field(default_factory=dict)
    restarts: dict[str, int] = field(default_factory=dict)
    lost: dict[str, int] = field(default_factory=dict)
    last_heartbeat: float | None = None


def take_snapshot(agent: LineAgent, links: Sequence[Any] = ()) -> Snapshot:
    """Read the agent's state; call only from the agent's event loop (it reads the outbox)."""
    return Snapshot(
        line=agent.line,
        outbox_depth=agent.outbox.depth(),
        outbox_state=agent.guard.state,
        links=agent.link_states,
        appended=dict(agent.appended),
        restarts={task.name: task.restarts for task in agent.tasks},
        lost={
            link.status.name: link.status.counters["lost"]
            for link in links
            if "lost" in link.status.counters
        },
        last_heartbeat=agent.last_heartbeat.timestamp() if agent.last_heartbeat else None,
    )


def health_of(snap: Snapshot, stale_s: float) -> tuple[int, dict[str, Any]]:
    """The /health answer: (HTTP status, JSON body)."""
    age = time.monotonic() - snap.taken
    if age > stale_s:
        status, code = "stalled", 503
    elif snap.outbox_state == "full":
        status, code = "degraded", 503
    else:
        status, code = "ok", 200
    body = {
        "line": snap.line,
        "status": status,
        "snapshot_age_s": round(age, 2),
        "outbox": {"depth": snap.outbox_depth, "state": snap.outbox_state},
        "links": snap.links,
        "last_heartbeat": snap.last_heartbeat,
    }
    return code, body


class _AgentCollector(Collector):
    def __init__(self, server: HealthServer) -> None:
        self.server = server

    def collect(self) -> Iterator[Metric]:
        snap = self.server.snapshot
        line = snap.line
        appended = CounterMetricFamily(
            "atelier_agent_events_appended", "Events written to the outbox", labels=["line", "type"]
        )
        for kind, count in sorted(snap.appended.items()):
            appended.add_metric([line, kind], count)
        yield appended
        depth = GaugeMetricFamily(
            "atelier_agent_outbox_depth", "Unshipped events in the outbox", labels=["line"]
        )
        depth.add_metric([line], snap.outbox_depth)
        yield depth
        state = GaugeMetricFamily(
            "atelier_agent_outbox_state", "1 for the outbox's state", labels=["line", "state"]
        )
        for name in ("ok", "high_water", "full"):
            state.add_metric([line, name], 1.0 if snap.outbox_state == name else 0.0)
        yield state
        links = GaugeMetricFamily(
            "atelier_agent_link_up",
            "1 when the link is connected",
            labels=["line", "link", "state"],
        )
        for name, link_state in sorted(snap.links.items()):
            links.add_metric([line, name, link_state], 1.0 if link_state == CONNECTED else 0.0)
        yield links
        restarts = CounterMetricFamily(
            "atelier_agent_task_restarts", "Restarts of a supervised task", labels=["line", "task"]
        )
        for task, count in sorted(snap.restarts.items()):
            restarts.add_metric([line, task], count)
        yield restarts
        lost = CounterMetricFamily(
            "atelier_agent_opcua_values_lost",
            "Values lost on an OPC-UA link",
            labels=["line", "link"],
        )
        for link, count in sorted(snap.lost.items()):
            lost.add_metric([line, link], count)
        yield lost
        beat = GaugeMetricFamily(
            "atelier_agent_last_heartbeat_timestamp_seconds",
            "Unix time of the last heartbeat (0 before the first)",
            labels=["line"],
        )
        beat.add_metric([line], snap.last_heartbeat or 0.0)
        yield beat


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        log.debug("health: " + format, *args)


class HealthServer:
    """`/health` (JSON) and `/metrics` (Prometheus text) for one agent, on `host:port`."""

    def __init__(
        self,
        agent: LineAgent,
        host: str = "127.0.0.1",
        port: int = 0,
        links: Sequence[Any] = (),
        every_s: float = 1.0,
        stale_s: float = 10.0,
    ) -> None:
        self.agent = agent
        self.links = links
        self.every_s = every_s
        self.stale_s = stale_s
        self.snapshot = take_snapshot(agent, links)
        registry = CollectorRegistry(auto_describe=False)
        registry.register(_AgentCollector(self))
        self._metrics_app = make_wsgi_app(registry)
        try:
            self._server: WSGIServer = make_server(host, port, self._app, WSGIServer, _QuietHandler)
        except OSError as exc:
            raise InputError(f"cannot serve agent metrics on {host}:{port}: {exc}") from exc
        self.port = self._server.server_port
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        agent.add_task("health", self._refresh)

    def start(self) -> None:
        self._thread.start()
        log.info("line %s: health and metrics on port %d", self.agent.line, self.port)

    def stop(self) -> None:
        if self._thread.is_alive():
            self._server.shutdown()
        self._server.server_close()

    async def _refresh(self, _emit: Emit) -> None:
        while True:
            self.snapshot = take_snapshot(self.agent, self.links)
            await asyncio.sleep(self.every_s)

    def _app(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/health":
            code, body = health_of(self.snapshot, self.stale_s)
            reason = "OK" if code == 200 else "Service Unavailable"
            data = json.dumps(body).encode()
            start_response(f"{code} {reason}", [("Content-Type", "application/json")])
            return [data]
        return self._metrics_app(environ, start_response)
