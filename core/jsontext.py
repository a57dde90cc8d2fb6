"""JSON text on the event path: orjson where it can, the standard library where it cannot.

The centre decodes every event a line ships and encodes every payload it stores; orjson does
both several times faster than `json`. Where they differ the standard library decides:
- `loads`: orjson refuses `NaN` / `Infinity` (not JSON, but what `json.dumps` writes for such
  floats, e.g. an agent's), so a text orjson refuses is decoded by `json.loads`, which accepts
  them or raises the usual `ValueError` naming the position.
- `dumps`: dictionary keys that are not strings become strings, as with `json.dumps`; a float
  that is no number (NaN, infinity) becomes `null`, valid JSON that PostgreSQL's JSONB takes
  (the standard library's `NaN` is refused there); a value orjson cannot encode (a Decimal, a
  set) goes to `json.dumps`, which encodes it or raises the usual TypeError.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

_OPTIONS = orjson.OPT_NON_STR_KEYS


def loads(text: str | bytes) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def dumps(value: Any) -> str:
    try:
        return orjson.dumps(value, option=_OPTIONS).decode()
    except TypeError:
        return json.dumps(value)
