"""Commands for a line's agent in the store: queued in the action's transaction, handed out in
order until delivered, marked delivered once; bad commands named."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.commands import (
    Command,
    mark_delivered,
    queue_command,
    undelivered_count,
    waiting_commands,
)
from core.db import transaction
from core.errors import InputError
from core.schema import LineCommandRow


def test_commands_wait_in_order_until_delivered(engine):
    with transaction(engine) as s:
        first = queue_command(s, "L1", "S3", "start", "B-101", "COLLAR", "olga", "ev-1")
        second = queue_command(s, "L1", "S3", "scan", " B-102 ", None, "olga")
        other = queue_command(s, "C1", "C1-T1", "finish", "B-7", "CUT", "carl")
    with transaction(engine) as s:
        waiting = waiting_commands(s, "L1")
        assert [c.id for c in waiting] == [first.id, second.id]
        assert waiting[1].bundle == "B-102" and waiting[1].operation is None
        assert undelivered_count(s, "S3") == 2
        assert waiting[0] == Command.from_dict(waiting[0].to_dict())  # travels intact
        assert mark_delivered(s, "L1", [first.id, other.id]) == 1  # another line's stays
    with transaction(engine) as s:
        assert mark_delivered(s, "L1", [first.id]) == 0  # a second acknowledgement: nothing
        assert [c.id for c in waiting_commands(s, "L1")] == [second.id]
        assert [c.id for c in waiting_commands(s, "C1")] == [other.id]
        row = s.scalar(select(LineCommandRow).where(LineCommandRow.id == first.id))
        assert row is not None and row.delivered_at is not None and row.event_id == "ev-1"


def test_a_rolled_back_action_leaves_no_command(engine):
    with pytest.raises(RuntimeError), transaction(engine) as s:
        queue_command(s, "L1", "S3", "start", "B-101", "COLLAR", "olga")
        raise RuntimeError("the audit row failed")
    with transaction(engine) as s:
        assert waiting_commands(s, "L1") == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kind": "rethread"}, "kind 'rethread' is not one of start, pause, finish, scrap, scan"),
        ({"operation": None}, "a finish needs the operation"),
        ({"bundle": ""}, "station and bundle are required"),
        ({"created_at": "yesterday"}, "command 'c1': Invalid isoformat string"),
    ],
)
def test_bad_commands_are_named(change, message):
    data = {
        "id": "c1",
        "line": "L1",
        "station": "S3",
        "kind": "finish",
        "bundle": "B-1",
        "operation": "COLLAR",
        "user": "olga",
        "created_at": "2026-11-22T08:00:00+00:00",
    } | change
    with pytest.raises(InputError, match=message):
        Command.from_dict(data)
    missing = {k: v for k, v in data.items() if k != "station"}
    with pytest.raises(InputError, match="command 'c1': missing station"):
        Command.from_dict(missing)
