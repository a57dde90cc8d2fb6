"""Moving the simulated lines' OPC-UA endpoints to other ports (tests, two demos on one PC).

The demo factory serves its simulated lines on fixed ports (48400, 48410). With
`ATELIER_OPCUA_PORT_BASE=N` in the environment (or `atelier up --opcua-port-base N`), the
distinct endpoint URLs of the `simulate: true` lines get ports N, N+1, ... in the order of the
factory file; simulator and agent apply the same rule, so they still meet.
"""

from __future__ import annotations

import logging
import os
from urllib.parse import urlsplit, urlunsplit

from core.config.models import FactoryConfig
from core.errors import ConfigError

log = logging.getLogger(__name__)

PORT_BASE_ENV = "ATELIER_OPCUA_PORT_BASE"


def port_base_from_env() -> int | None:
    """The port base from `ATELIER_OPCUA_PORT_BASE`, or None when it is not set."""
    text = os.environ.get(PORT_BASE_ENV, "").strip()
    if not text:
        return None
    try:
        base = int(text)
    except ValueError:
        raise ConfigError(f"{PORT_BASE_ENV} must be a port number, got {text!r}") from None
    if not 1024 <= base <= 65000:
        raise ConfigError(f"{PORT_BASE_ENV} must be between 1024 and 65000, got {base}")
    return base


def with_port_base(factory: FactoryConfig, base: int | None = None) -> FactoryConfig:
    """`factory` with its simulated endpoints moved to `base`, `base`+1, ... (None: the
    environment's base; no base at all: `factory` unchanged)."""
    base = base if base is not None else port_base_from_env()
    if base is None:
        return factory
    data = factory.model_dump()
    moved: dict[str, str] = {}
    for line in data["lines"]:
        if not line.get("simulate", True):
            continue
        for station in line["stations"]:
            endpoint = station.get("opcua")
            if endpoint is None:
                continue
            url = endpoint["url"]
            if url not in moved:
                parts = urlsplit(url)
                netloc = f"{parts.hostname}:{base + len(moved)}"
                moved[url] = urlunsplit(parts._replace(netloc=netloc))
            endpoint["url"] = moved[url]
    for old, new in moved.items():
        log.info("simulated OPC-UA endpoint %s moved to %s", old, new)
    return FactoryConfig.model_validate(data)
