"""Hostile OPC-UA values: what a machine sends that cannot be its signal is refused with a reason."""

import math

import pytest

from edge_agents.opcua.values import value_problem


@pytest.mark.parametrize(
    ("signal", "value", "reason"),
    [
        ("speed", "fast", "expected a number"),
        ("speed", None, "expected a number"),
        ("speed", math.nan, "finite"),
        ("needle_temperature", math.inf, "finite"),
        ("state", 99, "not a PackML state"),
        ("state", 6.5, "not a PackML state"),
        ("good_count", -3, "whole number >= 0"),
        ("cycle_count", 1.5, "whole number >= 0"),
        ("scrap_count", True, "expected a number"),
        ("thread_break", "yes", "expected a flag"),
    ],
)
def test_values_that_cannot_be_the_signal_are_refused(signal, value, reason):
    problem = value_problem(signal, value)
    assert problem is not None and reason in problem


@pytest.mark.parametrize(
    ("signal", "value"),
    [
        ("speed", 3200.0),
        ("state", 6),
        ("good_count", 0),
        ("motor_current", 1.8),
        ("thread_break", False),
    ],
)
def test_plausible_values_pass(signal, value):
    assert value_problem(signal, value) is None
