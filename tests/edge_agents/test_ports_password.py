"""Simulated endpoints on other ports, and the generated simulator password."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cluster.simulation import PASSWORD_FILE, ensure_password, password_names, prepare_simulation
from core.config.loader import load_factory
from core.errors import ConfigError
from edge_agents.opcua.ports import PORT_BASE_ENV, port_base_from_env, with_port_base


def _urls(factory, line: str) -> set[str]:  # noqa: ANN001
    return {s.opcua.url for s in factory.line(line).stations if s.opcua is not None}


def test_port_base_moves_each_simulated_endpoint_and_keeps_the_path() -> None:
    plant = load_factory(None)
    assert _urls(plant, "C1") == {"opc.tcp://127.0.0.1:48400/atelier/C1"}
    moved = with_port_base(plant, 50100)
    assert _urls(moved, "C1") == {"opc.tcp://127.0.0.1:50100/atelier/C1"}
    assert _urls(moved, "L1") == {"opc.tcp://127.0.0.1:50101/atelier/L1"}
    real = plant.model_copy(
        update={
            "lines": [plant.line("C1").model_copy(update={"simulate": False}), plant.line("L1")]
        }
    )
    assert _urls(with_port_base(real, 50100), "C1") == _urls(plant, "C1")  # a real line keeps it
    assert _urls(with_port_base(real, 50100), "L1") == {"opc.tcp://127.0.0.1:50100/atelier/L1"}


def test_port_base_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PORT_BASE_ENV, raising=False)
    assert port_base_from_env() is None
    assert with_port_base(load_factory(None)) == load_factory(None)
    monkeypatch.setenv(PORT_BASE_ENV, "50200")
    assert _urls(with_port_base(load_factory(None)), "C1") == {
        "opc.tcp://127.0.0.1:50200/atelier/C1"
    }
    for bad in ("fifty", "80", "70000"):
        monkeypatch.setenv(PORT_BASE_ENV, bad)
        with pytest.raises(ConfigError, match=PORT_BASE_ENV):
            port_base_from_env()


def test_password_is_generated_once_private_and_an_environment_one_wins(tmp_path: Path) -> None:
    plant = load_factory(None)
    assert password_names(plant) == ["ATELIER_OPCUA_PASSWORD"]
    home = tmp_path / "home"
    added = prepare_simulation(plant, home, {}, lambda _msg: None)
    secret = (home / PASSWORD_FILE).read_text()
    assert added == {"ATELIER_OPCUA_PASSWORD": secret} and len(secret) >= 24
    assert os.stat(home / PASSWORD_FILE).st_mode & 0o777 == 0o600
    assert ensure_password(home) == secret  # kept for later runs
    ca = (home / "certs" / "plant-ca.pem").read_bytes()
    again = prepare_simulation(plant, home, {"ATELIER_OPCUA_PASSWORD": "mine"}, lambda _m: None)
    assert again == {}
    assert (home / "certs" / "plant-ca.pem").read_bytes() == ca  # the CA is made once
    for line in ("C1", "L1"):
        assert (home / "certs" / f"agent-{line}.pem").exists()
        assert (home / "certs" / f"sim-{line}.pem").exists()
