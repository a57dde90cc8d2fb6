"""Drafting results for the planner: pieces as SVG, fit checks, SMV and fabric, per order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import streamlit as st

from core.orders import CustomOrder
from design_bridge import draft_order
from design_bridge.export.svg import order_svg


@dataclass(frozen=True)
class DraftPreview:
    order_id: str
    svg: str
    flags: list[str]
    fit: list[dict[str, Any]]
    smv_total: float  # per garment
    quantity: int
    fabric: dict[str, Any]


@st.cache_data(show_spinner=False, max_entries=256)
def _preview(order_json: str) -> DraftPreview:
    order = CustomOrder.model_validate_json(order_json)
    drafted = draft_order(order)
    bom = drafted.bom
    return DraftPreview(
        order_id=order.order_id,
        svg=order_svg(f"{order.order_id} {order.style}", drafted.pieces),
        flags=list(drafted.flags),
        fit=[f.to_dict() for f in drafted.fit],
        smv_total=drafted.smv_total,
        quantity=drafted.quantity,
        fabric={
            "fabric": bom.fabric_code,
            "width (mm)": bom.fabric_width_mm,
            "length (m)": round(bom.fabric_length_m, 2),
            "area (m²)": round(bom.fabric_area_m2, 2),
            "known fabric": bom.fabric_known,
        },
    )


def draft_preview(order: CustomOrder) -> DraftPreview:
    """Drafting is pure and deterministic, so a preview is cached by the order's content."""
    return _preview(order.model_dump_json())
