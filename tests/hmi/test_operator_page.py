"""The operator's station page through AppTest on a seeded store: bundles from the published
plan, operator actions as events with audit rows, alarms, andon, scanning, refusals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from core import users
from core.audit import recent
from core.db import make_engine, transaction
from core.events import Event
from core.schema import AlarmRow, EventRow, TelemetryAggregateRow
from core.store_events import store_events
from core.telemetry_rollup import roll_up_everything
from core.users import Role
from hmi.operator.actions import Acting, call_andon, operate
from hmi.operator.alarms import acknowledge
from hmi.operator.station import find_station
from hmi.roles import RoleRefused
from hmi.session import USER_KEY, SignedIn
from tests.hmi.operator_store import add_alarms, add_plan
from tests.hmi.pages_store import add_defects, add_people

VIEW = Path(__file__).resolve().parents[2] / "hmi" / "views" / "operator.py"
OLGA = SignedIn("olga", Role.OPERATOR)
PIA = SignedIn("pia", Role.PLANNER)


@pytest.fixture
def store(db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("ATELIER_DATABASE_URL", db_url)
    monkeypatch.setenv("ATELIER_HOME", str(tmp_path / "home"))
    engine = make_engine(db_url)
    add_people(engine)
    add_plan(engine)
    yield engine
    engine.dispose()


def page(user: SignedIn, station: str | None = "S3") -> AppTest:
    at = AppTest.from_file(str(VIEW), default_timeout=30)
    at.session_state[USER_KEY] = user
    if station:
        at.query_params["station"] = station
    return at.run()


def html(at: AppTest) -> str:
    return " ".join(h.proto.body for h in at.get("html"))


def operator_events(engine) -> list[EventRow]:
    with transaction(engine) as s:
        rows = s.scalars(
            select(EventRow).where(EventRow.type.like("operation.%")).order_by(EventRow.time)
        ).all()
        s.expunge_all()
        return list(rows)


def test_station_view_shows_current_and_next_bundles(store):
    at = page(OLGA)
    assert not at.exception and not at.error
    assert at.title[0].value.startswith("Operator · station S3")
    text = html(at)
    assert "Bundle <b>B-101</b>" in text and "<b>COLLAR</b>" in text and "SMV 1.50 min" in text
    (following,) = [t for t in at.table if "bundle" in t.value.columns]
    assert list(following.value["bundle"]) == ["B-102", "B-103"]  # B-900 is S4's
    assert at.button(key="op_finish").disabled and not at.button(key="op_start").disabled


def test_start_then_finish_stores_two_events_and_audit_rows(store):
    at = page(OLGA)
    at.button(key="op_start").click().run()
    assert [s.value for s in at.success] == ["Start: bundle B-101 operation COLLAR"]
    assert "running 0:00:0" in html(at)  # the timer runs from the start event
    at.button(key="op_finish").click().run()
    assert not at.exception and not at.error
    events = operator_events(store)
    assert [e.type for e in events] == ["operation.started", "operation.finished"]
    assert {
        (e.station, e.payload["bundle"], e.payload["operation"], e.payload["user"]) for e in events
    } == {("S3", "B-101", "COLLAR", "olga")}
    with transaction(store) as s:
        entries = recent(s, 2)
    assert [(e.actor, e.action) for e in entries] == [
        ("hmi:olga", "operation.finish"),
        ("hmi:olga", "operation.start"),
    ]
    assert entries[0].after["event"] == events[1].id
    assert "Bundle <b>B-102</b>" in html(at)  # the finished bundle left the queue


def test_finishing_work_never_started_is_refused_and_stores_nothing(store):
    with transaction(store) as s:
        station = find_station(s, "S3")
    with pytest.raises(Exception, match="is queued; cannot finish"), transaction(store) as s:
        operate(s, Acting(OLGA, "olga"), station, "B-101", "COLLAR", "finish")
    assert operator_events(store) == []


def test_acknowledging_and_shelving_an_alarm_is_audited(store):
    ids = add_alarms(store)
    at = page(OLGA)
    (shown,) = [t for t in at.table if "message" in t.value.columns]
    assert set(shown.value["id"]) == {ids[0], ids[1]}  # S5's alarm is not this station's
    picked = at.selectbox(key="alarm_pick").value.id
    at.button(key="alarm_ack").click().run()
    assert [s.value for s in at.success] == [f"Alarm {picked} acknowledged"]
    at.text_input(key="shelve_reason").input("sensor being replaced")
    at.number_input(key="shelve_minutes").set_value(45)
    at.button(key="alarm_shelve").click().run()
    assert not at.exception and not at.error
    assert [s.value for s in at.success] == [f"Alarm {picked} shelved for 45 min"]
    with transaction(store) as s:
        row = s.get(AlarmRow, picked)
        assert row.state == "shelved" and row.acknowledged_by == "olga"
        assert row.shelved_by == "olga" and row.shelve_reason == "sensor being replaced"
        assert round((row.shelved_until - row.shelved_at).total_seconds()) == 45 * 60
        entries = recent(s, 2)
    assert [(e.action, e.before["state"], e.after["state"]) for e in entries] == [
        ("alarm.shelve", "acknowledged", "shelved"),
        ("alarm.acknowledge", "unacknowledged", "acknowledged"),
    ]
    (shown,) = [t for t in at.table if "message" in t.value.columns]
    assert picked not in set(shown.value["id"])  # shelved alarms leave the list until expiry


def test_shelving_without_a_reason_changes_nothing(store):
    ids = add_alarms(store)
    at = page(OLGA)
    at.button(key="alarm_shelve").click().run()
    assert any("give a reason" in e.value for e in at.error)
    with transaction(store) as s:
        assert {s.get(AlarmRow, i).state for i in ids} == {"unacknowledged"}
        assert not [e for e in recent(s) if e.action.startswith("alarm.")]


def test_another_role_is_refused_the_page_and_the_operator_actions(store):
    ids = add_alarms(store)
    at = page(PIA)
    assert [e.value for e in at.error] == ["This page is not open to your role."]
    assert not at.button
    pia = Acting(PIA, "pia")
    with transaction(store) as s:
        station = find_station(s, "S3")
    with pytest.raises(RoleRefused, match="planner"), transaction(store) as s:
        operate(s, pia, station, "B-101", "COLLAR", "start")
    with pytest.raises(RoleRefused), transaction(store) as s:
        acknowledge(s, pia, "S3", ids[0])
    with pytest.raises(RoleRefused), transaction(store) as s:
        call_andon(s, pia, station, "material")
    assert operator_events(store) == []
    with transaction(store) as s:
        assert s.get(AlarmRow, ids[0]).state == "unacknowledged"
        assert not [e for e in recent(s) if e.actor == "hmi:pia"]


def test_scanning_selects_a_queued_bundle_and_says_why_not_otherwise(store):
    at = page(OLGA)
    at.text_input(key="scan").input("B-103").run()
    assert [s.value for s in at.success] == ["Bundle B-103 selected"]
    assert "Bundle <b>B-103</b>" in html(at)
    at.text_input(key="scan").input("B-900").run()  # planned, but at S4
    (error,) = [e.value for e in at.error]
    assert "B-900 is not queued at station S3" in error
    at.text_input(key="scan").input("NOPE-1").run()
    assert any("NOPE-1 is not queued at station S3" in e.value for e in at.error)
    assert "Bundle <b>B-103</b>" in html(at)  # a failed scan keeps the selection


def test_andon_call_is_an_event_and_audited(store):
    at = page(OLGA)
    at.button(key="andon_material").click().run()
    assert [s.value for s in at.success] == ["Andon: material called to S3"]
    with transaction(store) as s:
        (event,) = s.scalars(select(EventRow).where(EventRow.type == "andon.called")).all()
        assert (event.station, event.payload["kind"], event.payload["user"]) == (
            "S3",
            "material",
            "olga",
        )
        assert recent(s, 1)[0].action == "andon.call"


def test_switching_operator_by_pin_records_the_acting_operator(store):
    with transaction(store) as s:
        users.add_user(s, "omar", "operator", "long secret", actor="test")
        users.set_pin(s, "omar", "4711", actor="test")
    at = page(OLGA)
    at.text_input(key="switch_name").input("omar")
    at.text_input(key="switch_pin").input("1234")
    at.button(key="switch").click().run()
    assert any("wrong name or PIN" in e.value for e in at.error)
    at.text_input(key="switch_pin").input("4711")
    at.button(key="switch").click().run()
    assert [s.value for s in at.success] == ["Operator omar is working at S3"]
    at.button(key="op_start").click().run()
    (event,) = operator_events(store)
    assert (event.payload["user"], event.payload["screen_user"]) == ("omar", "olga")
    with transaction(store) as s:
        start, switch = recent(s, 2)
    assert (start.actor, start.action) == ("hmi:omar", "operation.start")
    assert (switch.actor, switch.action, switch.target) == (
        "hmi:olga",
        "operator.switch",
        "user:omar",
    )


def test_station_picker_and_unknown_station(store):
    at = page(OLGA, station=None)
    assert "S3" in at.selectbox(key="station_pick").options
    at.selectbox(key="station_pick").set_value("S5").run()
    at.button(key="open_station").click().run()
    assert at.query_params["station"] == "S5"  # in the URL, to bookmark
    assert at.title[0].value.startswith("Operator · station S5")
    at = page(OLGA, station="S99")
    assert any("station 'S99' is not in the plant" in e.value for e in at.error)
    assert not at.exception


def test_recent_defects_and_no_telemetry_are_said_plainly(store, tmp_path):
    add_defects(store, tmp_path / "home", datetime.now(UTC))
    (tmp_path / "home" / "images" / "d1.png").unlink()
    at = page(OLGA)
    assert not at.exception
    assert sum("image missing" in m.value for m in at.markdown) == 2  # S3's two, not S5's
    assert any("No telemetry from this station" in i.value for i in at.info)


def test_andon_call_shows_as_a_notice_on_the_overview(store):
    page(OLGA).button(key="andon_maintenance").click().run()
    overview = AppTest.from_file(str(VIEW.parent / "overview.py"), default_timeout=30)
    overview.session_state[USER_KEY] = PIA
    overview.run()
    assert not overview.exception
    (notice,) = [w.value for w in overview.warning if w.value.startswith("Andon")]
    assert "maintenance called to station S3 (line L1) by olga" in notice


def _reading(signal: str, second: datetime, value: float) -> TelemetryAggregateRow:
    return TelemetryAggregateRow(
        station="S3",
        signal=signal,
        second=second,
        line="L1",
        min=value,
        max=value,
        mean=value,
        last=value,
        count=1,
    )


def test_machine_state_counters_and_shift_oee_from_telemetry(store):
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
    with transaction(store) as s:
        for i in range(10):
            t = start + timedelta(seconds=i)
            s.add(_reading("state", t, 6 if i < 8 else 11))  # Execute, then Held
            s.add(_reading("good_count", t, min(i, 6)))
            s.add(_reading("scrap_count", t, 0 if i < 5 else 2))
        s.flush()
        roll_up_everything(s)  # as central ingest does for every second it stores
    at = page(OLGA)
    assert not at.exception and not at.error
    assert "HELD" in html(at)
    metrics = {m.label: m.value for m in at.metric}
    assert (metrics["good count"], metrics["scrap count"]) == ("6", "2")
    assert (metrics["availability"], metrics["quality"]) == ("80%", "75%")
    assert metrics["performance"] == "n/a"
    store_events_at(
        store, start + timedelta(seconds=20), "machine.state", {"state_name": "EXECUTE"}
    )
    assert "EXECUTE" in html(page(OLGA))  # a newer state event wins over older telemetry


def store_events_at(engine, when: datetime, kind: str, payload: dict) -> None:
    with transaction(engine) as s:
        store_events(s, [Event(line="L1", station="S3", type=kind, time=when, payload=payload)])


def test_an_expired_shelve_shows_the_alarm_again(store):
    ids = add_alarms(store)
    with transaction(store) as s:
        row = s.get(AlarmRow, ids[0])
        row.state, row.shelved_until = "shelved", datetime.now(UTC) - timedelta(seconds=1)
        s.get(AlarmRow, ids[1]).state = "shelved"
        s.get(AlarmRow, ids[1]).shelved_until = datetime.now(UTC) + timedelta(minutes=30)
    (shown,) = [t for t in page(OLGA).table if "message" in t.value.columns]
    assert list(shown.value["id"]) == [ids[0]]
    assert list(shown.value["state"]) == ["shelve expired"]


def test_wrong_pins_lock_the_name_out(store, monkeypatch):
    monkeypatch.setenv("ATELIER_HMI_MAX_FAILURES", "2")
    with transaction(store) as s:
        users.add_user(s, "omar", "operator", "long secret", actor="test")
        users.set_pin(s, "omar", "4711", actor="test")
    at = page(OLGA)
    at.text_input(key="switch_name").input("omar")
    for _ in range(2):
        at.text_input(key="switch_pin").input("0000")
        at.button(key="switch").click().run()
    at.text_input(key="switch_pin").input("4711")
    at.button(key="switch").click().run()
    assert any("too many wrong PINs for 'omar'" in e.value for e in at.error)
    with transaction(store) as s:
        assert not [e for e in recent(s) if e.action == "operator.switch"]
