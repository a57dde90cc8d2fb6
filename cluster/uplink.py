"""The uplink: a Ray actor on a line's node that ships the outbox to the centre, plans and
operators' commands back.

It reads the outbox file the line's agent writes on the same machine. A batch is marked shipped
only after central ingest has committed it, so a lost reply means a replay, never a loss. When
the centre is gone the uplink reconnects with growing spacing and records its state in the
outbox, where the agent turns each change into a `link.state` event. Each reply also names the
promoted inspection model; a version the line lacks is fetched into the line's models folder
and made `current` (`cluster.model_delivery`), where the cameras pick it up.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

import ray
from ray.exceptions import RayError

from cluster.model_delivery import ModelFollower
from cluster.roles import INGEST_NAME, NAMESPACE
from core.settings import atelier_home
from edge_agents.model_shelf import ModelDeliveryError, ModelShelf
from edge_agents.outbox import Outbox, outbox_path

log = logging.getLogger(__name__)

LINK = "uplink"


class Uplink:
    """Ships one line's outbox (wrapped with `ray.remote` in `cluster.services`)."""

    def __init__(
        self,
        line: str,
        outbox_file: str | None = None,
        batch_size: int = 5000,
        max_batch_bytes: int = 8 * 2**20,
        poll_s: float = 0.5,
        min_backoff_s: float = 0.5,
        max_backoff_s: float = 10.0,
        call_timeout_s: float = 30.0,
        models_dir: str | None = None,
        model_weights: bool = False,
    ) -> None:
        self.line = line
        self.outbox = Outbox(outbox_file or outbox_path(line))
        self.batch_size = batch_size
        self.max_batch_bytes = max_batch_bytes
        self.poll_s = poll_s
        self.min_backoff_s = min_backoff_s
        self.max_backoff_s = max_backoff_s
        self.call_timeout_s = call_timeout_s
        # models_dir: the line's models folder; model_weights: the cameras use the torch backend.
        shelf = ModelShelf(Path(models_dir) if models_dir else atelier_home() / "models")
        self.models = ModelFollower(shelf, with_weights=model_weights)
        self._node_id = ray.get_runtime_context().get_node_id()
        self._state = ""
        self._shipped = 0
        self._reconnects = 0
        # A backlog is shipped in a pipeline (`_ship_once`): the next batch, read while the
        # centre stores this one, and the sequence numbers of the last stored batch, marked
        # shipped while the centre stores the next.
        self._next: list[tuple[int, str, str]] | None = None
        self._stored: list[int] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"uplink-{line}", daemon=True)
        self._thread.start()
        log.info("uplink for line %s on node %s, outbox %s", line, self._node_id, self.outbox.path)

    def node_id(self) -> str:
        return self._node_id

    def status(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "node_id": self._node_id,
            "state": self._state,
            "shipped": self._shipped,
            "reconnects": self._reconnects,
            "outbox_depth": self.outbox.depth(),
            "model": self.models.shelf.delivered(),
            "model_error": self.models.last_error,
        }

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=self.call_timeout_s)
        if not self._thread.is_alive():
            self._mark_stored()  # the last committed batch, if the loop stopped before marking it

    def _set_state(self, state: str, detail: str = "") -> None:
        if state != self._state:
            self._state = state
            self.outbox.set_link(LINK, state, detail)
            log.info("uplink %s: %s %s", self.line, state, detail)

    def _run(self) -> None:
        ingest = None
        backoff = self.min_backoff_s
        while not self._stop.is_set():
            try:
                if ingest is None:
                    ingest = ray.get_actor(INGEST_NAME, namespace=NAMESPACE)
                full = self._ship_once(ingest)
                self._set_state("connected")
                backoff = self.min_backoff_s
                if not full:
                    self._stop.wait(self.poll_s)
            except (RayError, ValueError) as exc:
                # ValueError: the ingest actor is not (yet) registered; RayError: it died or hung.
                ingest = None
                self._reconnects += 1
                self._set_state("reconnecting", f"{type(exc).__name__}: {str(exc)[:160]}")
                self._stop.wait(backoff)
                backoff = min(backoff * 2, self.max_backoff_s)
            except Exception:
                log.exception("uplink %s: unexpected failure; retrying", self.line)
                self._stop.wait(backoff)
                backoff = min(backoff * 2, self.max_backoff_s)

    def _ship_once(self, ingest: Any) -> bool:
        """Ship one batch and take waiting plans; returns True when more is waiting.

        With a backlog the uplink and the centre work at once: while the centre stores this
        batch, the uplink marks the previous one shipped (its reply came: it is committed) and
        reads the next one. The centre still gets the batches one after the other, each only
        after the one before was committed, so the order per station holds; an uplink that dies
        before marking a stored batch ships it again, which stores nothing twice."""
        # The events travel as the JSON texts the outbox holds: one list of strings, which Ray
        # pickles cheaply, and which the centre decodes one by one (a bad one is refused alone).
        rows = self._next
        self._next = None
        if rows is None:
            rows = self.outbox.unshipped_texts(self.batch_size, self.max_batch_bytes)
        waiting = self.outbox.depth() - len(self._stored)  # the last batch is stored already
        pending = ingest.ship.remote(
            self.line, self._node_id, [body for _, _, body in rows], waiting - len(rows)
        )
        self._mark_stored()
        more = waiting > len(rows)
        if more and rows:
            self._next = self.outbox.unshipped_texts(
                self.batch_size, self.max_batch_bytes, after=rows[-1][0]
            )
        try:
            reply = ray.get(pending, timeout=self.call_timeout_s)
        except BaseException:
            self._next = None  # this batch goes again first
            raise
        # Refused events are set aside by position: a text that is not JSON has no id to name.
        reasons = [str(r) for _, r in reply.get("rejected", [])]
        refused = [(rows[at][1], reason) for at, reason in zip(reply["rejected_at"], reasons)]  # noqa: B905
        if refused:
            self.outbox.mark_rejected(refused)
            log.error("uplink %s: centre refused %d malformed events", self.line, len(refused))
        refused_ids = {i for i, _ in refused}
        self._stored = [seq for seq, i, _ in rows if i not in refused_ids]
        self._shipped += len(self._stored)
        if not more:
            self._mark_stored()  # nothing to overlap with
        plans = reply["plans"]
        for plan_id, payload in plans:
            self.outbox.put_plan(plan_id, payload)
        if plans:
            ray.get(
                ingest.plans_delivered.remote(self.line, [p for p, _ in plans]),
                timeout=self.call_timeout_s,
            )
        self._deliver_commands(ingest, reply)
        self.models.follow(reply.get("model"), lambda v, n: self._model_file(ingest, v, n))
        return more  # more waiting: ship again at once

    def _mark_stored(self) -> None:
        """Mark the batch the centre last committed as shipped (once)."""
        stored, self._stored = self._stored, []
        if stored:
            self.outbox.mark_shipped_seqs(stored)

    def _model_file(self, ingest: Any, version: str, name: str) -> bytes:
        reply = ray.get(ingest.model_file.remote(version, name), timeout=self.call_timeout_s)
        if "error" in reply:
            raise ModelDeliveryError(
                f"the centre cannot send {name} of model {version}: {reply['error']}"
            )
        return bytes(reply["data"])

    def _deliver_commands(self, ingest: Any, reply: dict[str, Any]) -> None:
        """Operators' commands into the agent's inbox, then acknowledged to the centre; a lost
        acknowledgement means a redelivery, which the inbox keeps once per command id."""
        commands = reply.get("commands") or []
        if not commands:
            return
        self.outbox.put_commands(commands)
        ray.get(
            ingest.commands_delivered.remote(self.line, [str(c["id"]) for c in commands]),
            timeout=self.call_timeout_s,
        )
