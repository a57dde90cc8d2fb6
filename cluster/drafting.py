"""The HMI's drafting call: one order drafted as the planner sees it (pieces SVG, fit, SMV, fabric).

The HMI imports only `core` and this client API; drafting itself is `design_bridge`'s.
"""

from __future__ import annotations

from typing import Any

from core.orders import CustomOrder


def draft_summary(order: CustomOrder) -> dict[str, Any]:
    """Draft `order` and return plain data: svg, flags, fit rows, smv_total, quantity, fabric."""
    from design_bridge import draft_order
    from design_bridge.export.svg import order_svg

    drafted = draft_order(order)
    bom = drafted.bom
    return {
        "svg": order_svg(f"{order.order_id} {order.style}", drafted.pieces),
        "flags": list(drafted.flags),
        "fit": [f.to_dict() for f in drafted.fit],
        "smv_total": drafted.smv_total,
        "quantity": drafted.quantity,
        "fabric": {
            "fabric": bom.fabric_code,
            "width (mm)": bom.fabric_width_mm,
            "length (m)": round(bom.fabric_length_m, 2),
            "area (m²)": round(bom.fabric_area_m2, 2),
            "known fabric": bom.fabric_known,
        },
    }
