"""Placing the central services and the uplinks by role, and the client API other code uses.

Every function here expects `ray.init` to have been called (see `cluster.up`). Actors are named
in the `atelier` namespace, so a second `atelier up --address` finds them instead of doubling
them, and they restart by themselves on a node with the right resource after a failure.
"""

from __future__ import annotations

import logging
import uuid
from pathlib import Path
from typing import Any

import ray

from cluster.ingest import CentralIngest
from cluster.roles import INGEST_NAME, NAMESPACE, central_resources, line_resources, uplink_name
from cluster.uplink import Uplink

log = logging.getLogger(__name__)

_RemoteIngest = ray.remote(CentralIngest)
_RemoteUplink = ray.remote(Uplink)


def start_central(database_url: str, home: str | None = None) -> Any:
    """The central ingest actor on the `central` node (found, not doubled, if it already runs).

    `home` is the centre's Atelier home, where registered model folders are (default: the
    node's own)."""
    return _RemoteIngest.options(
        name=INGEST_NAME,
        namespace=NAMESPACE,
        get_if_exists=True,
        resources=central_resources(),
        num_cpus=0,
        max_restarts=-1,
    ).remote(database_url, home)


def start_uplink(line: str, outbox_file: str | None = None, **options: Any) -> Any:
    """A line's uplink, pinned to that line's node by its `line_<ID>` resource.

    It waits, pending, until such a node is in the cluster, and is restarted there after the node
    was lost. `outbox_file` defaults to the line's outbox in the node's own Atelier home.
    """
    return _RemoteUplink.options(
        name=uplink_name(line),
        namespace=NAMESPACE,
        get_if_exists=True,
        resources=line_resources(line),
        num_cpus=0,
        max_restarts=-1,
    ).remote(line, outbox_file, **options)


def connect(home: Path | None = None) -> None:
    """Join the cluster `atelier up` recorded in the home folder, unless already connected.

    For processes that are not started by Ray (the HMI, scripts) and want the client API.
    """
    if ray.is_initialized():
        return
    from cluster.status import known_address
    from cluster.token import enable_token_auth, token_path
    from core.errors import AtelierError
    from core.settings import atelier_home

    home = home or atelier_home()
    address = known_address(home)
    if address is None:
        raise AtelierError(f"no Atelier cluster is running ({home / 'cluster.json'} is missing)")
    if token_path(home).exists():
        enable_token_auth(token_path(home))
    ray.init(address=address, namespace=NAMESPACE, log_to_driver=False)


def deliver_plan(line: str, plan_payload: dict[str, Any], plan_id: str | None = None) -> str:
    """Publish a plan to a line: its uplink writes it into the agent's inbox. Returns the plan id.

    Connects to the running cluster first if needed. Delivery is at least once into the inbox,
    and the inbox keeps one copy per plan id.
    """
    connect()
    plan_id = plan_id or str(plan_payload.get("plan_id") or uuid.uuid4().hex)
    ingest = ray.get_actor(INGEST_NAME, namespace=NAMESPACE)
    ray.get(ingest.publish_plan.remote(line, plan_id, plan_payload))
    return plan_id
