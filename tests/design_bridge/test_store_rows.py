"""Drafting's refusals as report lines (field at fault), and the store's BOM lines."""

from __future__ import annotations

import pytest

from core.errors import InputError
from design_bridge import draft_order
from design_bridge.store_rows import bom_lines, failure_of

from .conftest import make_order, make_unchecked_order

REFUSED = [
    (make_order("skirt", options={"collar": "classic"}), "options"),
    (make_order("shirt", options={"sleeve": "three_quarter"}), "options"),
    (make_unchecked_order("shirt", size=None, measurements={"height": 180}), "chest"),
    (make_unchecked_order("shirt", measurements={"chest": 400}), "chest"),
    (make_order("shirt", measurements={"height": 170, "arm_length": 90}), "arm_length"),
    (make_unchecked_order("shirt", size="XXXXL"), "size"),
    (make_unchecked_order("kimono"), "style"),
]


@pytest.mark.parametrize(("order", "field"), REFUSED, ids=[f for _, f in REFUSED])
def test_refusals_name_the_field_drafting_names(order, field: str) -> None:
    with pytest.raises(InputError) as refused:
        draft_order(order)
    failure = failure_of(order.order_id, refused.value)
    assert failure.field == field, failure.message
    assert not failure.message.startswith("order ") and failure.message in str(refused.value)


def test_refusals_without_a_named_field() -> None:
    impossible = InputError("order T-1: cannot draft trousers: crotch below the knee")
    assert failure_of("T-1", impossible).field == "measurements"
    assert failure_of("T-1", InputError("order T-1: something else")).field == "(order)"


def test_bom_lines_cover_every_material_for_the_order() -> None:
    drafted = draft_order(make_order("trousers", quantity=3)).to_dict()
    lines = {line["material"]: line for line in bom_lines(drafted["bom"])}
    bom = drafted["bom"]
    assert lines[bom["fabric_code"]]["quantity"] == bom["fabric_length_m"]
    assert lines["pocketing"]["quantity"] == bom["pocketing_area_m2"] > 0
    assert lines["thread"]["quantity"] == bom["thread_m"]
    assert lines["zip_18cm"] == {
        "material": "zip_18cm",
        "kind": "trim",
        "quantity": 3,
        "unit": "pcs",
    }
    assert "interfacing" in lines or bom["interfacing_area_m2"] == 0
