"""What `atelier status` and the HMI show about the lines' agents and the cluster's nodes."""

from __future__ import annotations

import json
import logging
import socket
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from core.events import utcnow
from core.schema import LineAgentRow

log = logging.getLogger(__name__)


@dataclass
class LineStatus:
    """One line's agent as the centre last heard of it."""

    line: str
    online: bool
    last_heartbeat: datetime | None
    heartbeat_age_s: float | None
    outbox_depth: int
    events_shipped: int
    node_id: str | None
    links: dict[str, Any] = field(default_factory=dict)
    model_version: str | None = None  # the inspection model the line's cameras last loaded

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["last_heartbeat"] = self.last_heartbeat.isoformat() if self.last_heartbeat else None
        return out


def line_statuses(
    engine: Engine, lines: list[str] | None = None, online_within_s: float = 10.0
) -> list[LineStatus]:
    """Each line's agent status; configured lines the centre never heard of show as offline."""
    now = utcnow()
    with engine.connect() as conn:
        rows = {r.line: r for r in conn.execute(select(LineAgentRow.__table__))}
    names = list(lines or []) + sorted(set(rows) - set(lines or []))
    out = []
    for name in names:
        row = rows.get(name)
        beat = row.last_heartbeat if row is not None else None
        age = (now - beat).total_seconds() if beat is not None else None
        out.append(
            LineStatus(
                line=name,
                online=age is not None and age <= online_within_s,
                last_heartbeat=beat,
                heartbeat_age_s=round(age, 1) if age is not None else None,
                outbox_depth=row.outbox_depth if row is not None else 0,
                events_shipped=row.events_shipped if row is not None else 0,
                node_id=row.node_id if row is not None else None,
                links=dict(row.links or {}) if row is not None else {},
                model_version=row.model_version if row is not None else None,
            )
        )
    return out


def local_outbox(home: Path, line: str) -> dict[str, Any] | None:
    """The line's outbox on this machine (depth, link states), when the line runs here.

    This is what shows an uplink reconnecting while the centre is gone: the store cannot.
    """
    from edge_agents.outbox import Outbox, outbox_path

    path = outbox_path(line, home)
    if not path.exists():
        return None
    with Outbox(path) as box:
        links = {
            name: {"state": state, "since": since.isoformat(), "detail": detail}
            for name, (state, since, detail) in box.links().items()
        }
        return {"outbox_depth": box.depth(), "links": links}


def known_address(home: Path) -> str | None:
    """The Ray address `atelier up` recorded in the home folder, if any."""
    path = home / "cluster.json"
    try:
        return str(json.loads(path.read_text(encoding="utf-8"))["address"])
    except (FileNotFoundError, KeyError, ValueError):
        return None


def _reachable(address: str) -> bool:
    host, _, port = address.rpartition(":")
    try:
        with socket.create_connection((host, int(port)), timeout=1.0):
            return True
    except (OSError, ValueError):
        return False


def cluster_nodes(address: str) -> list[dict[str, Any]] | None:
    """The cluster's nodes (alive, resources, labels); None when the cluster is not reachable."""
    if not _reachable(address):
        return None
    import ray

    from cluster.roles import NAMESPACE

    ray.init(address=address, namespace=NAMESPACE, log_to_driver=False, logging_level="ERROR")
    try:
        return [
            {
                "node_id": n["NodeID"],
                "alive": bool(n["Alive"]),
                "address": n.get("NodeManagerAddress"),
                "resources": {
                    k: v for k, v in n.get("Resources", {}).items() if not k.startswith("node:")
                },
                "labels": {
                    k: v for k, v in n.get("Labels", {}).items() if not k.startswith("ray.io/")
                },
            }
            for n in ray.nodes()
        ]
    finally:
        ray.shutdown()
