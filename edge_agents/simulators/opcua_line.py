"""The OPC-UA machine simulator of one line: an asyncua server exposing every configured machine.

The machines (`MachineModel`) keep running while the server is stopped and started again, as a
real machine keeps sewing while its OPC-UA gateway restarts; values carry the time they changed
as their source timestamp, so a client can tell a resent value from a new one.
"""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path

from asyncua import Server, ua
from asyncua.common.methods import uamethod
from pydantic import BaseModel, ConfigDict, Field

from core.config.models import FactoryConfig, LineConfig, OpcUaEndpoint, StationConfig
from core.errors import ConfigError
from edge_agents.opcua import security
from edge_agents.opcua.nodes import machine_nodes
from edge_agents.simulators.machine_model import MachineBehaviour, MachineModel

log = logging.getLogger(__name__)

NAMESPACE = "urn:atelier:machines"
VARIANT = {
    "state": ua.VariantType.Int32,
    "speed": ua.VariantType.Double,
    "cycle_count": ua.VariantType.Int64,
    "good_count": ua.VariantType.Int64,
    "scrap_count": ua.VariantType.Int64,
    "motor_current": ua.VariantType.Double,
    "thread_break": ua.VariantType.Boolean,
    "needle_temperature": ua.VariantType.Double,
}


class SimulatorSettings(BaseModel):
    """How the line simulator runs."""

    model_config = ConfigDict(extra="forbid")

    rate_hz: float = Field(10.0, gt=0, le=1000, description="Machine updates per second")
    seed: int = Field(0, description="Random seed; the same seed gives the same machine behaviour")
    behaviour: MachineBehaviour = Field(
        default_factory=MachineBehaviour, description="Fault and thread-break rates"
    )
    certs_folder: Path | None = Field(None, description="Certificates folder (default home/certs)")


def line_endpoint(line: LineConfig) -> tuple[OpcUaEndpoint, list[StationConfig]]:
    """The one endpoint a line's machines are served on, and the stations served there."""
    stations = [s for s in line.stations if s.opcua is not None]
    if not stations:
        raise ConfigError(f"line {line.id} has no station with an OPC-UA endpoint to simulate")
    endpoint = stations[0].opcua
    assert endpoint is not None
    for s in stations[1:]:
        if s.opcua != endpoint:
            raise ConfigError(
                f"line {line.id}: station {s.id} has OPC-UA endpoint {s.opcua.url!r} "
                f"but the simulator serves one endpoint per line ({endpoint.url!r})"
            )
    return endpoint, stations


class LineSimulator:
    """Machines of one line plus the asyncua server that publishes them."""

    def __init__(
        self,
        factory: FactoryConfig,
        line_id: str,
        settings: SimulatorSettings | None = None,
        endpoint: OpcUaEndpoint | None = None,
    ) -> None:
        security.quiet_asyncua()
        self.settings = settings or SimulatorSettings()
        try:
            self.line = factory.line(line_id)
        except KeyError:
            raise ConfigError(f"no line {line_id!r} in the factory configuration") from None
        configured, self.stations = line_endpoint(self.line)
        self.endpoint = endpoint or configured
        self.factory = factory
        self.models = {
            s.machine: MachineModel(
                s.machine, s.machine_type, self.settings.behaviour, self.settings.seed
            )
            for s in self.stations
        }
        self._nodes: dict[str, dict[str, ua.NodeId]] = {}
        self._server: Server | None = None
        self._ticker: asyncio.Task[None] | None = None
        self.ticks = 0
        self.writes = 0
        # When a list, every value written is appended as (machine, signal, value, source time).
        self.journal: list[tuple[str, str, object, object]] | None = None

    @property
    def serving(self) -> bool:
        return self._server is not None

    async def start(self) -> None:
        """Start the machines and the server."""
        await self.start_server()
        if self._ticker is None:
            self._ticker = asyncio.create_task(self._tick_loop(), name=f"sim-{self.line.id}")

    async def stop(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
            try:
                await self._ticker
            except asyncio.CancelledError:
                pass
            self._ticker = None
        await self.stop_server()

    async def start_server(self) -> None:
        if self._server is not None:
            return
        users = security.password_users(self.endpoint)
        server = Server(user_manager=users) if users is not None else Server()
        await server.init()
        server.set_endpoint(self.endpoint.url)
        server.set_server_name(f"Atelier machine simulator {self.line.id}")
        await security.secure_server(
            server, self.endpoint, f"sim-{self.line.id}", self.settings.certs_folder
        )
        await self._build(server)
        await server.start()
        self._server = server
        log.info(
            "simulator for line %s serving %d machines on %s",
            self.line.id,
            len(self.models),
            self.endpoint.url,
        )

    async def stop_server(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            await server.stop()
            log.info("simulator for line %s stopped serving", self.line.id)

    async def _build(self, server: Server) -> None:
        wanted = {
            ua.NodeId.from_string(n).NamespaceIndex
            for s in self.stations
            for n in self._node_ids(s).values()
        }
        idx = await server.register_namespace(NAMESPACE)
        while idx < max(wanted):
            idx = await server.register_namespace(f"{NAMESPACE}:{idx + 1}")
        objects = server.nodes.objects
        for station in self.stations:
            model = self.models[station.machine]
            folder = await objects.add_object(ua.NodeId(station.machine, idx), station.machine)
            ids: dict[str, ua.NodeId] = {}
            for signal, text in self._node_ids(station).items():
                nodeid = ua.NodeId.from_string(text)
                var = await folder.add_variable(
                    nodeid, signal, model.values[signal].value, VARIANT[signal]
                )
                await var.write_value(self._datavalue(signal, model))
                ids[signal] = nodeid
            self._nodes[station.machine] = ids
            await folder.add_method(
                ua.NodeId(f"{station.machine}.InjectFault", idx),
                "InjectFault",
                self._injector(model),
                [ua.VariantType.String],
                [ua.VariantType.Boolean],
            )

    def _node_ids(self, station: StationConfig) -> dict[str, str]:
        return machine_nodes(self.factory.machine_profiles[station.machine_type], station.machine)

    @staticmethod
    def _injector(model: MachineModel):  # noqa: ANN205
        @uamethod
        def inject(parent: ua.NodeId, kind: str) -> bool:
            try:
                model.inject(kind)
            except ValueError:
                log.warning("InjectFault on %s refused: unknown kind %r", model.machine, kind)
                return False
            log.info("fault %s injected on %s", kind, model.machine)
            return True

        return inject

    @staticmethod
    def _datavalue(signal: str, model: MachineModel) -> ua.DataValue:
        value = model.values[signal]
        return ua.DataValue(
            ua.Variant(value.value, VARIANT[signal]),
            SourceTimestamp=value.changed_at,
            ServerTimestamp=value.changed_at,
        )

    async def step(self, dt: float) -> int:
        """Advance every machine by `dt` s and publish what changed; returns values written."""
        written = 0
        server = self._server
        for machine, model in self.models.items():
            changed = model.step(dt)
            if server is None:
                continue
            nodes = self._nodes[machine]
            for signal in changed:
                nodeid = nodes.get(signal)
                if nodeid is not None:
                    await server.write_attribute_value(nodeid, self._datavalue(signal, model))
                    written += 1
                    if self.journal is not None:
                        value = model.values[signal]
                        self.journal.append((machine, signal, value.value, value.changed_at))
        self.ticks += 1
        self.writes += written
        return written

    async def _tick_loop(self) -> None:
        period = 1.0 / self.settings.rate_hz
        next_at = time.monotonic()
        last = next_at
        while True:
            now = time.monotonic()
            await self.step(now - last)
            last = now
            next_at += period
            # Behind schedule (overload): skip ahead rather than burst to catch up.
            next_at = max(next_at, time.monotonic())
            await asyncio.sleep(next_at - time.monotonic())


def widen_line(
    factory: FactoryConfig, line_id: str, machines: int | None = None, url: str | None = None
) -> FactoryConfig:
    """A copy of the plant where `line_id` has `machines` machines (its own, repeated) on `url`.

    Benchmarks and load tests use it to serve a line larger than the configured one.
    """
    factory = factory.model_copy(deep=True)
    try:
        line = factory.line(line_id)
    except KeyError:
        raise ConfigError(f"no line {line_id!r} in the factory configuration") from None
    endpoint, stations = line_endpoint(line)
    if url is not None:
        endpoint = endpoint.model_copy(update={"url": url})
    if machines is None:
        line.stations = [s.model_copy(update={"opcua": endpoint}) for s in stations]
        return factory
    if machines < 1:
        raise ConfigError(f"machines must be at least 1, not {machines}")
    line.stations = [
        stations[i % len(stations)].model_copy(
            update={
                "id": f"{line_id}-M{i + 1:03d}",
                "machine": f"{stations[i % len(stations)].machine}-{i + 1:03d}",
                "opcua": endpoint,
            }
        )
        for i in range(machines)
    ]
    line.serial_devices = []
    line.cameras = []
    return factory
