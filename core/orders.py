"""A custom order as the floor knows it: style, options, body or size, fabric, quantity, due."""

from __future__ import annotations

import math
from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

# Body measurements an order may carry, all in centimetres (see README, "Order batches").
MEASUREMENTS: tuple[str, ...] = (
    "height",
    "neck",
    "chest",
    "waist",
    "hip",
    "shoulder_width",
    "arm_length",
    "wrist",
    "back_waist_length",
    "inseam",
    "thigh",
)

# Plausible range per measurement (cm): the ANSUR II extremes widened by 15 %, as drafting
# (design_bridge) accepts; a value outside is a typo or inches.
MEASUREMENT_RANGES: dict[str, tuple[float, float]] = {
    "height": (100, 260),
    "neck": (23, 70),
    "chest": (55, 176),
    "waist": (46, 176),
    "hip": (58, 172),
    "shoulder_width": (22, 64),
    "arm_length": (33, 91),
    "wrist": (9.5, 28),
    "back_waist_length": (25, 76),
    "inseam": (47, 134),
    "thigh": (34, 110),
}

STYLES: tuple[str, ...] = ("shirt", "trousers", "skirt", "tshirt")

# What an order by measurements must give per style; drafting derives the others.
STYLE_MEASUREMENTS: dict[str, tuple[str, ...]] = {
    "shirt": ("height", "chest"),
    "tshirt": ("height", "chest"),
    "trousers": ("height", "waist", "hip"),
    "skirt": ("height", "waist", "hip"),
}

# Size labels an order may give instead of (or with) measurements: drafting's size tables.
SIZES: tuple[str, ...] = ("XS", "S", "M", "L", "XL", "XXL", "3XL")


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    RUSH = "rush"


class OrderStatus(StrEnum):
    RECEIVED = "received"
    DRAFTED = "drafted"
    PLANNED = "planned"
    IN_PRODUCTION = "in_production"
    DONE = "done"
    CANCELLED = "cancelled"


class CustomOrder(BaseModel):
    """One validated order row: a `size`, `measurements` (cm), or both (measurements override
    the size table's values), never neither."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    order_id: str = Field(min_length=1, max_length=64, description="The customer's order id")
    customer: str = Field(min_length=1, max_length=200, description="Customer name or id")
    style: str = Field(description="Style key: shirt, trousers, skirt, tshirt")
    options: dict[str, str] = Field(default_factory=dict, description="Style options, key=value")
    size: str | None = Field(
        None, description="Size label (XS..3XL); measurements given too override its values"
    )
    measurements: dict[str, float] = Field(
        default_factory=dict, description="Body measurements in cm, by name in MEASUREMENTS"
    )
    fabric: str = Field(min_length=1, description="Fabric code")
    quantity: int = Field(ge=1, le=10_000, description="Garments to make")
    due_date: date = Field(description="Date the order must leave the plant")
    priority: Priority = Field(Priority.NORMAL, description="Planning priority")

    @model_validator(mode="after")
    def _body_or_size(self) -> CustomOrder:
        if self.style not in STYLES:
            raise ValueError(f"unknown style {self.style!r}; expected one of {', '.join(STYLES)}")
        if self.size is None and not self.measurements:
            raise ValueError("an order needs a size or body measurements")
        for name, cm in self.measurements.items():
            if name not in MEASUREMENTS:
                raise ValueError(f"unknown measurement {name!r}")
            if not math.isfinite(cm) or cm <= 0:
                raise ValueError(f"measurement {name} must be a positive number of cm")
        return self
