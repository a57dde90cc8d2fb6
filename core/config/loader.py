"""Load the factory YAML; an invalid file gets one error naming file, line, path and expectation."""

from __future__ import annotations

import os
import types
import typing
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from core.config.models import FactoryConfig
from core.errors import ConfigError

_REPO_CONFIG = Path(__file__).resolve().parents[2] / "configs" / "factory.yaml"


def default_factory_path() -> Path:
    """`ATELIER_FACTORY` if set, else the demo plant in `configs/factory.yaml`."""
    return Path(os.environ.get("ATELIER_FACTORY", _REPO_CONFIG))


class _StrictLoader(yaml.SafeLoader):
    """Safe YAML that refuses a key given twice in one mapping (PyYAML keeps the last)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)  # type: ignore[no-untyped-call]
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key {key!r} appears twice in one mapping", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _location(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _line(node: yaml.Node | None, loc: tuple[int | str, ...]) -> int | None:
    """The 1-based line in the file of the deepest node on `loc` that exists."""
    best = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if k.value == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            node = node.value[part] if part < len(node.value) else None
        else:
            node = None
        if node is None:
            break
        best = node.start_mark.line + 1
    return best


def _model_at(loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    """The pydantic model that owns the value at `loc` (to list the keys it accepts)."""
    kind: Any = FactoryConfig
    for part in loc:
        while typing.get_origin(kind) in (typing.Union, types.UnionType, list, dict):
            args = [a for a in typing.get_args(kind) if a is not type(None)]
            kind = args[-1]  # list[X] -> X, dict[str, X] -> X, X | None -> X
        if not (isinstance(kind, type) and issubclass(kind, BaseModel)):
            return None
        if isinstance(part, str) and part in kind.model_fields:
            kind = kind.model_fields[part].annotation
        elif isinstance(part, str):
            return None
    return kind if isinstance(kind, type) and issubclass(kind, BaseModel) else None


def _problem(err: Any) -> str:
    where = _location(err["loc"])
    if err["type"] == "extra_forbidden":
        owner = _model_at(err["loc"][:-1])
        known = f"; expected one of {', '.join(owner.model_fields)}" if owner else ""
        return f"{where}: unknown key{known}"
    msg = str(err["msg"]).removeprefix("Value error, ")
    got = err.get("input")
    shown = "" if err["type"] == "missing" or isinstance(got, dict | list) else f" (got {got!r})"
    return f"{where}: {msg}{shown}"


def load_factory(path: str | Path | None = None) -> FactoryConfig:
    """The plant from a YAML file (default: `default_factory_path()`)."""
    path = Path(path) if path is not None else default_factory_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: file not found") from exc
    except IsADirectoryError as exc:
        raise ConfigError(f"{path}: a folder, expected a YAML file") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not a UTF-8 text file ({exc.reason})") from exc
    try:
        tree = yaml.compose(text, Loader=_StrictLoader)
        data = yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError(f"{path}: not valid YAML{where}: {getattr(exc, 'problem', exc)}") from exc
    if not isinstance(data, dict):
        raise ConfigError(
            f"{path}: expected a mapping (name, lines, shifts, ...) at the top level, "
            f"got {type(data).__name__}"
        )
    try:
        return FactoryConfig.model_validate(data)
    except ValidationError as exc:
        problems = [
            f"line {_line(tree, tuple(err['loc']))}: {_problem(err)}" for err in exc.errors()
        ]
        raise ConfigError(f"{path}: " + "; ".join(problems)) from exc
