"""Load the factory YAML; an invalid file gets one error naming file, path and expectation."""

from __future__ import annotations

import os
from pathlib import Path

import yaml
from pydantic import ValidationError

from core.config.models import FactoryConfig
from core.errors import ConfigError

_REPO_CONFIG = Path(__file__).resolve().parents[2] / "configs" / "factory.yaml"


def default_factory_path() -> Path:
    """`ATELIER_FACTORY` if set, else the demo plant in `configs/factory.yaml`."""
    return Path(os.environ.get("ATELIER_FACTORY", _REPO_CONFIG))


def _location(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def load_factory(path: str | Path | None = None) -> FactoryConfig:
    path = Path(path) if path is not None else default_factory_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: file not found") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not a text file ({exc.reason})") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError(f"{path}: not valid YAML{where}: {getattr(exc, 'problem', exc)}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level, got {type(data).__name__}")
    try:
        return FactoryConfig.model_validate(data)
    except ValidationError as exc:
        problems = [
            f"{_location(err['loc'])}: {err['msg']}"
            + (
                f" (got {err['input']!r})"
                if err["type"] != "missing" and not isinstance(err["input"], dict | list)
                else ""
            )
            for err in exc.errors()
        ]
        raise ConfigError(f"{path}: " + "; ".join(problems)) from exc
