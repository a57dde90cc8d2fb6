"""A seeded store for the operator page: the demo plant, a published sewing plan with three
bundles at S3 (one order with a drafted routing, so its SMV is known), and alarms at S3."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine

from core.config import load_factory
from core.db import transaction
from core.plans import new_plan, publish_plan
from core.plant import sync_plant
from core.schema import (
    AlarmRow,
    CustomerRow,
    OperationRow,
    OrderRow,
    PlanAssignmentRow,
    ProductionOrderRow,
    RoutingRow,
)

BUNDLES = ("B-101", "B-102", "B-103")


def add_plan(engine: Engine, now: datetime | None = None) -> None:
    now = now or datetime.now(UTC)
    with transaction(engine) as s:
        sync_plant(s, load_factory())
        customer = CustomerRow(name="Atelier Nord")
        order = OrderRow(
            order_id="O-1",
            customer=customer,
            style="shirt",
            fabric="OX-120",
            quantity=3,
            due_date=date(2026, 12, 1),
        )
        production = ProductionOrderRow(order=order)
        s.add_all([customer, order, production])
        s.flush()
        routing = RoutingRow(style="shirt", production_order_id=production.id)
        routing.operations.append(
            OperationRow(
                seq=1, code="COLLAR", name="attach collar", machine_type="lockstitch", smv=1.5
            )
        )
        s.add(routing)
        plan = new_plan(s, "sewing:L1", "sewing", "pia")
        for i, bundle in enumerate(BUNDLES):
            plan.assignments.append(
                PlanAssignmentRow(
                    bundle=bundle,
                    order_id="O-1",
                    operation_code="COLLAR",
                    station_id="S3",
                    start=now + timedelta(minutes=5 * i),
                    end=now + timedelta(minutes=5 * i + 4),
                )
            )
        # Another station's work must not show at S3.
        plan.assignments.append(
            PlanAssignmentRow(
                bundle="B-900",
                order_id="O-1",
                operation_code="COLLAR",
                station_id="S4",
                start=now,
                end=now + timedelta(minutes=4),
            )
        )
        s.flush()
        publish_plan(s, plan.id)


def add_alarms(engine: Engine) -> list[int]:
    with transaction(engine) as s:
        rows = [
            AlarmRow(key="S3.thread_break", line="L1", station="S3", message="Thread break"),
            AlarmRow(
                key="S3.motor_hot", line="L1", station="S3", message="Motor hot", priority="high"
            ),
            AlarmRow(key="S5.thread_break", line="L1", station="S5", message="Thread break at S5"),
        ]
        s.add_all(rows)
        s.flush()
        return [r.id for r in rows]
