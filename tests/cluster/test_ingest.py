"""Central ingest without Ray: idempotent storing, the line's agent row, plans waiting."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select

from cluster.ingest import CentralIngest
from cluster.status import line_statuses
from core.db import make_engine
from core.events import Event, EventType, new_event_id, utcnow
from core.schema import TelemetryAggregateRow
from tests.cluster.conftest import agent_row, stored_ids


def _beat(line: str, seconds_ago: float) -> Event:
    return Event(
        line=line, type=EventType.AGENT_HEARTBEAT, time=utcnow() - timedelta(seconds=seconds_ago)
    )


def test_batch_stored_once_and_row_updated(store_url):
    ingest = CentralIngest(store_url)
    batch = [_beat("L1", 5), _beat("L1", 1), Event(line="L1", type=EventType.AGENT_STARTED)]
    reply = ingest.ship("L1", "node-a", [e.to_dict() for e in batch], outbox_depth=7)
    assert reply == {
        "stored": 3,
        "rejected": [],
        "rejected_at": [],
        "plans": [],
        "model": None,
        "commands": [],
    }
    again = ingest.ship("L1", "node-a", [e.to_dict() for e in batch], outbox_depth=0)
    assert again["stored"] == 0
    assert sorted(stored_ids(store_url, "L1")) == sorted(e.id for e in batch)
    row = agent_row(store_url, "L1")
    assert row is not None
    assert row.events_shipped == 3
    assert row.outbox_depth == 0
    assert row.last_heartbeat == batch[1].time
    assert row.node_id == "node-a"


def test_older_heartbeat_replayed_later_does_not_move_last_heartbeat_back(store_url):
    ingest = CentralIngest(store_url)
    new, old = _beat("L1", 1), _beat("L1", 3600)
    ingest.ship("L1", "n", [new.to_dict()], 0)
    ingest.ship("L1", "n", [old.to_dict()], 0)
    assert agent_row(store_url, "L1").last_heartbeat == new.time  # type: ignore[union-attr]


def test_link_states_follow_the_latest_event(store_url):
    ingest = CentralIngest(store_url)
    now = utcnow()
    states = [
        Event(
            line="L1",
            type=EventType.LINK_STATE,
            time=now - timedelta(seconds=s),
            payload={"link": "uplink", "state": st, "since": "x"},
        )
        for s, st in ((2, "connected"), (9, "reconnecting"))
    ]
    ingest.ship("L1", "n", [e.to_dict() for e in states], 0)
    assert agent_row(store_url, "L1").links == {"uplink": {"state": "connected", "since": "x"}}  # type: ignore[union-attr]


def test_plans_wait_until_delivered(store_url):
    ingest = CentralIngest(store_url)
    ingest.publish_plan("L1", "P1", {"bundles": ["B1"]})
    assert ingest.ship("L1", "n", [], 0)["plans"] == [("P1", {"bundles": ["B1"]})]
    assert ingest.ship("L2", "n", [], 0)["plans"] == []
    ingest.plans_delivered("L1", ["P1"])
    assert ingest.ship("L1", "n", [], 0)["plans"] == []


def test_status_online_offline_and_never_seen(store_url):
    ingest = CentralIngest(store_url)
    ingest.ship("L1", "n", [_beat("L1", 2).to_dict()], 3)
    ingest.ship("C1", "n", [_beat("C1", 60).to_dict()], 0)
    engine = make_engine(store_url)
    status = {s.line: s for s in line_statuses(engine, ["C1", "L1", "L9"], online_within_s=10)}
    engine.dispose()
    assert status["L1"].online and status["L1"].outbox_depth == 3
    assert not status["C1"].online and status["C1"].heartbeat_age_s >= 60
    assert not status["L9"].online and status["L9"].last_heartbeat is None


def test_malformed_events_are_refused_by_reason_and_the_rest_stored(store_url):
    ingest = CentralIngest(store_url)
    good = Event(line="L1", type=EventType.ANDON_CALLED, station="S3")
    long_station = Event(line="L1", type=EventType.ANDON_CALLED, station="S" * 40)
    no_type = {"id": "e-no-type", "line": "L1", "time": utcnow().isoformat()}
    naive = dict(good.to_dict(), id="e-naive", time="2026-11-22T06:00:00")
    reply = ingest.ship(
        "L1", "n", [good.to_dict(), long_station.to_dict(), no_type, naive], outbox_depth=0
    )
    assert reply["stored"] == 1
    reasons = dict(reply["rejected"])
    assert reasons[long_station.id] == "station longer than 32 characters"
    assert reasons["e-no-type"].startswith("not an event: KeyError")
    assert reasons["e-naive"] == "time has no time zone"
    assert stored_ids(store_url, "L1") == [good.id]


def test_operators_commands_go_out_with_each_reply_until_delivered(store_url):
    from core.commands import queue_command
    from core.db import transaction

    engine = make_engine(store_url)
    with transaction(engine) as s:
        first = queue_command(s, "L1", "S3", "start", "B-1", "COLLAR", "olga")
        second = queue_command(s, "L1", "S3", "scan", "B-2", None, "olga")
        queue_command(s, "C1", "C1-T1", "finish", "B-7", "CUT", "carl")
    engine.dispose()
    ingest = CentralIngest(store_url)
    reply = ingest.ship("L1", "n", [], 0)
    assert [c["id"] for c in reply["commands"]] == [first.id, second.id]
    assert reply["commands"][1] == second.to_dict()
    # Not acknowledged (the uplink lost the reply): offered again.
    assert [c["id"] for c in ingest.ship("L1", "n", [], 0)["commands"]] == [first.id, second.id]
    assert ingest.commands_delivered("L1", [first.id]) == 1
    assert ingest.commands_delivered("L1", [first.id]) == 0
    assert [c["id"] for c in ingest.ship("L1", "n", [], 0)["commands"]] == [second.id]


def test_events_as_json_texts_are_stored_and_a_bad_text_is_refused_alone(store_url):
    ingest = CentralIngest(store_url)
    good = [_beat("L1", 2), Event(line="L1", type=EventType.ANDON_CALLED, station="S3")]
    texts = [json.dumps(e.to_dict()) for e in good]
    broken = '{"id": "e-cut", "line": "L1", "ty'
    naive = json.dumps(dict(good[1].to_dict(), id="e-naive", time="2026-11-22T06:00:00"))
    reply = ingest.ship("L1", "n", [texts[0], broken, naive, texts[1], "[1, 2]"], outbox_depth=0)
    assert reply["stored"] == 2
    reasons = dict(reply["rejected"])
    assert reasons["?"].startswith("not an event: TypeError")  # "[1, 2]": no id to name
    assert reasons["e-naive"] == "time has no time zone"
    assert reply["rejected_at"] == [1, 2, 4]  # positions: the cut text has no id to name
    assert any(r.startswith("not an event: JSONDecodeError") for _, r in reply["rejected"])
    assert sorted(stored_ids(store_url, "L1")) == sorted(e.id for e in good)
    assert ingest.ship("L1", "n", texts, outbox_depth=0)["stored"] == 0


def test_aggregate_the_telemetry_table_cannot_hold_stays_an_event_and_the_rest_is_stored(
    store_url,
):
    ingest = CentralIngest(store_url)
    second = utcnow().replace(microsecond=0)

    def aggregate(station: str, mean: float) -> Event:
        signals = {"speed": {"min": 1.0, "max": 3.0, "mean": mean, "last": 2.0, "count": 5}}
        payload = {"second": second.isoformat(), "signals": signals}
        return Event(line="L1", station=station, type=EventType.TELEMETRY_AGGREGATE,
                     time=second, payload=payload)  # fmt: skip

    # Station names of this run only: with PostgreSQL the store is shared and not emptied here.
    ok_station, bad_station = f"S{new_event_id()[:8]}", f"S{new_event_id()[:8]}"
    good, bad = aggregate(ok_station, 2.0), aggregate(bad_station, 9.0)  # mean > max: a CHECK
    reply = ingest.ship("L1", "n", [json.dumps(e.to_dict()) for e in (good, bad)], 0)
    assert reply["stored"] == 2 and reply["rejected"] == []
    engine = make_engine(store_url)
    with engine.connect() as conn:
        rows = conn.execute(
            select(TelemetryAggregateRow.station).where(
                TelemetryAggregateRow.station.in_([ok_station, bad_station])
            )
        ).all()
    engine.dispose()
    assert rows == [(ok_station,)]
