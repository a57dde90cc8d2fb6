"""Factory configuration: pydantic models loaded from YAML (see `configs/factory.yaml`)."""

from core.config.loader import default_factory_path, load_factory
from core.config.models import (
    CameraConfig,
    FactoryConfig,
    LineConfig,
    MachineProfile,
    OpcUaEndpoint,
    SerialDeviceConfig,
    ShiftConfig,
    StationConfig,
)

__all__ = [
    "CameraConfig",
    "FactoryConfig",
    "LineConfig",
    "MachineProfile",
    "OpcUaEndpoint",
    "SerialDeviceConfig",
    "ShiftConfig",
    "StationConfig",
    "default_factory_path",
    "load_factory",
]
