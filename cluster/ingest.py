"""Central ingest: stores each line's events exactly once and keeps the lines' agent rows.

Runs as a Ray actor on the `central` node. A batch is committed in one transaction together with
the line's row (last heartbeat, outbox depth, events shipped, link states); the uplink marks the
batch shipped only after this returns, and a replay adds nothing because ingest is idempotent on
the event id. Telemetry aggregates also fill the telemetry table (once per station, signal and
second); alarm events keep the alarm journal, each applied when its event is first stored.
Plans published for a line (`core.plan_deliveries`) and operators' commands for a line
(`core.commands`) wait in the store, so a restarted actor or centre still has them, and go out
with each reply until the uplink says they are in the line's inbox. Each reply also names the promoted inspection model
(`cluster.model_delivery`), whose files `model_file` hands to the uplinks.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from cluster.model_delivery import ModelOffers, apply_model_events
from core import jsontext
from core.commands import mark_delivered, waiting_commands
from core.db import make_engine, transaction
from core.errors import InputError
from core.events import Event, EventType
from core.plan_deliveries import mark_plans_delivered, queue_plan, waiting_plans
from core.schema import LineAgentRow
from core.settings import atelier_home
from core.store_alarms import ALARM_EVENTS, apply_alarm_events
from core.store_events import store_new_events
from core.store_telemetry import (
    aggregate_values,
    project_pending,
    queue_aggregates,
    store_aggregate_values,
)

log = logging.getLogger(__name__)

TELEMETRY_INLINE_MAX = 500  # events in a batch beyond which its aggregates are queued
TELEMETRY_CATCH_UP = 2_000  # queued aggregates projected after each smaller batch


class CentralIngest:
    """The centre's end of the event path (wrapped with `ray.remote` in `cluster.services`)."""

    def __init__(self, database_url: str, home: str | None = None) -> None:
        self.engine = make_engine(database_url)
        # Model folders are registered relative to the centre's home.
        self.models = ModelOffers(Path(home) if home else atelier_home())
        # Whether `telemetry_pending` may hold anything: unknown at start (a backlog queued
        # before a restart), so the first small batch looks; cleared when a look finds it drained.
        self._telemetry_queued = True

    def ping(self) -> bool:
        return True

    def node_id(self) -> str:
        import ray

        return ray.get_runtime_context().get_node_id()

    def ship(
        self, line: str, node_id: str, events: list[dict[str, Any] | str], outbox_depth: int
    ) -> dict[str, Any]:
        """Store a batch from a line's uplink.

        `events`: each an event as a dict (`Event.to_dict()`) or as its JSON text, as the
        outbox keeps it (what the uplink sends: no decoding and re-encoding at the line).
        Returns how many were new, the events refused as malformed (id and reason, and their
        positions in `events`; they would otherwise block the line's outbox for ever) and the
        plans waiting for the line.
        """
        with _cyclic_gc_paused():
            return self._ship(line, node_id, events, outbox_depth)

    def _ship(
        self, line: str, node_id: str, events: list[dict[str, Any] | str], outbox_depth: int
    ) -> dict[str, Any]:
        batch: list[Event] = []
        rejected: list[tuple[str, str]] = []
        rejected_at: list[int] = []  # their positions in `events`: a text may have no id to name
        for position, item in enumerate(events):
            event, problem = _check(item)
            if event is not None:
                batch.append(event)
            else:
                rejected.append((_event_id(item), problem))
                rejected_at.append(position)
        if rejected:
            log.error("line %s: refused %d malformed events: %s", line, len(rejected), rejected[:3])
        with transaction(self.engine) as session:
            new = store_new_events(session, batch)
            # Side work for the new events only: a replay touches neither table again.
            backlog = len(events) > TELEMETRY_INLINE_MAX
            if backlog:
                self._telemetry_queued = (
                    queue_aggregates(session, new) > 0 or self._telemetry_queued
                )
            else:
                store_aggregate_values(session, _aggregates(line, new))
            apply_alarm_events(session, [e for e in new if e.type in ALARM_EVENTS])
            row = session.get(LineAgentRow, line)
            if row is None:
                row = LineAgentRow(line=line, outbox_depth=0, events_shipped=0, links={})
                session.add(row)
            row.node_id = node_id
            row.outbox_depth = outbox_depth
            row.events_shipped = (row.events_shipped or 0) + len(new)
            beats = [e.time for e in batch if e.type == EventType.AGENT_HEARTBEAT]
            if beats:
                latest = max(beats)
                if row.last_heartbeat is None or latest > row.last_heartbeat:
                    row.last_heartbeat = latest
            links = dict(row.links or {})
            for e in sorted(batch, key=lambda ev: ev.time):
                if e.type == EventType.LINK_STATE and "link" in e.payload:
                    links[str(e.payload["link"])] = {
                        "state": e.payload.get("state"),
                        "since": e.payload.get("since", e.time.isoformat()),
                    }
            row.links = links
            apply_model_events(row, batch)
            model = self.models.offer(session)
            # What waits for the line goes back in the same reply, read in the same transaction.
            plans = waiting_plans(session, line)
            commands = [c.to_dict() for c in waiting_commands(session, line)]
        if new:
            log.debug("line %s: stored %d new of %d events", line, len(new), len(batch))
        if not backlog and self._telemetry_queued:
            self._catch_up_telemetry()
        return {
            "stored": len(new),
            "rejected": rejected,
            "rejected_at": rejected_at,
            "plans": plans,
            "model": model,
            "commands": commands,
        }

    def _catch_up_telemetry(self) -> None:
        """Project queued aggregates in a transaction of their own: a fault here must not
        refuse the line's batch (already stored); the queue keeps them for the next try."""
        try:
            with transaction(self.engine) as session:
                done = project_pending(session, TELEMETRY_CATCH_UP)
            self._telemetry_queued = done == TELEMETRY_CATCH_UP  # a full take: more may wait
        except Exception:
            log.exception(
                "telemetry catch-up failed; the queued aggregates wait for the next batch"
            )
            return
        if done:
            log.debug("telemetry catch-up: %d queued aggregates projected", done)

    def commands_delivered(self, line: str, command_ids: list[str]) -> int:
        """The uplink wrote these commands into the line's inbox; stop sending them."""
        with transaction(self.engine) as session:
            return mark_delivered(session, line, command_ids)

    def publish_plan(self, line: str, plan_id: str, payload: dict[str, Any]) -> None:
        """Queue a plan for a line (in the store); its uplink delivers it into the agent's inbox."""
        with transaction(self.engine) as session:
            queue_plan(session, line, plan_id, payload)
        log.info("plan %s queued for line %s", plan_id, line)

    def plans_delivered(self, line: str, plan_ids: list[str]) -> None:
        """The uplink wrote these plans into the line's inbox; stop offering them."""
        with transaction(self.engine) as session:
            mark_plans_delivered(session, line, plan_ids)

    def pending_plans(self, line: str) -> list[str]:
        """The line's published plans not yet in its inbox, in the order they were published."""
        with transaction(self.engine) as session:
            return [plan_id for plan_id, _ in waiting_plans(session, line)]

    def model_file(self, version: str, name: str) -> dict[str, Any]:
        """One file of a model version for a line's uplink: `{"data": ...}` or `{"error": ...}`."""
        with transaction(self.engine) as session:
            return self.models.file(session, version, name)


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """A batch of 5,000 decoded events allocates hundreds of thousands of objects, none in a
    cycle, and Python's cyclic collector ran over and over during it: about a fifth of ingest's
    time. It is paused for the batch and runs as usual after (anything cyclic is then found)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _aggregates(line: str, events: list[Event]) -> list[dict[str, Any]]:
    """Telemetry rows of the aggregates among `events`; a malformed one stays a plain event."""
    rows: list[dict[str, Any]] = []
    for e in events:
        if e.type != EventType.TELEMETRY_AGGREGATE:
            continue
        try:
            rows.extend(aggregate_values(e))
        except InputError as exc:
            log.error("line %s: %s; kept as an event only", line, exc)
    return rows


def _event_id(item: dict[str, Any] | str) -> str:
    """The id of an item that is not an event, as far as it can be told, for the reply."""
    if isinstance(item, str):
        try:
            item = jsontext.loads(item)
        except ValueError:
            return "?"
    return str(item.get("id", "?"))[:64] if isinstance(item, dict) else "?"


def _check(item: dict[str, Any] | str) -> tuple[Event | None, str]:
    """An event the store can hold, or the reason it cannot (column sizes as in `EventRow`)."""
    try:
        data = jsontext.loads(item) if isinstance(item, str) else item
        event = Event.from_dict(data)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        return None, f"not an event: {type(exc).__name__}: {exc}"
    if event.time.tzinfo is None:
        return None, "time has no time zone"
    for name, value, limit in (
        ("id", event.id, 64),
        ("line", event.line, 32),
        ("station", event.station or "", 32),
        ("type", event.type, 64),
    ):
        if not value and name != "station":
            return None, f"{name} is empty"
        if len(value) > limit:
            return None, f"{name} longer than {limit} characters"
    if isinstance(item, str):
        return event, ""  # decoded from JSON text: its payload is JSON
    try:
        jsontext.dumps(event.payload)
    except (TypeError, ValueError) as exc:
        return None, f"payload is not JSON: {exc}"
    return event, ""
