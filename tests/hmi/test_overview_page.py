"""The overview page through AppTest: alarm journal, OEE per station, sensor trends."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.db import make_engine, transaction
from core.schema import AlarmRow, TelemetryAggregateRow, TelemetryPendingRow
from core.telemetry_rollup import roll_up_everything
from core.users import Role
from hmi.session import USER_KEY, SignedIn

VIEW = Path(__file__).resolve().parents[2] / "hmi" / "views" / "overview.py"


def _sample(station: str, signal: str, second: datetime, value: float) -> TelemetryAggregateRow:
    return TelemetryAggregateRow(
        station=station,
        signal=signal,
        second=second,
        line="L1",
        min=value,
        max=value,
        mean=value,
        last=value,
        count=1,
    )


@pytest.fixture
def store(db_url, monkeypatch):
    monkeypatch.setenv("ATELIER_DATABASE_URL", db_url)
    engine = make_engine(db_url)
    now = datetime.now(UTC).replace(microsecond=0)
    start = now - timedelta(minutes=5)
    with transaction(engine) as s:
        s.add(AlarmRow(key="S3.thread_break", line="L1", station="S3", message="Thread break"))
        s.add(
            AlarmRow(
                key="S4.temp",
                line="L1",
                station="S4",
                message="Needle hot",
                state="acknowledged",
                acknowledged_by="olga",
                acknowledged_at=now,
                raised_at=now - timedelta(minutes=1),
            )
        )
        s.add(
            AlarmRow(
                key="S5.old",
                line="L1",
                station="S5",
                message="Old",
                raised_at=now - timedelta(days=2),
            )
        )
        # S1: ten seconds, eight in Execute (6), two Stopped (2); 8 good and 2 scrap made.
        for i in range(10):
            t = start + timedelta(seconds=i)
            s.add(_sample("S1", "state", t, 6 if i < 8 else 2))
            s.add(_sample("S1", "good_count", t, min(i, 8)))
            s.add(_sample("S1", "scrap_count", t, max(0, i - 7)))
            s.add(_sample("S1", "speed", t, 3000 + i))
            s.add(_sample("S2", "oee", t, 0.5 + i / 100))  # a line that reports its own OEE
        s.flush()
        roll_up_everything(s)  # as central ingest does for every second it stores
    yield engine
    engine.dispose()


def page() -> AppTest:
    at = AppTest.from_file(str(VIEW), default_timeout=30)
    at.session_state[USER_KEY] = SignedIn("pia", Role.PLANNER)
    return at.run()


def test_journal_oee_and_trends(store):
    at = page()
    assert not at.exception and not at.error
    frames = [d.value for d in at.dataframe]
    (journal,) = [f for f in frames if "message" in f.columns]
    assert list(journal["message"]) == ["Thread break", "Needle hot"]  # the old one is outside
    assert list(journal["state"]) == ["unacknowledged", "acknowledged"]
    (oee,) = [f for f in frames if "availability" in f.columns]
    row = oee.set_index("station").loc["S1"]
    assert (row["availability"], row["quality"]) == ("80.0 %", "80.0 %")
    assert (row["good"], row["scrap"], row["OEE (line's)"]) == (8, 2, "n/a")
    assert row["downtime (s)"] == 2
    assert oee.set_index("station").loc["S2", "OEE (line's)"] == "59.0 %"  # the latest value
    assert at.selectbox(key="trend_signal").value == "speed"
    downtime, speed = (json.loads(c.proto.spec) for c in at.get("vega_lite_chart"))
    assert downtime["title"] == "downtime by station"
    assert speed["encoding"]["y"]["title"] == "speed"


def test_an_empty_store_says_there_is_no_data(db_url, monkeypatch):
    monkeypatch.setenv("ATELIER_DATABASE_URL", db_url)
    at = page()
    assert not at.exception and not at.error
    assert [i.value for i in at.info][-3:] == [
        "No alarm was raised in this window.",
        "No state or good/scrap telemetry in this window: OEE needs them.",
        "No telemetry has reached the store yet.",
    ]


def test_the_trends_say_when_a_backlogs_telemetry_is_still_catching_up(store):
    at = page()
    assert not any("Catching up" in c.value for c in at.caption)
    with transaction(store) as s:
        s.add_all(TelemetryPendingRow(event_id=f"e{i}") for i in range(3))
    at = page()
    assert not at.exception and not at.error
    (note,) = [c.value for c in at.caption if "Catching up" in c.value]
    assert note.startswith("Catching up after a line's backlog: 3 station-seconds")
