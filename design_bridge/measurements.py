"""An order's body: validated measurements in cm, from the order or its size, with derivations.

Ranges, size tables and derivation coefficients come from ANSUR II via
design_bridge/tools/make_size_tables.py; see design_bridge/README.md.
"""

from __future__ import annotations

import csv
import functools
import json
import logging
import math
from dataclasses import dataclass, field
from pathlib import Path

from core.errors import InputError
from core.orders import MEASUREMENTS, CustomOrder

log = logging.getLogger(__name__)

SIZE_TABLES = Path(__file__).resolve().parents[1] / "data" / "size_tables"

# What each style needs: `required` must come from the order or its size; the rest is derived
# from them when missing, with the predictor set fitted on ANSUR II.
STYLE_NEEDS: dict[str, dict] = {
    "shirt": {
        "required": ("height", "chest"),
        "uses": (
            "neck",
            "waist",
            "hip",
            "shoulder_width",
            "arm_length",
            "wrist",
            "back_waist_length",
        ),
        "predictors": "top",
    },
    "tshirt": {
        "required": ("height", "chest"),
        "uses": (
            "neck",
            "waist",
            "hip",
            "shoulder_width",
            "arm_length",
            "wrist",
            "back_waist_length",
        ),
        "predictors": "top",
    },
    "trousers": {
        "required": ("height", "waist", "hip"),
        "uses": ("inseam", "thigh"),
        "predictors": "bottom",
    },
    "skirt": {"required": ("height", "waist", "hip"), "uses": (), "predictors": "bottom"},
}


@dataclass
class Body:
    """Measurements in cm; `derived` explains each value Atelier computed rather than was given."""

    values: dict[str, float]
    derived: dict[str, str] = field(default_factory=dict)
    source: str = "measurements"

    def mm(self, name: str) -> float:
        return self.values[name] * 10.0


@functools.cache
def ranges() -> dict[str, dict[str, float]]:
    return json.loads((SIZE_TABLES / "ranges.json").read_text())


@functools.cache
def derivations() -> dict[str, dict]:
    return json.loads((SIZE_TABLES / "derivations.json").read_text())


@functools.cache
def size_table(body: str) -> dict[str, dict[str, float]]:
    """Size label -> measurements (cm) for `men` or `women`."""
    with (SIZE_TABLES / f"{body}.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    sizes = [k for k in rows[0] if k not in ("measurement", "base", "increment")]
    return {s: {r["measurement"]: float(r[s]) for r in rows} for s in sizes}


def _unit_hint(value: float, lo: float, hi: float) -> str:
    if value > hi and lo <= value / 10 <= hi:
        return " (looks like millimetres; measurements are in cm)"
    if value < lo and lo <= value * 2.54 <= hi:
        return " (looks like inches; measurements are in cm)"
    return ""


def check_value(order_id: str, name: str, value: object) -> float:
    """One measurement: a finite number of cm inside the ANSUR II range, else InputError."""
    where = f"order {order_id}: measurement {name!r}"
    if name not in MEASUREMENTS:
        raise InputError(f"{where} is not known; known measurements: {', '.join(MEASUREMENTS)}")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InputError(f"{where}: {value!r} is not a number of cm")
    v = float(value)
    if not math.isfinite(v) or v <= 0:
        raise InputError(f"{where}: {value!r} must be a positive number of cm")
    r = ranges()[name]
    if not r["min"] <= v <= r["max"]:
        raise InputError(
            f"{where}: {v:g} cm is outside the plausible range {r['min']:g}..{r['max']:g} cm"
            f"{_unit_hint(v, r['min'], r['max'])}"
        )
    return v


def _derive(target: str, key: str, values: dict[str, float]) -> tuple[float, str]:
    model = derivations()[key]["targets"][target]
    v = model["intercept"] + sum(c * values[p] for p, c in model["coefficients"].items())
    terms = " + ".join(f"{c:g}*{p}" for p, c in model["coefficients"].items())
    why = f"{model['intercept']:g} + {terms} (ANSUR II fit, sd {model['residual_sd']:g} cm)"
    return v, why


def body_for(order: CustomOrder, body_kind: str) -> Body:
    """The body a style is drafted for; InputError names the order and the field at fault."""
    needs = STYLE_NEEDS[order.style]
    values: dict[str, float] = {}
    source = "measurements"
    if order.size is not None:
        table = size_table(body_kind)
        if order.size not in table:
            raise InputError(
                f"order {order.order_id}: size {order.size!r} is not in the {body_kind} size table "
                f"({', '.join(table)})"
            )
        values.update(table[order.size])
        source = f"size {body_kind} {order.size}"
    for name, value in order.measurements.items():
        values[name] = check_value(order.order_id, name, value)
    if order.size is None and not order.measurements:
        raise InputError(f"order {order.order_id}: neither a size nor measurements are given")
    for name in needs["required"]:
        if name not in values:
            raise InputError(
                f"order {order.order_id}: measurement {name!r} is missing "
                f"(style {order.style} needs {', '.join(needs['required'])})"
            )
    body = Body(values=values, source=source)
    for name in (*needs["uses"], "waist_height", "body_rise"):
        if name in values:
            continue
        v, why = _derive(name, needs["predictors"], values)
        if name in ranges():
            r = ranges()[name]
            v = min(max(v, r["min"]), r["max"])
        body.values[name] = round(v, 1)
        body.derived[name] = why
    _cross_check(order, body)
    return body


def _cross_check(order: CustomOrder, body: Body) -> None:
    """Proportions no body has: these are typing errors, not customers."""
    v = body.values
    pairs = [("inseam", 0.6), ("back_waist_length", 0.4), ("arm_length", 0.5)]
    for name, share in pairs:
        if name in v and v[name] > share * v["height"]:
            raise InputError(
                f"order {order.order_id}: measurement {name!r} = {v[name]:g} cm is more than "
                f"{share:g} x height ({v['height']:g} cm)"
            )
