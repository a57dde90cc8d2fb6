"""Drafting results for the planner: pieces as SVG, fit checks, SMV and fabric, per order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import streamlit as st

from cluster.drafting import draft_summary
from core.orders import CustomOrder


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
    return DraftPreview(order_id=order.order_id, **draft_summary(order))


def draft_preview(order: CustomOrder) -> DraftPreview:
    """Drafting is pure and deterministic, so a preview is cached by the order's content."""
    return _preview(order.model_dump_json())
