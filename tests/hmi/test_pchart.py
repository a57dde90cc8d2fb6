"""The p-chart's arithmetic and its n from cycle-count telemetry."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from core.db import make_engine, transaction
from core.errors import InputError
from hmi.quality.pchart import inspected_per_period, p_chart, period_start
from tests.hmi.pages_store import add_cycle_counts

HOUR = timedelta(hours=1)
T0 = datetime(2026, 11, 22, 6, tzinfo=UTC)


def test_limits_vary_with_each_periods_n():
    inspected = {T0: 100, T0 + HOUR: 400, T0 + 2 * HOUR: 0}
    defective = {T0: 10, T0 + HOUR: 10}
    points = p_chart(defective, inspected)
    assert [p.period for p in points] == [T0, T0 + HOUR]  # a period with n = 0 has no rate
    pbar = 20 / 500
    assert all(p.centre == pytest.approx(pbar) for p in points)
    first, second = points
    assert first.ucl == pytest.approx(pbar + 3 * math.sqrt(pbar * (1 - pbar) / 100))
    assert second.ucl == pytest.approx(pbar + 3 * math.sqrt(pbar * (1 - pbar) / 400))
    assert first.lcl == 0.0  # clipped at zero
    assert first.p == pytest.approx(0.10) and first.out_of_control
    assert second.p == pytest.approx(0.025) and not second.out_of_control


def test_more_defective_than_inspected_is_refused():
    with pytest.raises(InputError, match="5 defective items but only 3 inspected"):
        p_chart({T0: 5}, {T0: 3})


def test_period_start_floors_to_the_period():
    assert period_start(T0 + timedelta(minutes=59), HOUR) == T0
    assert period_start(T0 + timedelta(hours=30), timedelta(days=1)) == datetime(
        2026, 11, 23, tzinfo=UTC
    )


def test_inspected_items_are_counter_rises_with_resets(db_url):
    engine = make_engine(db_url)
    try:
        # 58 minutes in hour one, then on into hour two with a counter reset to 0 at 07:01.
        add_cycle_counts(engine, "S9", T0 + timedelta(minutes=58), [10, 14, 20, 0, 3])
        add_cycle_counts(engine, "S3", T0 + timedelta(minutes=59), [100, 101])
        with transaction(engine) as s:
            both = inspected_per_period(s, [], T0, T0 + 3 * HOUR, HOUR)
            only_s9 = inspected_per_period(s, ["S9"], T0, T0 + 3 * HOUR, HOUR)
    finally:
        engine.dispose()
    # S9: +4 in hour one; +6 at 07:00, reset (0) at 07:01, +3 at 07:02. S3: +1 at 07:00.
    assert only_s9 == {T0: 4, T0 + HOUR: 9}
    assert both == {T0: 4, T0 + HOUR: 10}
