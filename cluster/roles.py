"""Node roles and names in the Ray cluster: the conventions every package places work by.

The central node advertises the custom resource `central` and the label `role=central`; a
line's edge PC advertises `line_<ID>` and the label `line=<ID>`. Placement uses the resources
only, so it works the same with one node holding every role (embedded) and with a plant.
"""

from __future__ import annotations

NAMESPACE = "atelier"
CENTRAL = "central"
ROLE_UNITS = 100  # units each role resource advertises; an actor asks for 1
INGEST_NAME = "central_ingest"


def line_resource(line: str) -> str:
    """The custom resource a line's node advertises, e.g. `line_L1`."""
    return f"line_{line}"


def uplink_name(line: str) -> str:
    """The named Ray actor that carries a line's events to the centre and plans back."""
    return f"uplink_{line}"


def central_resources() -> dict[str, float]:
    """What central work asks for."""
    return {CENTRAL: 1}


def line_resources(line: str) -> dict[str, float]:
    """What a line's uplink asks for: it lands on that line's node only."""
    return {line_resource(line): 1}
