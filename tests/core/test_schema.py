"""The schema keeps its promises: constraints, UTC times, JSON geometry, plant sync."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError, StatementError

from core.config import load_factory
from core.db import transaction
from core.plant import sync_plant
from core.schema import (
    AlarmRow,
    CustomerRow,
    DefectRow,
    EventRow,
    InspectionModelRow,
    OperationRow,
    OrderRow,
    PatternPieceRow,
    ProductionOrderRow,
    RoutingRow,
    StationRow,
    TelemetryAggregateRow,
)
from core.states import AlarmState, ReviewStatus

T0 = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)


def _order(order_id: str = "A-1", **over: object) -> OrderRow:
    values: dict[str, object] = dict(
        order_id=order_id,
        customer=CustomerRow(name=f"cust {order_id}"),
        style="shirt",
        options={"collar": "kent"},
        measurements={"chest": 98.0},
        fabric="OX-120",
        quantity=1,
        due_date=date(2026, 12, 1),
    )
    values.update(over)
    return OrderRow(**values)


def _rejects(engine: Engine, row: object) -> None:
    with pytest.raises(IntegrityError), transaction(engine) as s:
        s.add(row)


def test_order_round_trip_with_defaults(engine: Engine) -> None:
    with transaction(engine) as s:
        s.add(_order())
    with transaction(engine) as s:
        row = s.get(OrderRow, "A-1")
        assert row is not None
        assert (row.status, row.priority) == ("received", "normal")
        assert row.options == {"collar": "kent"} and row.measurements == {"chest": 98.0}
        assert row.customer.name == "cust A-1"
        assert row.received_at.tzinfo is not None


@pytest.mark.parametrize(
    "bad",
    [{"quantity": 0}, {"style": "kimono"}, {"priority": "asap"}, {"status": "lost"}],
    ids=["quantity", "style", "priority", "status"],
)
def test_order_constraints(engine: Engine, bad: dict[str, object]) -> None:
    _rejects(engine, _order(**bad))


def test_order_id_is_unique(engine: Engine) -> None:
    with transaction(engine) as s:
        s.add(_order("A-1"))
    _rejects(engine, _order("A-1", customer=CustomerRow(name="someone else")))


def test_utc_round_trip_and_naive_refused(engine: Engine) -> None:
    lisbon_winter = timezone(timedelta(hours=2))
    local = datetime(2026, 11, 22, 10, 30, 15, 123000, tzinfo=lisbon_winter)
    with transaction(engine) as s:
        s.add(EventRow(id="e1", line="L1", type="agent.started", time=local, payload={}))
    with transaction(engine) as s:
        back = s.get(EventRow, "e1")
        assert back is not None
        assert back.time == local
        assert back.time.utcoffset() == timedelta(0)
        assert back.time.hour == 8
    with pytest.raises(StatementError, match="naive"), transaction(engine) as s:
        s.add(EventRow(id="e2", line="L1", type="x", time=datetime(2026, 1, 1), payload={}))


def test_production_order_with_pieces_and_routing(engine: Engine) -> None:
    polygon = [[0.0, 0.0], [520.5, 0.0], [520.5, 710.25], [0.0, 710.25]]
    with transaction(engine) as s:
        s.add(_order())
        po = ProductionOrderRow(order_id="A-1", bom=[{"material": "OX-120", "quantity": 1.6}])
        po.pieces.append(
            PatternPieceRow(
                name="front",
                polygon=polygon,
                grain_line=[[260.0, 50.0], [260.0, 650.0]],
                notches=[[0.0, 300.0]],
                quantity=2,
                mirrored=True,
            )
        )
        routing = RoutingRow(style="shirt")
        routing.operations.extend(
            [
                OperationRow(
                    seq=1, code="SH", name="join shoulders", machine_type="overlock", smv=0.8
                ),
                OperationRow(
                    seq=2,
                    code="CO",
                    name="attach collar",
                    machine_type="lockstitch",
                    smv=1.9,
                    predecessors=["SH"],
                ),
            ]
        )
        po.routing = routing
        s.add(po)
    with transaction(engine) as s:
        po = s.scalars(select(ProductionOrderRow)).one()
        assert po.pieces[0].polygon == polygon
        assert po.pieces[0].grain_line == [[260.0, 50.0], [260.0, 650.0]]
        assert po.routing is not None
        assert [op.code for op in po.routing.operations] == ["SH", "CO"]
        assert po.routing.operations[1].predecessors == ["SH"]
        assert po.routing.operations[1].smv == pytest.approx(1.9)


def test_one_production_order_per_order_and_positive_smv(engine: Engine) -> None:
    with transaction(engine) as s:
        s.add(_order())
        s.add(ProductionOrderRow(order_id="A-1"))
    _rejects(engine, ProductionOrderRow(order_id="A-1"))
    bad = RoutingRow(style="shirt")
    bad.operations.append(OperationRow(seq=1, code="X", name="x", machine_type="overlock", smv=0))
    _rejects(engine, bad)


def test_production_order_needs_a_stored_order(engine: Engine) -> None:
    _rejects(engine, ProductionOrderRow(order_id="nobody"))


def _alarm(**over: object) -> AlarmRow:
    values: dict[str, object] = dict(
        key="S3.thread_break", line="L1", station="S3", message="thread break", priority="high"
    )
    values.update(over)
    return AlarmRow(**values)


def test_alarm_states_and_their_required_fields(engine: Engine) -> None:
    with transaction(engine) as s:
        s.add(_alarm())
    with transaction(engine) as s:
        alarm = s.scalars(select(AlarmRow)).one()
        assert alarm.state == AlarmState.UNACKNOWLEDGED and alarm.active
        alarm.state = AlarmState.ACKNOWLEDGED.value
        alarm.acknowledged_by, alarm.acknowledged_at = "ana", T0
    with transaction(engine) as s:
        alarm = s.scalars(select(AlarmRow)).one()
        alarm.state = AlarmState.SHELVED.value
        alarm.shelved_by, alarm.shelved_at = "ana", T0
        alarm.shelved_until, alarm.shelve_reason = T0 + timedelta(hours=1), "sensor swap"
    with transaction(engine) as s:
        alarm = s.scalars(select(AlarmRow)).one()
        assert (alarm.state, alarm.acknowledged_by) == ("shelved", "ana")
        assert alarm.shelved_until == T0 + timedelta(hours=1)


@pytest.mark.parametrize(
    "bad",
    [
        {"state": "acknowledged"},
        {"state": "shelved", "shelve_reason": "noisy"},
        {"state": "returned_unacknowledged"},
        {"state": "forgotten"},
        {"priority": "meh"},
    ],
    ids=[
        "ack-without-who",
        "shelved-no-expiry",
        "rtn-no-time",
        "state",
        "prio",
    ],
)
def test_alarm_constraints(engine: Engine, bad: dict[str, object]) -> None:
    _rejects(engine, _alarm(**bad))


def _defect(**over: object) -> DefectRow:
    values: dict[str, object] = dict(
        line="L1",
        station="S10",
        time=T0,
        image_path="images/d1.png",
        heatmap_path="images/d1_heat.png",
        box_x=10,
        box_y=20,
        box_w=30,
        box_h=40,
        score=0.93,
        defect_class="hole",
        model_version="m-1",
    )
    values.update(over)
    return DefectRow(**values)


def test_defect_review(engine: Engine) -> None:
    with transaction(engine) as s:
        s.add(_defect())
    with transaction(engine) as s:
        d = s.scalars(select(DefectRow)).one()
        assert d.review_status == ReviewStatus.PENDING
        d.review_status, d.reviewed_class = "reclassified", "stain"
        d.reviewer, d.reviewed_at = "qa1", T0
    with transaction(engine) as s:
        d = s.scalars(select(DefectRow)).one()
        assert (d.review_status, d.reviewed_class, d.reviewer) == ("reclassified", "stain", "qa1")


@pytest.mark.parametrize(
    "bad",
    [
        {"review_status": "confirmed"},
        {"review_status": "reclassified", "reviewer": "qa", "reviewed_at": T0},
        {"review_status": "maybe"},
        {"box_w": 0},
        {"box_x": -1},
    ],
    ids=["no-reviewer", "no-new-class", "status", "empty-box", "negative-box"],
)
def test_defect_constraints(engine: Engine, bad: dict[str, object]) -> None:
    _rejects(engine, _defect(**bad))


def test_inspection_model_versions(engine: Engine) -> None:
    with transaction(engine) as s:
        s.add(InspectionModelRow(version="m-1", path="models/m-1.onnx", metrics={"auroc": 0.97}))
    _rejects(engine, InspectionModelRow(version="m-1", path="models/other.onnx"))
    _rejects(engine, InspectionModelRow(version="m-2", path="models/m-2.onnx", promoted=True))


def test_telemetry_aggregate_is_one_row_per_station_signal_second(engine: Engine) -> None:
    agg = dict(
        station="S1",
        signal="speed",
        second=T0,
        line="L1",
        min=1.0,
        max=3.0,
        mean=2.0,
        last=3.0,
        count=5,
    )
    with transaction(engine) as s:
        s.add(TelemetryAggregateRow(**agg))
    _rejects(engine, TelemetryAggregateRow(**agg))
    _rejects(
        engine, TelemetryAggregateRow(**{**agg, "second": T0 + timedelta(seconds=1), "mean": 9.0})
    )


def test_sync_plant_mirrors_the_factory_config(engine: Engine) -> None:
    factory = load_factory()
    for _ in range(2):  # a second sync changes nothing
        with transaction(engine) as s:
            sync_plant(s, factory)
    with transaction(engine) as s:
        stations = {st.id: st for st in s.scalars(select(StationRow))}
    configured = {st.id: st for line in factory.lines for st in line.stations}
    assert set(stations) == set(configured)
    for sid, st in configured.items():
        assert (stations[sid].machine_type, stations[sid].line_id) == (
            st.machine_type,
            next(line.id for line in factory.lines if st in line.stations),
        )
