"""The store's rows of one drafted order: `DraftedOrder.to_dict()` in, ORM rows out; and
drafting's refusals as report lines (the field at fault, the reason)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from core.errors import InputError
from core.schema import OperationRow, PatternPieceRow, ProductionOrderRow, RoutingRow

# What `pattern_pieces.detail` keeps of a drafted piece beyond the columns (`polygon` is the
# cut line).
_PIECE_DETAIL = (
    "label",
    "sewing_line",
    "edges",
    "seam_allowances_mm",
    "notches",
    "darts",
    "interfaced",
    "allowed_rotations",
    "cut_area_mm2",
)
# Drafting's messages name the field at fault in one of these shapes (measurements.py,
# options.py, draft.py); the first that matches gives the report's field.
_FIELDS = (
    (re.compile(r"measurement '(\w+)'"), None),
    (re.compile(r"\boption\b"), "options"),
    (re.compile(r"\bsize\b"), "size"),
    (re.compile(r"\bstyle '"), "style"),
    (re.compile(r"cannot draft"), "measurements"),
)


@dataclass(frozen=True)
class DraftFailure:
    """An order drafting refused: `field` as in the import's row errors, `message` the reason."""

    order_id: str
    field: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"order_id": self.order_id, "field": self.field, "message": self.message}


def failure_of(order_id: str, error: InputError) -> DraftFailure:
    """Drafting's InputError as a report line: the field it names and the reason without the
    `order <id>: ` prefix (the report already says which order)."""
    message = str(error).removeprefix(f"order {order_id}: ")
    for pattern, name in _FIELDS:
        found = pattern.search(message)
        if found:
            return DraftFailure(order_id, name or found.group(1), message)
    return DraftFailure(order_id, "(order)", message)


def bom_lines(bom: dict[str, Any]) -> list[dict[str, Any]]:
    """`BillOfMaterials.to_dict()` as the store's BOM: one line per material, for the order."""
    lines: list[dict[str, Any]] = [
        {
            "material": bom["fabric_code"],
            "kind": "fabric",
            "quantity": bom["fabric_length_m"],
            "unit": "m",
            "area_m2": bom["fabric_area_m2"],
            "width_mm": bom["fabric_width_mm"],
            "marker_efficiency": bom["marker_efficiency"],
            "in_catalogue": bom["fabric_known"],
        }
    ]
    for kind in ("pocketing", "interfacing"):
        if bom[f"{kind}_area_m2"] > 0:
            area = bom[f"{kind}_area_m2"]
            lines.append({"material": kind, "kind": kind, "quantity": area, "unit": "m2"})
    lines.append(
        {
            "material": "thread",
            "kind": "thread",
            "quantity": bom["thread_m"],
            "unit": "m",
            "colour": bom["thread_colour"],
        }
    )
    lines += [
        {"material": name, "kind": "trim", "quantity": n, "unit": "pcs"}
        for name, n in bom["trims"].items()
    ]
    return lines


def production_order_row(drafted: dict[str, Any], version: str) -> ProductionOrderRow:
    """The rows of one `DraftedOrder.to_dict()`: production order, pieces, routing, operations."""
    pieces = [
        PatternPieceRow(
            name=p["name"],
            polygon=p["cut_line"],
            grain_line=p["grain_line"],
            notches=[[n["x"], n["y"]] for n in p["notches"]],
            seam_allowance_mm=min(p["seam_allowances_mm"].values(), default=0.0),
            quantity=p["quantity"],
            mirrored=p["mirrored"],
            material=p["material"],
            detail={key: p[key] for key in _PIECE_DETAIL},
        )
        for p in drafted["pieces"]
    ]
    operations = [
        OperationRow(
            seq=seq,
            code=op["op_id"],
            name=op["name"],
            machine_type=op["machine_type"],
            smv=op["smv"],
            predecessors=list(op["after"]),
        )
        for seq, op in enumerate(drafted["routing"], start=1)
    ]
    return ProductionOrderRow(
        order_id=drafted["order_id"],
        status="drafted",
        bom=bom_lines(drafted["bom"]),
        drafter_version=version,
        body=drafted["body"],
        fit=drafted["fit"],
        seams=drafted["seams"],
        flags=drafted["flags"],
        pieces=pieces,
        routing=RoutingRow(style=drafted["style"], operations=operations),
    )
