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

# Plausible adult range per measurement (cm); a value outside is a typo or a wrong unit.
MEASUREMENT_RANGES: dict[str, tuple[float, float]] = {
    "height": (120, 220),
    "neck": (25, 60),
    "chest": (60, 180),
    "waist": (45, 180),
    "hip": (60, 190),
    "shoulder_width": (28, 65),
    "arm_length": (40, 90),
    "wrist": (12, 30),
    "back_waist_length": (30, 65),
    "inseam": (50, 110),
    "thigh": (35, 100),
}

STYLES: tuple[str, ...] = ("shirt", "trousers", "skirt", "tshirt")

# What drafting needs per style when an order comes by measurements; others are optional.
STYLE_MEASUREMENTS: dict[str, tuple[str, ...]] = {
    "shirt": (
        "height",
        "neck",
        "chest",
        "waist",
        "shoulder_width",
        "arm_length",
        "wrist",
        "back_waist_length",
    ),
    "trousers": ("height", "waist", "hip", "inseam", "thigh"),
    "skirt": ("height", "waist", "hip"),
    "tshirt": ("height", "chest", "waist", "shoulder_width", "arm_length"),
}

# Size labels an order may give instead of measurements: letter sizes and EU numeric sizes.
SIZES: tuple[str, ...] = ("XS", "S", "M", "L", "XL", "XXL", *(str(n) for n in range(34, 56, 2)))


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
    """One validated order row. Either `size` or `measurements` (cm) is given, never neither."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    order_id: str = Field(min_length=1, max_length=64, description="The customer's order id")
    customer: str = Field(min_length=1, max_length=200, description="Customer name or id")
    style: str = Field(description="Style key: shirt, trousers, skirt, tshirt")
    options: dict[str, str] = Field(default_factory=dict, description="Style options, key=value")
    size: str | None = Field(None, description="Size label when no measurements are given")
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
