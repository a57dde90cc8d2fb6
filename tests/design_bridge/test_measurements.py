"""Measurements: ranges from ANSUR II, sizes, derivations, and hostile input."""

from __future__ import annotations

import math

import pytest

from core.errors import InputError
from core.orders import MEASUREMENTS
from design_bridge import draft_order
from design_bridge.measurements import check_value, ranges, size_table

from .conftest import make_order, make_unchecked_order

GOOD = {"height": 178.0, "chest": 102.0, "waist": 88.0, "hip": 100.0}


def test_every_measurement_has_a_range_inside_the_ansur_extremes_widened():
    r = ranges()
    assert set(r) == set(MEASUREMENTS)
    for name, bounds in r.items():
        assert bounds["min"] < bounds["p0_1"] < bounds["p99_9"] < bounds["max"], name


@pytest.mark.parametrize(
    ("name", "value", "expect"),
    [
        ("chest", -100.0, "positive"),
        ("chest", 0.0, "positive"),
        ("chest", math.nan, "positive"),
        ("chest", math.inf, "positive"),
        ("chest", 1020.0, "looks like millimetres"),
        ("chest", 40.0, "looks like inches"),
        ("height", 900.0, "outside the plausible range"),
        ("chest", "100 cm", "not a number"),
        ("chest", True, "not a number"),
        ("biceps", 30.0, "not known"),
    ],
)
def test_hostile_values_are_refused_naming_order_and_field(name, value, expect):
    with pytest.raises(InputError) as err:
        check_value("ORD-9", name, value)
    assert "ORD-9" in str(err.value) and name in str(err.value) and expect in str(err.value)


def test_out_of_range_measurement_in_an_order_names_it():
    order = make_order("shirt", measurements={**GOOD, "chest": 2000.0}, order_id="BAD-1")
    with pytest.raises(InputError, match=r"order BAD-1: measurement 'chest'"):
        draft_order(order)


def test_missing_required_measurement_names_the_style_needs():
    order = make_order("trousers", measurements={"height": 170.0, "waist": 80.0})
    with pytest.raises(InputError, match=r"'hip' is missing \(style trousers needs"):
        draft_order(order)


def test_neither_size_nor_measurements():
    order = make_unchecked_order("skirt", measurements={}, size=None)
    with pytest.raises(InputError, match="neither a size nor measurements"):
        draft_order(order)


def test_unknown_size_lists_the_table():
    with pytest.raises(InputError, match=r"size '52' is not in the men size table \(XS, S, M"):
        draft_order(make_order("shirt", size="52"))


def test_unknown_style_and_options_are_named():
    with pytest.raises(InputError, match="style 'jacket' is not known"):
        draft_order(make_unchecked_order("jacket"))
    with pytest.raises(InputError, match="option 'lapel' does not apply to style shirt"):
        draft_order(make_order("shirt", options={"lapel": "peak"}))
    with pytest.raises(InputError, match=r"option collar='wing' is not one of classic"):
        draft_order(make_order("shirt", options={"collar": "wing"}))


def test_impossible_proportions_are_refused():
    order = make_order("trousers", measurements={**GOOD, "height": 150.0, "inseam": 100.0})
    with pytest.raises(InputError, match=r"'inseam' = 100 cm is more than 0.6 x height"):
        draft_order(order)


def test_missing_measurements_are_derived_and_explained():
    d = draft_order(make_order("shirt", measurements={"height": 180.0, "chest": 104.0}))
    assert set(d.body.derived) >= {"neck", "waist", "shoulder_width", "arm_length", "wrist"}
    for name, why in d.body.derived.items():
        assert "ANSUR II" in why and "chest" in why
        if name in ranges():
            assert ranges()[name]["min"] <= d.body.values[name] <= ranges()[name]["max"]
    given = draft_order(
        make_order("shirt", measurements={"height": 180.0, "chest": 104.0, "neck": 44.0})
    )
    assert "neck" not in given.body.derived and given.body.values["neck"] == 44.0


def test_taller_bodies_derive_longer_arms():
    short = draft_order(make_order("shirt", measurements={"height": 160.0, "chest": 100.0}))
    tall = draft_order(make_order("shirt", measurements={"height": 195.0, "chest": 100.0}))
    assert tall.body.values["arm_length"] > short.body.values["arm_length"]


def test_size_order_uses_the_graded_table_and_measurements_override_it():
    d = draft_order(make_order("shirt", size="L", options={"body": "women"}))
    for name, value in size_table("women")["L"].items():
        assert d.body.values[name] == value
    assert set(d.body.derived) == {"waist_height", "body_rise"}  # never in a size table
    assert d.body.source == "size women L"
    over = draft_order(make_order("shirt", size="L", measurements={"neck": 40.0}))
    assert over.body.values["neck"] == 40.0
