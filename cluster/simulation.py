"""What `atelier up` prepares before simulated lines start: certificates and the OPC-UA password.

Certificates are made once, here, before any simulator or agent starts (concurrent first starts
would each make a different plant CA). The password the simulators accept and the agents send
comes from the environment; if it is not set, one is generated into the Atelier home (0600)
and kept for later runs.
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Callable
from pathlib import Path

from core.config.models import FactoryConfig

log = logging.getLogger(__name__)

PASSWORD_FILE = "opcua_password"


def password_names(plant: FactoryConfig) -> list[str]:
    """Environment variables named by the simulated lines' OPC-UA endpoints."""
    names = {
        s.opcua.password_env
        for line in plant.lines
        if line.simulate
        for s in line.stations
        if s.opcua is not None and s.opcua.password_env
    }
    return sorted(names)


def ensure_password(home: Path) -> str:
    """The generated simulator password in `home`, made (0600, never half-written) if missing."""
    path = home / PASSWORD_FILE
    if not path.exists():
        home.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(secrets.token_urlsafe(24))
        os.replace(tmp, path)
        log.info("generated the simulators' OPC-UA password in %s", path)
    return path.read_text(encoding="utf-8").strip()


def prepare_simulation(
    plant: FactoryConfig,
    home: Path,
    env: dict[str, str],
    progress: Callable[[str], None],
) -> dict[str, str]:
    """Make the plant CA and line certificates (kept if present) and return the environment
    additions (passwords) the simulators and agents need."""
    from edge_agents.opcua import certs

    folder = home / "certs"
    folder.mkdir(parents=True, exist_ok=True)
    certs.make_ca(folder)
    for line in plant.lines:
        for name, role in ((f"agent-{line.id}", "client"), (f"sim-{line.id}", "server")):
            certs.ensure(name, role, folder)
    progress(f"certificates in {folder}")
    added: dict[str, str] = {}
    for name in password_names(plant):
        if not env.get(name):
            added[name] = ensure_password(home)
            progress(f"{name} not set: simulators and agents use {home / PASSWORD_FILE}")
    return added
