"""What a design costs to sew and cut: the `DesignCostModel` protocol and two implementations.

`DraftingCostModel` asks the design bridge: it drafts the design for a reference body and sums
the routing's SMVs and the pieces' areas. `TableCostModel` reads both from a small table of
per-style bases and per-option deltas; it stands in where drafting is not available and keeps
tests independent of the drafting code.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from core.errors import ConfigError
from core.orders import CustomOrder
from design_bridge.generation.options import FABRIC_CODES, FABRIC_STYLES

log = logging.getLogger(__name__)

# A mid-range adult body (cm), close to the ANSUR II medians, that every proposal is priced on.
REFERENCE_BODY: dict[str, float] = {
    "height": 172.0,
    "neck": 38.0,
    "chest": 98.0,
    "waist": 84.0,
    "hip": 100.0,
    "shoulder_width": 45.0,
    "arm_length": 60.0,
    "wrist": 17.0,
    "back_waist_length": 44.0,
    "inseam": 79.0,
    "thigh": 58.0,
}


class DesignCostModel(Protocol):
    """Sewing minutes and fabric area of one garment of a design on the reference body."""

    def smv_minutes(self, style: str, options: dict[str, str]) -> float: ...

    def fabric_area_m2(self, style: str, options: dict[str, str]) -> float: ...


def reference_order(style: str, options: dict[str, str], fabric: str) -> CustomOrder:
    """The order the design bridge drafts to price a proposal: one garment, reference body,
    the catalogue cloth standing in for the base cloth `fabric`."""
    return CustomOrder(
        order_id="proposal",
        customer="reference-body",
        style=style,
        options=options,
        measurements=REFERENCE_BODY,
        fabric=FABRIC_CODES.get(fabric, fabric),
        quantity=1,
        due_date=date(2030, 1, 1),
    )


@dataclass
class TableCostModel:
    """SMV and fabric area from per-style bases plus per-option deltas (minutes, m2)."""

    base_smv: dict[str, float] = field(
        default_factory=lambda: {"shirt": 24.0, "trousers": 22.0, "skirt": 12.0, "tshirt": 8.0}
    )
    base_area: dict[str, float] = field(
        default_factory=lambda: {"shirt": 1.45, "trousers": 1.35, "skirt": 0.80, "tshirt": 0.95}
    )
    smv_delta: dict[str, float] = field(
        default_factory=lambda: {
            "sleeve=short": -3.0,
            "collar=button_down": 1.2,
            "collar=mandarin": -0.8,
            "fit=slim": 0.8,
            "leg=wide": -0.5,
            "length=mini": -1.0,
            "length=midi": 1.0,
        }
    )
    area_delta: dict[str, float] = field(
        default_factory=lambda: {
            "sleeve=short": -0.25,
            "fit=slim": -0.08,
            "fit=relaxed": 0.12,
            "leg=wide": 0.22,
            "leg=slim": -0.10,
            "length=mini": -0.22,
            "length=midi": 0.25,
            "body=men": 0.06,
        }
    )

    def _check(self, style: str) -> None:
        if style not in self.base_smv or style not in self.base_area:
            raise ConfigError(f"cost table has no base SMV or fabric area for style {style!r}")

    def smv_minutes(self, style: str, options: dict[str, str]) -> float:
        self._check(style)
        return self.base_smv[style] + sum(
            self.smv_delta.get(f"{k}={v}", 0.0) for k, v in options.items()
        )

    def fabric_area_m2(self, style: str, options: dict[str, str]) -> float:
        self._check(style)
        return self.base_area[style] + sum(
            self.area_delta.get(f"{k}={v}", 0.0) for k, v in options.items()
        )


def _total_smv(drafted: object) -> float:
    routing = getattr(drafted, "routing", None)
    operations = getattr(routing, "operations", routing)
    if operations is None:
        raise ConfigError("drafted order carries no routing; cannot price sewing")
    return float(sum(op.smv for op in operations))


def _piece_area_m2(drafted: object) -> float:
    bom = getattr(drafted, "bom", None)
    for name in ("fabric_area_m2", "area_m2"):
        if bom is not None and hasattr(bom, name):
            return float(getattr(bom, name))
    pieces = getattr(drafted, "pieces", None)
    if not pieces:
        raise ConfigError("drafted order carries neither a BOM fabric area nor pieces")
    # Pieces are polygons in millimetres; each is cut `cut_count` times.
    total_mm2 = sum(p.cut_polygon.area * getattr(p, "cut_count", 1) for p in pieces)
    return total_mm2 / 1e6


class DraftingCostModel:
    """Prices a design by drafting it with `design_bridge.draft_order` on the reference body."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, tuple[tuple[str, str], ...]], tuple[float, float]] = {}

    def _draft(self, style: str, options: tuple[tuple[str, str], ...]) -> tuple[float, float]:
        if (style, options) in self._cache:
            return self._cache[(style, options)]
        try:
            from design_bridge import draft_order
        except ImportError as exc:
            raise ConfigError("design_bridge.draft_order is not available in this build") from exc
        # SMV and piece area do not depend on the cloth; a catalogued one of the style stands in.
        fabric = next(f for f in FABRIC_CODES if style in FABRIC_STYLES[f])
        drafted = draft_order(reference_order(style, dict(options), fabric))
        self._cache[(style, options)] = _total_smv(drafted), _piece_area_m2(drafted)
        return self._cache[(style, options)]

    def smv_minutes(self, style: str, options: dict[str, str]) -> float:
        return self._draft(style, tuple(sorted(options.items())))[0]

    def fabric_area_m2(self, style: str, options: dict[str, str]) -> float:
        return self._draft(style, tuple(sorted(options.items())))[1]
