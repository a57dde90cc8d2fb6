"""Node ids of a machine: its type's profile with `{machine}` replaced by the machine's name."""

from __future__ import annotations

from core.config.models import MachineProfile
from core.errors import ConfigError

SIGNALS = tuple(MachineProfile.model_fields)


def machine_nodes(profile: MachineProfile, machine: str) -> dict[str, str]:
    """Signal name (e.g. 'speed') to node id for `machine`; signals not in the profile left out."""
    nodes: dict[str, str] = {}
    for signal in SIGNALS:
        template = getattr(profile, signal)
        if template is None:
            continue
        if "{machine}" not in template:
            raise ConfigError(
                f"machine profile node id {template!r} ({signal}) has no {{machine}} placeholder"
            )
        nodes[signal] = template.replace("{machine}", machine)
    return nodes
