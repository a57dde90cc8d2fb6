"""The operator's actions reach the line: each becomes a command for the station's line in the
transaction of its audit row, and the page shows what the line's agent did with it (its own
execution events, refusals in red), not only the HMI's record."""

from __future__ import annotations

from sqlalchemy import select

from cluster.plan_versions import payload
from core.audit import recent
from core.commands import mark_delivered, waiting_commands
from core.db import transaction
from core.plans import published_plan
from core.schema import LineCommandRow
from core.store_events import store_events
from edge_agents.execution.commands import CommandRunner
from edge_agents.execution.state import ExecutionState
from edge_agents.outbox import Outbox
from tests.hmi.test_operator_page import OLGA, operator_events, page, store  # noqa: F401


def commands(engine) -> list[LineCommandRow]:
    with transaction(engine) as s:
        rows = s.scalars(select(LineCommandRow).order_by(LineCommandRow.seq)).all()
        s.expunge_all()
        return list(rows)


def test_actions_and_scans_become_commands_for_the_line(store):  # noqa: F811
    at = page(OLGA)
    at.button(key="op_start").click().run()
    at.text_input(key="scan").input("B-103").run()
    assert [s.value for s in at.success] == ["Bundle B-103 selected"]
    at.text_input(key="scan").input("B-900").run()  # S4's bundle: refused, nothing queued
    assert not at.exception
    (start, scan) = commands(store)
    (started,) = operator_events(store)
    assert (start.line, start.station, start.kind, start.bundle, start.operation) == (
        "L1",
        "S3",
        "start",
        "B-101",
        "COLLAR",
    )
    assert start.user == "olga" and start.event_id == started.id and start.delivered_at is None
    assert (scan.kind, scan.bundle, scan.operation) == ("scan", "B-103", None)
    with transaction(store) as s:
        entries = recent(s, 2)
    assert [(e.action, e.after["command"]) for e in entries] == [
        ("bundle.scan", scan.id),
        ("operation.start", start.id),
    ]
    assert entries[0].target == "station:S3/bundle:B-103"


def test_a_refused_action_sends_nothing(store):  # noqa: F811
    at = page(OLGA)
    assert at.button(key="op_finish").disabled
    at.text_input(key="scan").input("NOPE-1").run()
    assert commands(store) == []


def test_the_page_shows_what_the_line_did_and_what_still_waits(store, tmp_path):  # noqa: F811
    at = page(OLGA)
    at.button(key="op_start").click().run()
    assert "1 action(s) waiting to reach line L1" in " ".join(h.proto.body for h in at.get("html"))
    # The line's side, as the uplink and the agent do it (without Ray): the published plan into
    # the agent's execution, the commands applied, the agent's events stored centrally.
    with Outbox(tmp_path / "L1.sqlite") as box:
        state = ExecutionState(box, "L1")
        with transaction(store) as s:
            plan = published_plan(s, "sewing:L1")
            assert plan is not None
            state.load_plan(plan.family, payload(plan))
            waiting = [c.to_dict() for c in waiting_commands(s, "L1")]
        box.put_commands(waiting)
        with transaction(store) as s:
            mark_delivered(s, "L1", [c["id"] for c in waiting])
        # A second finish of work the line has not started: refused there, with the reason.
        CommandRunner(state).apply_pending()
        box.put_commands([waiting[0] | {"id": "again", "kind": "finish", "bundle": "B-102"}])
        CommandRunner(state).apply_pending()
        with transaction(store) as s:
            store_events(s, box.unshipped(10_000))
    at.run()
    assert not at.exception
    (line,) = [t for t in at.table if "detail" in t.value.columns]
    rows = line.value.to_dict("records")
    assert [(r["event"], r["bundle"], r["by"]) for r in rows] == [
        ("command.refused", "B-102", "hmi olga"),
        ("operation.started", "B-101", "hmi olga"),
    ]
    assert (
        "cannot finish bundle B-102 operation COLLAR at station S3: it is queued"
        in (rows[0]["detail"])
    )
    body = " ".join(h.proto.body for h in at.get("html"))
    assert "waiting to reach line" not in body


def test_shift_performance_is_what_the_line_reports(store):  # noqa: F811
    from datetime import UTC, datetime, timedelta

    from tests.hmi.test_operator_page import _reading

    start = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
    with transaction(store) as s:
        s.add(_reading("state", start, 6))
        s.add(_reading("performance", start, 0.7))  # an older report
        s.add(_reading("performance", start + timedelta(seconds=10), 0.8))
        s.add(_reading("oee", start + timedelta(seconds=10), 0.62))
    metrics = {m.label: m.value for m in page(OLGA).metric}
    assert metrics["performance"] == "80%"
