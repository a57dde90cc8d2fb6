"""An operator's acknowledge and shelve on the HMI reach the line's own alarm manager and the
journal ends in the line's state (issue 6, item 6): the HMI's action in the store -> command ->
the real central ingest's reply -> the line's outbox inbox -> the agent's alarm manager ->
alarm events -> the ingest -> the alarm journal. Real store (SQLite and PostgreSQL), real ingest
and outbox; the Ray transport between them is the command path's test (`test_command_path.py`)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from cluster.ingest import CentralIngest
from core.config import load_factory
from core.db import make_engine, transaction
from core.events import EventType, utcnow
from core.plant import sync_plant
from core.schema import AlarmRow, EventRow, LineCommandRow
from edge_agents.alarms.manager import AlarmManager
from edge_agents.alarms.state import AlarmState, Priority
from edge_agents.execution.commands import CommandRunner
from edge_agents.execution.state import ExecutionState
from edge_agents.outbox import Outbox
from hmi.operator.actions import Acting
from hmi.operator.alarms import acknowledge, shelve, station_alarms
from hmi.operator.line_view import line_view
from tests.hmi.pages_store import add_people
from tests.hmi.test_operator_page import OLGA

HOT = "S3.needle_temperature.HI"
CURRENT = "S3.motor_current.HI"


class Clock:
    """The line's clock: the real time, moved ahead to let a shelve run out."""

    def __init__(self) -> None:
        self.ahead = timedelta(0)

    def __call__(self) -> datetime:
        return utcnow() + self.ahead


class Line:
    """The line's side: its outbox, alarm manager and command runner, shipped by hand as the
    uplink does (`Uplink._ship_once`, `_deliver_commands`)."""

    def __init__(self, outbox: Path, ingest: CentralIngest) -> None:
        self.box = Outbox(outbox)
        self.ingest = ingest
        self.clock = Clock()
        self.alarms = AlarmManager("L1", lambda e: self.box.append([e]), clock=self.clock)
        self.alarms.define(HOT, "S3", "needle hot", Priority.HIGH)
        self.alarms.define(CURRENT, "S3", "motor current high", Priority.MEDIUM)
        self.runner = CommandRunner(ExecutionState(self.box, "L1"), self.alarms)

    def ship(self) -> None:
        events = self.box.unshipped(500)
        reply = self.ingest.ship("L1", "node", [e.to_dict() for e in events], 0)
        assert reply["rejected"] == []
        self.box.mark_shipped([e.id for e in events])
        if reply["commands"]:
            self.box.put_commands(reply["commands"])
            self.ingest.commands_delivered("L1", [c["id"] for c in reply["commands"]])

    def round_trip(self) -> None:
        """Commands to the line, applied, and what they caused back to the centre."""
        self.ship()
        self.runner.apply_pending()
        self.ship()


def _journal(engine, key: str) -> AlarmRow:  # type: ignore[no-untyped-def]
    with transaction(engine) as s:
        row = s.scalars(
            select(AlarmRow).where(AlarmRow.key == key).order_by(AlarmRow.id.desc())
        ).first()
        assert row is not None, f"no journal row for {key}"
        s.expunge(row)
        return row


def test_acknowledge_and_shelve_reach_the_line_and_the_journal_follows(
    db_url: str, tmp_path: Path
) -> None:
    engine = make_engine(db_url)
    with transaction(engine) as s:
        sync_plant(s, load_factory())
    add_people(engine)
    olga = Acting(OLGA, "olga")
    line = Line(tmp_path / "L1.sqlite", CentralIngest(db_url, str(tmp_path)))
    try:
        line.alarms.update(HOT, True, 92.0)
        line.ship()
        raised = _journal(engine, HOT)
        assert raised.state == "unacknowledged"

        with transaction(engine) as s:
            acknowledge(s, olga, "S3", raised.id)
        line.round_trip()
        assert line.alarms.alarms[HOT].state == AlarmState.ACKED
        assert line.alarms.alarms[HOT].acked_by == "olga"
        row = _journal(engine, HOT)
        assert (row.id, row.state, row.acknowledged_by) == (raised.id, "acknowledged", "olga")
        # The line clears it by itself; acknowledged before, so the journal says normal.
        line.alarms.update(HOT, False, 70.0)
        line.ship()
        assert _journal(engine, HOT).state == "normal"

        # Raised again and shelved for 30 minutes with a reason.
        line.alarms.update(HOT, True, 95.0)
        line.ship()
        again = _journal(engine, HOT)
        assert again.id != raised.id
        with transaction(engine) as s:
            shelve(s, olga, "S3", again.id, "thermocouple being replaced", 30)
            hmi_until = s.get(AlarmRow, again.id).shelved_until  # type: ignore[union-attr]
        line.round_trip()
        on_line = line.alarms.alarms[HOT]
        assert on_line.state == AlarmState.SHELVED
        assert on_line.shelved_until == hmi_until
        assert on_line.shelve_reason == "thermocouple being replaced"
        row = _journal(engine, HOT)
        assert (row.state, row.shelved_by, row.shelve_reason) == (
            "shelved",
            "olga",
            "thermocouple being replaced",
        )
        assert row.shelved_until == hmi_until
        with transaction(engine) as s:
            assert [a.key for a in station_alarms(s, "S3")] == []  # hidden until it expires

        # Shelving what the line meanwhile suppressed by design is refused, and the journal
        # shows the line's state, not the shelve the HMI expected.
        line.alarms.update(CURRENT, True, 14.2)
        line.ship()
        current = _journal(engine, CURRENT)
        line.alarms.suppress_station("S3", "machine stopped", keep=frozenset({HOT}))
        with transaction(engine) as s:
            shelve(s, olga, "S3", current.id, "noisy sensor", 10)
        assert _journal(engine, CURRENT).state == "shelved"  # what the HMI expects
        line.round_trip()
        assert _journal(engine, CURRENT).state == "suppressed"
        with transaction(engine) as s:
            refused = s.scalars(
                select(EventRow).where(EventRow.type == EventType.COMMAND_REFUSED)
            ).one()
            assert refused.payload["alarm"] == CURRENT
            assert "suppressed by design; it cannot be shelved" in refused.payload["reason"]
            (fact,) = [f for f in line_view(s, "S3").facts if f.type == EventType.COMMAND_REFUSED]
            assert (fact.bundle, fact.user, fact.abnormal) == (CURRENT, "olga", True)
            commands = s.scalars(select(LineCommandRow).order_by(LineCommandRow.seq)).all()
            assert [(c.kind, c.delivered_at is not None) for c in commands] == [
                ("alarm_ack", True),
                ("alarm_shelve", True),
                ("alarm_shelve", True),
            ]
            ids = [c.id for c in commands]
            changed = s.scalars(
                select(EventRow).where(EventRow.type == EventType.ALARM_CHANGED)
            ).all()
            by_command = sorted(
                (e.payload["command_id"], e.payload["change"])
                for e in changed
                if "command_id" in e.payload
            )
        # Each command applied once, and each answered by an alarm event naming it.
        assert by_command == sorted(
            [(ids[0], "acknowledged"), (ids[1], "shelved"), (ids[2], "restated")]
        )
        # Delivered again (acknowledgement lost): applied once, nothing new comes back.
        with transaction(engine) as s:
            s.get(LineCommandRow, commands[0].seq).delivered_at = None  # type: ignore[union-attr]
        before = len(line.box.all_ids())
        line.round_trip()
        assert len(line.box.all_ids()) == before
        assert line.box.command_ids() == ids
        # The shelve runs out on the line; the condition is still there: raised again.
        line.clock.ahead = hmi_until - utcnow() + timedelta(seconds=1)
        line.alarms.tick()
        line.ship()
        assert _journal(engine, HOT).state == "unacknowledged"
    finally:
        line.box.close()
        engine.dispose()
