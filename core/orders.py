"""A custom order as the floor knows it: style, options, body or size, fabric, quantity, due date."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

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

STYLES: tuple[str, ...] = ("shirt", "trousers", "skirt", "tshirt")


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
