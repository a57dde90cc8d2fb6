"""Validate one raw row, cell by cell, into a CustomOrder; every problem names its field.

Cells are strings (CSV) or JSON values. Text that a spreadsheet would run as a formula, control
characters, oversized strings and non-finite numbers are refused here, never stored.
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date
from typing import Any

from pydantic import ValidationError

from core.orders import (
    MEASUREMENT_RANGES,
    MEASUREMENTS,
    SIZES,
    STYLE_MEASUREMENTS,
    STYLES,
    CustomOrder,
    Priority,
)

Problems = list[tuple[str, str]]

MAX_OPTIONS = 20
MAX_OPTIONS_TEXT = 2000
_FORMULA_START = ("=", "+", "-", "@")
# No slashes: drafting names export folders after the order id.
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_OPTION_KEY = re.compile(r"[a-z][a-z0-9_]*")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_WHOLE = re.compile(r"\+?\d+")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_NON_FINITE = {"nan", "inf", "infinity"}


class CellError(ValueError):
    """One cell's problem; the message is for the planner who fixes the file."""


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def text(value: Any, max_len: int, pattern: re.Pattern[str] | None = None) -> str:
    """A clean single-line string: no control characters, no formula, not too long."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise CellError(f"expected text, got {type(value).__name__}")
    s = str(value).strip()
    if len(s) > max_len:
        raise CellError(f"is {len(s)} characters long; at most {max_len} allowed")
    bad = next((c for c in s if unicodedata.category(c)[0] == "C"), None)
    if bad is not None:
        raise CellError(f"contains the control character U+{ord(bad):04X}")
    if s.startswith(_FORMULA_START):
        raise CellError(f"starts with {s[0]!r}, which a spreadsheet would run as a formula")
    if pattern is not None and not pattern.fullmatch(s):
        raise CellError("may hold only letters, digits and . _ - (starting with a letter or digit)")
    return s


def number(value: Any) -> float:
    if isinstance(value, bool):
        raise CellError("expected a number, got true/false")
    if isinstance(value, int | float):
        x = float(value)
    elif isinstance(value, str):
        s = value.strip()
        if s.lower().lstrip("+-") in _NON_FINITE:
            raise CellError(f"{s[:20]!r} is not a finite number")
        if "," in s and _NUMBER.fullmatch(s.replace(",", ".")):
            raise CellError(f"{s!r}: use a decimal point, not a comma")
        if not _NUMBER.fullmatch(s):
            raise CellError(f"{s[:20]!r} is not a number")
        x = float(s)
    else:
        raise CellError(f"expected a number, got {type(value).__name__}")
    if not math.isfinite(x):
        raise CellError("is not a finite number")
    return x


def measurement(name: str, value: Any) -> float:
    x = number(value)
    if x <= 0:
        raise CellError(f"{x:g} cm: a body measurement must be positive")
    low, high = MEASUREMENT_RANGES[name]
    if not low <= x <= high:
        raise CellError(f"{x:g} cm is outside the plausible range {low:g}..{high:g} cm")
    return round(x, 1)


def quantity(value: Any) -> int:
    if isinstance(value, bool):
        raise CellError("expected a whole number, got true/false")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and _WHOLE.fullmatch(value.strip()):
        value = int(value.strip()) if len(value.strip()) < 10 else 10**9
    if not isinstance(value, int):
        raise CellError(f"{str(value)[:20]!r} is not a whole number")
    if not 1 <= value <= 10_000:
        raise CellError(f"{value if value < 10**9 else 'huge'}: must be between 1 and 10000")
    return value


def due_date(value: Any) -> date:
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value.strip()):
        raise CellError(f"{str(value)[:20]!r} is not an ISO date (YYYY-MM-DD)")
    try:
        d = date.fromisoformat(value.strip())
    except ValueError as exc:
        raise CellError(f"{value.strip()!r} is not a date ({exc})") from exc
    if not 2000 <= d.year <= 2100:
        raise CellError(f"{d.isoformat()} is not a plausible due date")
    return d


def options(value: Any) -> dict[str, str]:
    """`key=value;key=value` (or a JSON object); keys lower-case, values plain text."""
    if isinstance(value, dict):
        pairs = [(str(k), v) for k, v in value.items()]
    elif isinstance(value, str):
        if len(value) > MAX_OPTIONS_TEXT:
            raise CellError(f"is {len(value)} characters long; at most {MAX_OPTIONS_TEXT} allowed")
        pairs = []
        for part in value.split(";"):
            if not part.strip():
                continue
            key, sep, val = part.partition("=")
            if not sep:
                raise CellError(f"{part.strip()[:40]!r} is not key=value")
            pairs.append((key.strip(), val))
    else:
        raise CellError(f"expected key=value;... or an object, got {type(value).__name__}")
    if len(pairs) > MAX_OPTIONS:
        raise CellError(f"{len(pairs)} options; at most {MAX_OPTIONS}")
    out: dict[str, str] = {}
    for key, val in pairs:
        if not _OPTION_KEY.fullmatch(key) or len(key) > 32:
            raise CellError(f"option name {key[:40]!r} must be lower-case letters, digits and _")
        if key in out:
            raise CellError(f"option {key} given twice")
        try:
            out[key] = text(val, 64)
        except CellError as exc:
            raise CellError(f"option {key} {exc}") from exc
        if not out[key] or any(c in out[key] for c in "=;"):
            raise CellError(f"option {key} needs a value without = or ;")
    return out


def size(value: Any) -> str:
    label = str(value).strip().upper() if isinstance(value, str | int) else None
    if isinstance(value, bool) or label not in SIZES:
        raise CellError(f"{str(value)[:20]!r} is not a size; expected one of {', '.join(SIZES)}")
    return label


def _cell(problems: Problems, name: str, fn: Any, value: Any) -> Any:
    try:
        return fn(value)
    except CellError as exc:
        problems.append((name, str(exc)))
        return None


def validate_row(raw: dict[str, Any]) -> tuple[CustomOrder | None, Problems]:
    """A CustomOrder from one row's cells, or the problems found, one per field."""
    problems: Problems = []
    for name in ("order_id", "customer", "style", "fabric", "quantity", "due_date"):
        if _blank(raw.get(name)):
            problems.append((name, "is required"))
    got: dict[str, Any] = {}
    checks = {
        "order_id": lambda v: text(v, 64, _ID),
        "customer": lambda v: text(v, 200),
        "fabric": lambda v: text(v, 64, _CODE),
        "quantity": quantity,
        "due_date": due_date,
    }
    for name, check in checks.items():
        if not _blank(raw.get(name)):
            got[name] = _cell(problems, name, check, raw[name])
    style = raw.get("style")
    if not _blank(style):
        key = str(style).strip().lower() if isinstance(style, str) else None
        if key in STYLES:
            got["style"] = key
        else:
            problems.append(
                ("style", f"unknown style {str(style)[:40]!r}; expected {', '.join(STYLES)}")
            )
    got["options"] = (
        {} if _blank(raw.get("options")) else _cell(problems, "options", options, raw["options"])
    )
    prio = raw.get("priority")
    if not _blank(prio):
        values = [p.value for p in Priority]
        key = prio.strip().lower() if isinstance(prio, str) else None
        if key in values:
            got["priority"] = Priority(key)
        else:
            problems.append(("priority", f"{str(prio)[:20]!r} is not one of {', '.join(values)}"))
    given = {m: raw[m] for m in MEASUREMENTS if not _blank(raw.get(m))}
    body = {m: _cell(problems, m, lambda v, m=m: measurement(m, v), v) for m, v in given.items()}
    if not _blank(raw.get("size")):
        got["size"] = _cell(problems, "size", size, raw["size"])
    elif not given:
        problems.append(("size", "give a size or body measurements in cm"))
    elif got.get("style") in STYLE_MEASUREMENTS:
        for m in STYLE_MEASUREMENTS[got["style"]]:
            if m not in given:
                problems.append((m, f"is required for style {got['style']} without a size (cm)"))
    got["measurements"] = body
    if problems:
        return None, problems
    try:
        return CustomOrder(**got), []
    except ValidationError as exc:
        return None, [(".".join(map(str, e["loc"])) or "(row)", e["msg"]) for e in exc.errors()]
