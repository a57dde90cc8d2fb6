"""JSON text on the event path: orjson's speed, the standard library's answers where they differ."""

from __future__ import annotations

import json
import math
from decimal import Decimal

import pytest

from core import jsontext


def test_round_trip_equals_the_standard_library() -> None:
    value = {"id": "e1", "payload": {"signals": {"speed": {"min": 1.5, "count": 3}}, "ok": True,
             "none": None, "list": [1, "two", 3.25], "text": "Näht \"quoted\" \u2713"}}  # fmt: skip
    text = jsontext.dumps(value)
    assert json.loads(text) == value
    assert jsontext.loads(text) == value
    assert jsontext.loads(json.dumps(value)) == value
    assert jsontext.loads(text.encode()) == value


def test_nan_written_by_the_standard_library_is_read() -> None:
    decoded = jsontext.loads('{"value": NaN, "high": Infinity}')
    assert math.isnan(decoded["value"]) and decoded["high"] == math.inf


def test_a_float_that_is_no_number_is_written_as_null_and_keys_become_strings() -> None:
    assert json.loads(jsontext.dumps({"value": math.nan, 7: "seven"})) == {
        "value": None,
        "7": "seven",
    }


def test_what_json_cannot_hold_raises_the_usual_errors() -> None:
    with pytest.raises(TypeError, match="Decimal"):
        jsontext.dumps({"price": Decimal("1.5")})
    with pytest.raises(ValueError, match="char 1"):
        jsontext.loads("{bad")
