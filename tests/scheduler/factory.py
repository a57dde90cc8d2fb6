"""Small sewing requests for the tests: a shirt-like routing on four stations, two shifts."""

from __future__ import annotations

from datetime import UTC, datetime

from scheduler.model import (
    BundleOperation,
    SewingOrder,
    SewingProblem,
    Shift,
    ShiftCalendar,
    Station,
)

CALENDAR = ShiftCalendar(
    datetime(2026, 11, 23, 6, 0, tzinfo=UTC),
    (Shift(0, 480, ((240, 270),)), Shift(1440, 1920, ((1680, 1710),))),
)

# (name, machine type, smv, predecessors by name)
ROUTING = (
    ("front", "lockstitch", 3.0, ()),
    ("shoulder", "overlock", 2.0, ("front",)),
    ("buttonhole", "buttonhole", 2.5, ("front",)),
    ("hem", "lockstitch", 2.0, ("shoulder", "buttonhole")),
)


def stations() -> tuple[Station, ...]:
    return (
        Station("S1", frozenset({"lockstitch"}), {"lockstitch": 1.25}),
        Station("S2", frozenset({"lockstitch", "overlock"}), {"overlock": 0.8}),
        Station("S3", frozenset({"overlock"})),
        Station("S4", frozenset({"buttonhole"})),
    )


def operations(order_id: str, bundles: int, garments: int, colour: str = "white"):
    ops = []
    for b in range(bundles):
        bundle = f"{order_id}-B{b + 1}"
        for name, machine, smv, preds in ROUTING:
            ops.append(
                BundleOperation(
                    f"{bundle}-{name}",
                    bundle,
                    order_id,
                    name,
                    machine,
                    smv,
                    garments,
                    tuple(f"{bundle}-{p}" for p in preds),
                    colour,
                )
            )
    return ops


def problem(
    orders=(("O1", 2, 600, "normal", "white"), ("O2", 2, 500, "rush", "navy")),
    garments: int = 10,
    **kwargs,
) -> SewingProblem:
    ops, sewing_orders = [], []
    for order_id, bundles, due, priority, colour in orders:
        ops += operations(order_id, bundles, garments, colour)
        sewing_orders.append(SewingOrder(order_id, due, priority))
    return SewingProblem(
        tuple(ops), kwargs.pop("stations", stations()), CALENDAR, tuple(sewing_orders), **kwargs
    )
