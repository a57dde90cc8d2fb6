"""Orders shared by the design bridge tests."""

from __future__ import annotations

from datetime import date

import pytest

from core.orders import CustomOrder
from design_bridge.options import STYLE_OPTIONS


def make_order(style: str, order_id: str = "T-1", **fields) -> CustomOrder:
    data = {
        "order_id": order_id,
        "customer": "Test Customer",
        "style": style,
        "fabric": "POPLIN-WHT",
        "quantity": 1,
        "due_date": date(2026, 12, 1),
    }
    data.update(fields)
    if "size" not in data and "measurements" not in data:
        data["size"] = "M"
    return CustomOrder(**data)


def make_unchecked_order(style: str, order_id: str = "T-1", **fields) -> CustomOrder:
    """An order that skipped CustomOrder's validation: drafting must still defend itself."""
    checked = make_order("shirt", order_id)
    return CustomOrder.model_construct(**{**checked.model_dump(), "style": style, **fields})


# (style, options) covering every option value at least once
VARIANTS = [
    (style, {key: value})
    for style, options in STYLE_OPTIONS.items()
    for key, values in options.items()
    for value in values
]


@pytest.fixture(params=VARIANTS, ids=lambda v: f"{v[0]}-{'-'.join(v[1].values())}")
def variant(request):
    return request.param
