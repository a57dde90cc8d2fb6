"""The line's outbox: durable append, order, shipping marks, inbox and link states."""

from __future__ import annotations

import json
import sqlite3
import threading

import pytest

from core.errors import InputError
from core.events import Event, EventType
from edge_agents.outbox import Outbox


def _events(n: int, line: str = "L1") -> list[Event]:
    return [Event(line=line, type=EventType.AGENT_HEARTBEAT, payload={"beat": i}) for i in range(n)]


def test_append_reads_back_in_order_and_survives_reopen(tmp_path):
    path = tmp_path / "L1.sqlite"
    events = _events(5)
    with Outbox(path) as box:
        box.append(events)
    with Outbox(path) as box:
        got = box.unshipped()
        assert [e.id for e in got] == [e.id for e in events]
        assert [e.payload["beat"] for e in got] == [0, 1, 2, 3, 4]
        assert got[0].time == events[0].time
        assert box.depth() == 5


def test_wal_and_full_sync(tmp_path):
    with Outbox(tmp_path / "L1.sqlite") as box:
        assert box._conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert box._conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_mark_shipped_removes_from_unshipped_and_counts(tmp_path):
    with Outbox(tmp_path / "L1.sqlite") as box:
        events = _events(4)
        box.append(events)
        box.mark_shipped([events[0].id, events[2].id])
        assert [e.id for e in box.unshipped()] == [events[1].id, events[3].id]
        assert box.depth() == 2
        assert box.shipped_count() == 2


def test_same_event_twice_is_kept_once(tmp_path):
    with Outbox(tmp_path / "L1.sqlite") as box:
        events = _events(2)
        box.append(events)
        box.append(events)
        assert box.depth() == 2


def test_unshipped_respects_limit(tmp_path):
    with Outbox(tmp_path / "L1.sqlite") as box:
        events = _events(10)
        box.append(events)
        assert [e.id for e in box.unshipped(limit=3)] == [e.id for e in events[:3]]


def test_two_writers_in_parallel_lose_nothing(tmp_path):
    path = tmp_path / "L1.sqlite"
    written: list[str] = []
    lock = threading.Lock()

    def writer() -> None:
        with Outbox(path) as box:
            for _ in range(50):
                batch = _events(2)
                box.append(batch)
                with lock:
                    written.extend(e.id for e in batch)

    threads = [threading.Thread(target=writer) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with Outbox(path) as box:
        assert sorted(box.all_ids()) == sorted(written)
        assert len(written) == 300


def test_inbox_hands_each_plan_out_once(tmp_path):
    with Outbox(tmp_path / "L1.sqlite") as box:
        assert box.put_plan("P1", {"bundles": [1, 2]}) is True
        assert box.put_plan("P1", {"bundles": [1, 2]}) is False
        box.put_plan("P2", {"bundles": []})
        assert box.take_plans() == [("P1", {"bundles": [1, 2]}), ("P2", {"bundles": []})]
        assert box.take_plans() == []
        assert box.plan_ids() == ["P1", "P2"]


def test_link_since_changes_only_with_state(tmp_path):
    with Outbox(tmp_path / "L1.sqlite") as box:
        box.set_link("uplink", "reconnecting", "centre gone")
        since = box.links()["uplink"][1]
        box.set_link("uplink", "reconnecting", "still gone")
        assert box.links()["uplink"][1] == since
        assert box.links()["uplink"][2] == "still gone"
        box.set_link("uplink", "connected")
        state, later, _ = box.links()["uplink"]
        assert state == "connected" and later >= since


def test_not_a_database_is_a_clear_error(tmp_path):
    path = tmp_path / "L1.sqlite"
    path.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(InputError, match="L1.sqlite"):
        Outbox(path)


def test_failed_append_leaves_nothing(tmp_path):
    with Outbox(tmp_path / "L1.sqlite") as box:
        box._conn.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON outbox WHEN NEW.body LIKE '%\"beat\": 2%' "
            "BEGIN SELECT RAISE(ABORT, 'refused'); END"
        )
        with pytest.raises(sqlite3.IntegrityError):
            box.append(_events(4))
        assert box.depth() == 0


def test_prune_forgets_only_old_shipped_events(tmp_path):
    from datetime import timedelta

    from core.events import utcnow

    with Outbox(tmp_path / "L1.sqlite") as box:
        events = _events(3)
        box.append(events)
        box.mark_shipped([events[0].id])
        assert box.prune_shipped(utcnow() - timedelta(hours=1)) == 0
        assert box.prune_shipped(utcnow() + timedelta(seconds=1)) == 1
        assert box.all_ids() == [events[1].id, events[2].id]
        assert box.depth() == 2


def test_requeue_ships_kept_events_again(tmp_path):
    with Outbox(tmp_path / "L1.sqlite") as box:
        events = _events(3)
        box.append(events)
        box.mark_shipped([e.id for e in events[:2]])
        assert box.requeue_shipped() == 2
        assert [e.id for e in box.unshipped()] == [e.id for e in events]


def test_rejected_events_leave_the_queue_but_stay_in_the_file(tmp_path):
    with Outbox(tmp_path / "L1.sqlite") as box:
        events = _events(3)
        box.append(events)
        box.mark_rejected([(events[1].id, "station longer than 32 characters")])
        assert [e.id for e in box.unshipped()] == [events[0].id, events[2].id]
        assert box.depth() == 2
        assert box.rejected() == [(events[1].id, "station longer than 32 characters")]
        assert box.all_ids() == [e.id for e in events]


def test_unshipped_texts_in_order_within_the_byte_cap_and_marked_by_seq(tmp_path):
    with Outbox(tmp_path / "L1.sqlite") as box:
        events = _events(10)
        box.append(events)
        rows = box.unshipped_texts(limit=4)
        assert [i for _, i, _ in rows] == [e.id for e in events[:4]]
        assert [Event.from_dict(json.loads(t)) for _, _, t in rows] == events[:4]
        one = len(rows[0][2])
        # The cap cuts after whole events; the first always goes, however large.
        assert len(box.unshipped_texts(limit=10, max_bytes=one * 3 + 1)) == 3
        assert len(box.unshipped_texts(limit=10, max_bytes=1)) == 1
        # The uplink reads the next batch while the centre stores this one: after its last seq.
        following = box.unshipped_texts(limit=3, after=rows[-1][0])
        assert [i for _, i, _ in following] == [e.id for e in events[4:7]]
        box.mark_shipped_seqs([seq for seq, _, _ in rows])
        assert [i for _, i, _ in box.unshipped_texts()] == [e.id for e in events[4:]]
        assert box.depth() == 6 and box.shipped_count() == 4
