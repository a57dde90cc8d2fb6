"""The planner's view of each line's progress against its published plan: done, running and
behind per station, from the operation events (the operators' and the line agent's), and the
section on the planner page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update
from streamlit.testing.v1 import AppTest

from core.db import make_engine, transaction
from core.events import Event, EventType
from core.schema import OrderRow
from core.store_events import store_events
from core.users import Role
from hmi.planner.line_progress import line_progress, lines_progress
from hmi.session import USER_KEY, SignedIn
from tests.hmi.operator_store import add_plan
from tests.hmi.pages_store import add_people

VIEW = Path(__file__).resolve().parents[2] / "hmi" / "views" / "planner.py"
PIA = SignedIn("pia", Role.PLANNER)
# The seeded plan (tests/hmi/operator_store.py): at S3, B-101 ends at +4 min, B-102 at +9 and
# B-103 at +14; at S4, B-900 ends at +4. "Now" for the progress is 10 minutes after its origin.
ORIGIN = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
NOW = ORIGIN + timedelta(minutes=10)


@pytest.fixture
def store(db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("ATELIER_DATABASE_URL", db_url)
    monkeypatch.setenv("ATELIER_HOME", str(tmp_path / "home"))
    engine = make_engine(db_url)
    add_people(engine)
    add_plan(engine, now=ORIGIN)
    with transaction(engine) as s:  # a stored order always has a size or measurements
        s.execute(update(OrderRow).values(size="M"))
    yield engine
    engine.dispose()


def _op(engine, kind: str, bundle: str, minute: int, station: str = "S3", **extra) -> None:
    payload = {"bundle": bundle, "order_id": "O-1", "operation": "COLLAR", **extra}
    event = Event(
        line="L1",
        station=station,
        type=kind,
        time=ORIGIN + timedelta(minutes=minute),
        payload=payload,
    )
    with transaction(engine) as s:
        store_events(s, [event])


def test_nothing_done_yet_is_behind_where_the_plan_says_it_should_be_done(store):
    with transaction(store) as s:
        progress = line_progress(s, "L1", NOW)
    assert progress is not None
    by_station = {p.station: p for p in progress.stations}
    assert (by_station["S3"].planned, by_station["S3"].due_by_now) == (3, 2)
    assert (by_station["S4"].planned, by_station["S4"].due_by_now) == (1, 1)
    assert progress.done == 0
    # Most behind first (B-101 and B-900 both ended at +4 min), then by station and bundle.
    assert [(b.station, b.bundle) for b in progress.behind] == [
        ("S3", "B-101"),
        ("S4", "B-900"),
        ("S3", "B-102"),
    ]
    assert {round(b.minutes_behind) for b in progress.behind} == {6, 1}


def test_finished_running_and_the_agent_s_events_count(store):
    _op(store, EventType.OPERATION_STARTED, "B-101", 0)
    _op(store, EventType.OPERATION_FINISHED, "B-101", 3)
    # The line agent's own event (it carries the plan id) counts like an operator's.
    _op(store, EventType.OPERATION_STARTED, "B-900", 1, station="S4", plan_id="sewing:L1:v1")
    _op(store, EventType.OPERATION_STARTED, "B-102", 5)
    _op(store, EventType.OPERATION_PAUSED, "B-102", 7)
    with transaction(store) as s:
        progress = line_progress(s, "L1", NOW)
    assert progress is not None
    by_station = {p.station: p for p in progress.stations}
    s3, s4 = by_station["S3"], by_station["S4"]
    assert (s3.done, s3.running, s3.behind) == (1, 1, 1)
    assert (s4.done, s4.running, s4.behind) == (0, 1, 1)
    assert round(s3.done_pct, 1) == 33.3 and round(s3.due_pct, 1) == 66.7
    statuses = {b.bundle: b.status for b in progress.behind}
    assert statuses == {"B-102": "paused", "B-900": "running"}
    # Scrapped work is done too (it will not be sewn here).
    _op(store, EventType.OPERATION_SCRAPPED, "B-102", 8)
    with transaction(store) as s:
        later = line_progress(s, "L1", NOW)
    assert later is not None
    assert {p.station: p.done for p in later.stations} == {"S3": 2, "S4": 0}


def test_a_line_without_a_published_plan_has_no_progress(store):
    with transaction(store) as s:
        assert line_progress(s, "C1", NOW) is None
        assert [p.line for p in lines_progress(s, NOW)] == ["L1"]


def test_the_planner_page_shows_each_line_s_progress(store):
    _op(store, EventType.OPERATION_STARTED, "B-101", 0)
    _op(store, EventType.OPERATION_FINISHED, "B-101", 3)
    at = AppTest.from_file(str(VIEW), default_timeout=60)
    at.session_state[USER_KEY] = PIA
    at.run()
    assert not at.exception
    assert "Line progress" in [h.value for h in at.header]
    assert any(sub.value.startswith("Line L1: plan v") for sub in at.subheader)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["operations done"] == "1 of 4"
    # The plan's origin is now-ish in the real clock: whatever is due, B-101 is not behind.
    tables = [t.value for t in at.dataframe]
    stations = next(t for t in tables if "done %" in t.columns)
    assert list(stations["station"]) == ["S3", "S4"]
    assert list(stations["done"]) == [1, 0]
