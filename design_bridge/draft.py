"""draft_order: one custom order becomes pieces, routing, bill of materials and a fit report."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from core.errors import InputError
from core.orders import CustomOrder
from design_bridge.bom import BillOfMaterials, bill_of_materials, fabric
from design_bridge.measurements import Body, body_for
from design_bridge.options import EASE, resolve_options
from design_bridge.pieces import Piece
from design_bridge.routing import Operation, routing_for
from design_bridge.styles import shirt, skirt, trousers, tshirt
from design_bridge.styles.common import StyleDraft, width_at

log = logging.getLogger(__name__)

DRAFTERS = {
    "shirt": shirt.draft,
    "trousers": trousers.draft,
    "skirt": skirt.draft,
    "tshirt": tshirt.draft,
}


@dataclass(frozen=True)
class FitCheck:
    """Ease at one girth (cm): finished garment minus body, against the style's allowed range."""

    girth: str
    body_cm: float
    garment_cm: float
    ease_cm: float
    min_cm: float
    max_cm: float

    @property
    def ok(self) -> bool:
        return self.min_cm <= self.ease_cm <= self.max_cm

    def to_dict(self) -> dict:
        return {
            "girth": self.girth,
            "body_cm": self.body_cm,
            "garment_cm": self.garment_cm,
            "ease_cm": self.ease_cm,
            "min_cm": self.min_cm,
            "max_cm": self.max_cm,
            "ok": self.ok,
        }


@dataclass(frozen=True)
class SeamCheck:
    """Sewn lengths (mm) of the two sides of a seam; b - a must lie in the allowed range."""

    seam: str
    a_mm: float
    b_mm: float
    min_mm: float
    max_mm: float
    a: tuple[tuple[str, str, int], ...] = ()  # (piece, edge, count) sewn on each side
    b: tuple[tuple[str, str, int], ...] = ()

    @property
    def ok(self) -> bool:
        return self.min_mm <= self.b_mm - self.a_mm <= self.max_mm

    def to_dict(self) -> dict:
        return {
            "seam": self.seam,
            "a": [list(part) for part in self.a],
            "b": [list(part) for part in self.b],
            "a_mm": self.a_mm,
            "b_mm": self.b_mm,
            "min_mm": self.min_mm,
            "max_mm": self.max_mm,
            "ok": self.ok,
        }


@dataclass
class DraftedOrder:
    """Everything production needs from one order; `pieces` and `routing` are per garment."""

    order_id: str
    customer: str
    style: str
    options: dict[str, str]
    quantity: int
    body: Body
    pieces: list[Piece]
    routing: list[Operation]
    bom: BillOfMaterials
    fit: list[FitCheck]
    seams: list[SeamCheck]
    size: str | None = None
    flags: list[str] = field(default_factory=list)

    @property
    def smv_total(self) -> float:
        """Standard minutes for one garment."""
        return round(sum(op.smv for op in self.routing), 2)

    def to_dict(self) -> dict:
        return {
            "order_id": self.order_id,
            "customer": self.customer,
            "style": self.style,
            "options": dict(self.options),
            "size": self.size,
            "quantity": self.quantity,
            "body": {
                "source": self.body.source,
                "measurements_cm": dict(self.body.values),
                "derived": dict(self.body.derived),
            },
            "pieces": [p.to_dict() for p in self.pieces],
            "routing": [op.to_dict() for op in self.routing],
            "smv_total": self.smv_total,
            "bom": self.bom.to_dict(),
            "fit": [f.to_dict() for f in self.fit],
            "seams": [s.to_dict() for s in self.seams],
            "flags": list(self.flags),
        }


def draft_order(order: CustomOrder) -> DraftedOrder:
    """Draft one order; an InputError names the order and the field at fault."""
    options = resolve_options(order)
    body = body_for(order, options["body"])
    try:
        drafted = DRAFTERS[order.style](body, options)
    except ValueError as exc:
        # proportions inside every single range can still be impossible together
        raise InputError(f"order {order.order_id}: cannot draft {order.style}: {exc}") from exc
    fab = fabric(order.fabric)
    size = order.size or "MTM"
    for p in drafted.pieces:
        p.label = f"{order.order_id} {p.name} {size} {order.customer} cut {p.quantity}"
        p.allowed_rotations = fab.allowed_rotations
    fit = _fit(order.style, options["fit"], body, drafted)
    seams = _seams(drafted)
    flags = [
        f"{f.girth} ease {f.ease_cm:g} cm outside {f.min_cm:g}..{f.max_cm:g} cm "
        f"(body {f.body_cm:g} cm, garment {f.garment_cm:g} cm)"
        for f in fit
        if not f.ok
    ]
    flags += [
        f"seam {s.seam}: {s.b_mm:g} - {s.a_mm:g} mm outside {s.min_mm:g}..{s.max_mm:g} mm"
        for s in seams
        if not s.ok
    ]
    if not fab.known:
        flags.append(f"fabric {order.fabric} not in catalogue; width {fab.width_mm:g} mm assumed")
    return DraftedOrder(
        order_id=order.order_id,
        customer=order.customer,
        style=order.style,
        options=options,
        quantity=order.quantity,
        body=body,
        pieces=drafted.pieces,
        routing=routing_for(order.style, options),
        bom=bill_of_materials(order.style, options, drafted.pieces, fab, order.quantity),
        fit=fit,
        seams=seams,
        size=order.size,
        flags=flags,
    )


def _fit(style: str, fit: str, body: Body, drafted: StyleDraft) -> list[FitCheck]:
    checks = []
    for girth in drafted.girths:
        garment = sum(width_at(drafted.piece(p), y) * n for p, y, n in girth.parts)
        garment += sum(drafted.piece(p).edge_length(e) * n for p, e, n in girth.edges)
        garment = (garment - girth.overlap) / 10
        _, lo, hi = EASE[style][fit][girth.name]
        b = body.values[girth.name]
        checks.append(FitCheck(girth.name, b, round(garment, 1), round(garment - b, 1), lo, hi))
    return checks


def _seams(drafted: StyleDraft) -> list[SeamCheck]:
    def side(parts) -> float:
        return sum(drafted.piece(p).edge_length(e) * n for p, e, n in parts)

    return [
        SeamCheck(
            s.name,
            round(side(s.a), 1),
            round(side(s.b), 1),
            round(s.ease[0], 1),
            round(s.ease[1], 1),
            s.a,
            s.b,
        )
        for s in drafted.seams
    ]
