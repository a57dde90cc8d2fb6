"""Shared fixtures: a private Atelier home, the OPC-UA password, a free port, the demo plant."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Callable

import pytest

from core.config.loader import load_factory
from core.config.models import FactoryConfig, OpcUaEndpoint

PASSWORD_ENV = "ATELIER_TEST_OPCUA_PASSWORD"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> float:
    """Wait for `condition` with a deadline; returns the seconds it took."""
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > timeout:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(0.02)
    return time.monotonic() - start


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("ATELIER_HOME", str(tmp_path / "home"))
    monkeypatch.setenv(PASSWORD_ENV, "thread-and-needle")
    return tmp_path / "home"


def plant_on_port(
    port: int, line: str = "L1", security: str = "Basic256Sha256_SignAndEncrypt"
) -> FactoryConfig:
    """The demo plant with `line`'s machines served on a loopback port of the test's own."""
    factory = load_factory()
    endpoint = OpcUaEndpoint(
        url=f"opc.tcp://127.0.0.1:{port}/atelier/{line}",
        security=security,
        username="atelier",
        password_env=PASSWORD_ENV,
    )
    for station in factory.line(line).stations:
        station.opcua = endpoint
    return factory
