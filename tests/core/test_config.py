"""The demo plant loads; a bad factory file gets one error naming file, line, path, expectation."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from core.config import default_factory_path, load_factory
from core.errors import ConfigError

DEMO = Path(__file__).resolve().parents[2] / "configs" / "factory.yaml"


def test_demo_plant_loads() -> None:
    factory = load_factory(DEMO)
    cutting = factory.line("C1")
    sewing = factory.line("L1")
    assert cutting.kind == "cutting" and sewing.kind == "sewing"
    assert [s.id for s in sewing.stations] == [f"S{i}" for i in range(1, 11)]
    types = {s.machine_type for s in sewing.stations}
    assert {
        "lockstitch",
        "overlock",
        "coverstitch",
        "buttonhole",
        "pressing",
        "inspection",
    } <= types
    assert any(d.kind == "plotter" for d in cutting.serial_devices)
    for line in factory.lines:
        for station in line.stations:
            if station.opcua is not None:
                profile = factory.machine_profiles[station.machine_type]
                assert "{machine}" in profile.state
    assert factory.shifts


def test_default_path_follows_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("ATELIER_FACTORY", raising=False)
    assert default_factory_path() == DEMO
    copy = tmp_path / "plant.yaml"
    copy.write_text(DEMO.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setenv("ATELIER_FACTORY", str(copy))
    assert load_factory().name == load_factory(DEMO).name


def _broken(tmp_path: Path, change: str, new: str, count: int = 1) -> Path:
    text = DEMO.read_text(encoding="utf-8")
    assert change in text
    path = tmp_path / "factory.yaml"
    path.write_text(text.replace(change, new, count), encoding="utf-8")
    return path


def _line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def _error(path: Path) -> str:
    with pytest.raises(ConfigError) as err:
        load_factory(path)
    message = str(err.value)
    assert message.startswith(f"{path}: ")
    return message


def test_wrong_literal_names_path_line_and_choices(tmp_path: Path) -> None:
    path = _broken(tmp_path, "machine_type: coverstitch", "machine_type: laser")
    message = _error(path)
    assert f"line {_line_of(path, 'laser')}: lines[1].stations[" in message
    assert ".machine_type: Input should be" in message and "'coverstitch'" in message
    assert "(got 'laser')" in message


def test_wrong_type(tmp_path: Path) -> None:
    path = _broken(tmp_path, "baudrate: 9600", "baudrate: fast")
    message = _error(path)
    assert f"line {_line_of(path, 'fast')}: lines[0].serial_devices[0].baudrate:" in message
    assert "valid integer" in message and "(got 'fast')" in message


def test_unknown_key_lists_the_accepted_ones(tmp_path: Path) -> None:
    path = _broken(tmp_path, "timezone:", "time_zone:")
    message = _error(path)
    assert "line 4: time_zone: unknown key; expected one of name, timezone," in message


def test_unknown_nested_key(tmp_path: Path) -> None:
    path = _broken(tmp_path, "    machine: SP01", "    machine: SP01\n    colour: red")
    message = _error(path)
    assert f"line {_line_of(path, 'colour')}: lines[0].stations[0].colour: unknown key" in message
    assert "machine_type" in message


def test_missing_key(tmp_path: Path) -> None:
    path = _broken(tmp_path, "  stations:", "  workplaces:")
    message = _error(path)
    assert "lines[0].stations: Field required" in message
    assert "lines[0].workplaces: unknown key" in message


def test_cross_checks_name_the_line(tmp_path: Path) -> None:
    path = _broken(tmp_path, "- id: S2", "- id: S1")
    assert "lines[1]: station ids repeat in line L1: ['S1']" in _error(path)


@pytest.mark.parametrize(
    "content, expected",
    [
        ("name: x\nlines: [\n", "not valid YAML at line 3, column 1"),
        ("name: x\n  bad indent: - y\n", "not valid YAML at line 2"),
        ("name: a\nname: b\n", "key 'name' appears twice"),
        ("- just\n- a list\n", "expected a mapping (name, lines, shifts, ...) at the top level"),
        ("", "expected a mapping"),
        ("name: x\n", "machine_profiles: Field required"),
    ],
    ids=["unclosed", "indent", "duplicate-key", "list", "empty", "incomplete"],
)
def test_not_a_factory(tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "factory.yaml"
    path.write_text(content, encoding="utf-8")
    assert expected in _error(path)


def test_unreadable_files(tmp_path: Path) -> None:
    assert "file not found" in _error(tmp_path / "nope.yaml")
    assert "a folder" in _error(tmp_path)
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("name: F\xe1brica\n".encode("latin-1"))
    assert "not a UTF-8 text file" in _error(latin)


def test_yaml_tags_that_run_code_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "factory.yaml"
    path.write_text("name: !!python/object/apply:os.system ['true']\n", encoding="utf-8")
    assert "not valid YAML" in _error(path)
    with pytest.raises(yaml.YAMLError):
        yaml.safe_load(path.read_text())
