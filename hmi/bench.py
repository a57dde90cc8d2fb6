"""How long the pages take to answer on a busy store: N stations with telemetry (rolled up per
minute, as ingest does), defects, alarms and a published plan with a queue at every station;
each page's script is run through Streamlit's AppTest (server side, no browser; the operator
page at station S1), and the median and worst of its runs are reported."""

from __future__ import annotations

import logging
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from core.db import make_engine, transaction
from core.migrate import upgrade
from core.schema import AlarmRow, DefectRow, TelemetryAggregateRow
from core.telemetry_rollup import roll_up_everything
from core.users import Role
from hmi.session import USER_KEY, SignedIn

log = logging.getLogger(__name__)

VIEWS = Path(__file__).resolve().parent / "views"
PAGES = {
    "overview": Role.PLANNER,
    "quality": Role.QUALITY,
    "planner": Role.PLANNER,
    "operator": Role.OPERATOR,
}
QUERY = {"operator": {"station": "S1"}}  # the busiest station: the first of its queue
BUNDLES_PER_STATION = 20
Progress = Callable[[str], None]


def seed(url: str, stations: int, minutes: int, defects: int, alarms: int) -> None:
    """Per station and second: state, speed, good, scrap and cycle counters."""
    engine = make_engine(url)
    now = datetime.now(UTC).replace(microsecond=0)
    start = now - timedelta(minutes=minutes)
    try:
        for k in range(stations):
            station = f"S{k + 1}"
            rows = []
            for i in range(minutes * 60):
                second = start + timedelta(seconds=i)
                values = {
                    "state": 6.0 if (i // 300 + k) % 7 else 5.0,
                    "speed": 3000.0 + (i * 37 + k) % 400,
                    "good_count": float(i // 20),
                    "scrap_count": float(i // 600),
                    "cycle_count": float(i // 20 + i // 600),
                }
                rows.extend(
                    {
                        "station": station,
                        "signal": signal,
                        "second": second,
                        "line": "L1",
                        "min": v,
                        "max": v,
                        "mean": v,
                        "last": v,
                        "count": 1,
                    }
                    for signal, v in values.items()
                )
            with transaction(engine) as s:
                s.execute(insert(TelemetryAggregateRow), rows)
        with transaction(engine) as s:
            roll_up_everything(s)  # what central ingest keeps up to date as seconds arrive
        with transaction(engine) as s:
            s.add_all(
                DefectRow(
                    line="L1",
                    station=f"S{i % stations + 1}",
                    time=now - timedelta(seconds=i * 7),
                    image_path="images/fabric.png",
                    box_x=1,
                    box_y=1,
                    box_w=5,
                    box_h=5,
                    score=0.5 + (i % 50) / 100,
                    defect_class=("stain", "hole", "broken_yarn")[i % 3],
                    model_version="v1",
                )
                for i in range(defects)
            )
            s.add_all(
                AlarmRow(
                    key=f"S{i % stations + 1}.thread_break",
                    line="L1",
                    station=f"S{i % stations + 1}",
                    message="Thread break",
                    raised_at=now - timedelta(seconds=i * 11),
                )
                for i in range(alarms)
            )
    finally:
        engine.dispose()


def seed_line(url: str, stations: int, now: datetime) -> None:
    """Line L1 with the stations, one order with its routing, and a published sewing plan of
    BUNDLES_PER_STATION bundles per station every five minutes from half an hour ago."""
    from core.plans import new_plan, publish_plan
    from core.schema import (
        CustomerRow,
        LineRow,
        OperationRow,
        OrderRow,
        PlanAssignmentRow,
        ProductionOrderRow,
        RoutingRow,
        StationRow,
    )

    engine = make_engine(url)
    try:
        with transaction(engine) as s:
            line = LineRow(id="L1", name="Sewing line 1", kind="sewing")
            line.stations.extend(
                StationRow(id=f"S{k + 1}", name=f"Station {k + 1}", machine_type="lockstitch",
                           machine=f"M{k + 1}")
                for k in range(stations)
            )  # fmt: skip
            customer = CustomerRow(name="Bench")
            order = OrderRow(order_id="BENCH-1", customer=customer, style="shirt", size="M",
                             fabric="OX-120", quantity=1, due_date=now.date())  # fmt: skip
            production = ProductionOrderRow(order=order)
            s.add_all([line, customer, order, production])
            s.flush()
            routing = RoutingRow(style="shirt", production_order_id=production.id)
            routing.operations.append(
                OperationRow(seq=1, code="SEAM", name="side seam", machine_type="lockstitch",
                             smv=1.2)
            )  # fmt: skip
            s.add(routing)
            plan = new_plan(s, "sewing:L1", "sewing", "bench")
            start = now - timedelta(minutes=30)
            for k in range(stations):
                for b in range(BUNDLES_PER_STATION):
                    plan.assignments.append(
                        PlanAssignmentRow(
                            bundle=f"B-{k + 1}-{b + 1}",
                            order_id="BENCH-1",
                            operation_code="SEAM",
                            station_id=f"S{k + 1}",
                            start=start + timedelta(minutes=5 * b),
                            end=start + timedelta(minutes=5 * b + 4),
                        )
                    )
            s.flush()
            publish_plan(s, plan.id)
    finally:
        engine.dispose()


def time_pages(runs: int, progress: Progress | None = None) -> dict[str, dict[str, float]]:
    """Seconds per full run of each page script (the first run, which imports, left out)."""
    from streamlit.testing.v1 import AppTest

    result = {}
    for page, role in PAGES.items():
        at = AppTest.from_file(str(VIEWS / f"{page}.py"), default_timeout=120)
        at.session_state[USER_KEY] = SignedIn("bench", role)
        for key, value in QUERY.get(page, {}).items():
            at.query_params[key] = value
        at.run()
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            at.run()
            times.append(time.perf_counter() - t0)
        if at.exception or at.error:
            what = at.exception[0].message if at.exception else at.error[0].value
            raise RuntimeError(f"page {page} failed: {what}")
        result[page] = {"median_s": statistics.median(times), "max_s": max(times)}
        if progress:
            progress(page)
    return result


def _fabric_image(path: Path) -> None:
    """The defects' image: a grey 640 x 480 frame with a dark flaw, as a camera sends."""
    import numpy as np
    from PIL import Image

    frame = np.full((480, 640), 128, dtype=np.uint8)
    frame[200:240, 300:360] = 30
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(frame).save(path)


def run_bench(
    stations: int = 50,
    minutes: int = 60,
    runs: int = 5,
    progress: Progress | None = None,
) -> dict[str, object]:
    """Seed a scratch SQLite store, point this process at it, time each page, put it back."""

    with tempfile.TemporaryDirectory(prefix="atelier-bench-hmi-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'store.db'}"
        upgrade(url)
        t0 = time.perf_counter()
        seed(url, stations, minutes, defects=1000, alarms=300)
        seed_line(url, stations, datetime.now(UTC).replace(microsecond=0))
        seeded_s = time.perf_counter() - t0
        if progress:
            progress("seeded")
        saved = {k: os.environ.get(k) for k in ("ATELIER_DATABASE_URL", "ATELIER_HOME")}
        os.environ["ATELIER_DATABASE_URL"] = url
        os.environ["ATELIER_HOME"] = str(Path(tmp) / "home")
        _fabric_image(Path(tmp) / "home" / "images" / "fabric.png")
        try:
            pages = time_pages(runs, progress)
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
    return {
        "stations": stations,
        "telemetry_rows": stations * minutes * 60 * 5,
        "seed_s": round(seeded_s, 2),
        "runs": runs,
        "pages": {k: {m: round(v, 3) for m, v in d.items()} for k, d in pages.items()},
    }
