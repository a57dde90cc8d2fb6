"""The plant as configuration: lines, stations, machines, devices, cameras, shifts."""

from __future__ import annotations

from datetime import time
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

MachineType = Literal[
    "spreader",
    "cutter",
    "lockstitch",
    "overlock",
    "coverstitch",
    "buttonhole",
    "button_sew",
    "bartack",
    "pressing",
    "inspection",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MachineProfile(_Strict):
    """OPC-UA node ids for one machine type; `{machine}` stands for the station's machine name."""

    state: str = Field(description="PackML state (Int32, ISA-TR88 state number)")
    speed: str = Field(description="Speed in stitches or cycles per minute")
    cycle_count: str = Field(description="Stitch or cycle counter, monotone")
    thread_break: str | None = Field(None, description="Thread-break flag (Boolean)")
    needle_temperature: str | None = Field(None, description="Needle temperature in deg C")
    motor_current: str | None = Field(None, description="Motor current in A")
    good_count: str = Field(description="Good-parts counter")
    scrap_count: str = Field(description="Scrap counter")


class OpcUaEndpoint(_Strict):
    url: str = Field(description="opc.tcp:// endpoint of the machine or of the line's gateway")
    security: Literal["Basic256Sha256_SignAndEncrypt", "None"] = Field(
        "Basic256Sha256_SignAndEncrypt",
        description="Security policy; 'None' only for machines that cannot do better (warned)",
    )
    username: str | None = Field(
        None, description="User name; the password comes from the secret store"
    )
    password_env: str | None = Field(
        None, description="Name of the environment variable holding the password (never in YAML)"
    )


class SerialDeviceConfig(_Strict):
    name: str = Field(description="Device name, unique in the line")
    kind: Literal["bundle_scanner", "plotter"] = Field(description="Device protocol key")
    port: str = Field(description="Serial port path, or 'sim' for the built-in simulator")
    baudrate: int = Field(9600, gt=0, description="Baud rate")
    station: str | None = Field(None, description="Station the device belongs to")


class CameraConfig(_Strict):
    name: str = Field(description="Camera name, unique in the line")
    source: str = Field(
        description="Video file, image folder, device index or rtsp:// URL; 'demo' for the demo"
    )
    station: str = Field(description="Station the camera watches")
    fps: float = Field(5.0, gt=0, description="Frames per second to take from the source")
    backend: Literal["onnxruntime", "tensorrt", "torch"] = Field(
        "onnxruntime",
        description="Inference backend: onnxruntime (CPU or CUDA), tensorrt (engine built once "
        "per model version and cached in its folder), torch (needs the weights shipped too)",
    )


class StationConfig(_Strict):
    id: str = Field(description="Station id, unique in the plant (e.g. S3)")
    name: str = Field(description="Name shown to people")
    machine_type: MachineType = Field(description="Machine type at the station")
    machine: str = Field(description="Machine name used in OPC-UA node ids")
    opcua: OpcUaEndpoint | None = Field(
        None, description="OPC-UA endpoint; none for manual stations"
    )
    ideal_cycle_s: float | None = Field(
        None, gt=0, description="Ideal seconds per piece here (OEE); overrides the machine type's"
    )


class ShiftConfig(_Strict):
    name: str
    start: time = Field(description="Shift start, local time")
    end: time = Field(description="Shift end, local time")
    breaks: list[tuple[time, time]] = Field(
        default_factory=list, description="Breaks as [start, end]"
    )
    days: list[int] = Field(
        default_factory=lambda: [0, 1, 2, 3, 4], description="Weekdays, 0=Monday"
    )


class LineConfig(_Strict):
    id: str = Field(description="Line id (e.g. L1); also the Ray node label `line`")
    name: str
    kind: Literal["cutting", "sewing"] = Field(description="Cutting room or sewing line")
    stations: list[StationConfig] = Field(min_length=1)
    serial_devices: list[SerialDeviceConfig] = Field(default_factory=list)
    cameras: list[CameraConfig] = Field(default_factory=list)
    simulate: bool = Field(
        True, description="Run the device simulators for this line (demo, commissioning)"
    )

    @model_validator(mode="after")
    def _unique_stations(self) -> LineConfig:
        ids = [s.id for s in self.stations]
        dupes = {i for i in ids if ids.count(i) > 1}
        if dupes:
            raise ValueError(f"station ids repeat in line {self.id}: {sorted(dupes)}")
        known = set(ids)
        devices: list[SerialDeviceConfig | CameraConfig] = [*self.serial_devices, *self.cameras]
        for dev in devices:
            if dev.station is not None and dev.station not in known:
                raise ValueError(f"{dev.name} names station {dev.station!r}, not in line {self.id}")
        return self


class FactoryConfig(_Strict):
    name: str
    timezone: str = Field("UTC", description="IANA time zone of the plant")
    machine_profiles: dict[str, MachineProfile] = Field(
        description="OPC-UA profile per machine type"
    )
    lines: list[LineConfig] = Field(min_length=1)
    shifts: list[ShiftConfig] = Field(min_length=1)
    ideal_cycle_s: dict[MachineType, Annotated[float, Field(gt=0)]] = Field(
        default_factory=dict,
        description="Ideal seconds per piece per machine type, for OEE performance",
    )

    @model_validator(mode="after")
    def _consistent(self) -> FactoryConfig:
        line_ids = [line.id for line in self.lines]
        if len(set(line_ids)) != len(line_ids):
            raise ValueError(f"line ids repeat: {line_ids}")
        station_ids = [s.id for line in self.lines for s in line.stations]
        dupes = sorted({i for i in station_ids if station_ids.count(i) > 1})
        if dupes:
            raise ValueError(f"station ids repeat across lines: {dupes}")
        for line in self.lines:
            for s in line.stations:
                if s.opcua is not None and s.machine_type not in self.machine_profiles:
                    raise ValueError(
                        f"station {s.id} has machine type {s.machine_type!r}"
                        " with no machine_profiles entry"
                    )
        return self

    def station_ideal_cycle_s(self, station_id: str) -> float | None:
        """A station's ideal seconds per piece: its own, else its machine type's, else None."""
        for line in self.lines:
            for s in line.stations:
                if s.id == station_id:
                    return s.ideal_cycle_s or self.ideal_cycle_s.get(s.machine_type)
        raise KeyError(station_id)

    def line(self, line_id: str) -> LineConfig:
        for line in self.lines:
            if line.id == line_id:
                return line
        raise KeyError(line_id)
