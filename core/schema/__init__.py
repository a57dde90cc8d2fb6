"""The store's schema (SQLAlchemy 2.0, typed). One module per area; all share `Base`.

Import every module here so `Base.metadata` is complete for Alembic and for tests.
"""

from core.schema.agents import LineAgentRow
from core.schema.alarms import AlarmRow
from core.schema.audit import AuditRow
from core.schema.base import Base
from core.schema.commands import LineCommandRow
from core.schema.defects import DefectRow, InspectionModelRow
from core.schema.deliveries import PlanDeliveryRow
from core.schema.events import EventRow
from core.schema.orders import CustomerRow, OrderRow
from core.schema.plans import PlanAssignmentRow, PlanMarkerRow, PlanRow
from core.schema.plant import LineRow, StationRow
from core.schema.production import OperationRow, PatternPieceRow, ProductionOrderRow, RoutingRow
from core.schema.telemetry import (
    TelemetryAggregateRow,
    TelemetryMinuteRow,
    TelemetryPendingRow,
    TelemetrySampleRow,
)
from core.schema.users import UserRow

__all__ = [
    "AlarmRow",
    "AuditRow",
    "Base",
    "CustomerRow",
    "DefectRow",
    "EventRow",
    "InspectionModelRow",
    "LineAgentRow",
    "LineCommandRow",
    "LineRow",
    "OperationRow",
    "OrderRow",
    "PatternPieceRow",
    "PlanAssignmentRow",
    "PlanDeliveryRow",
    "PlanMarkerRow",
    "PlanRow",
    "ProductionOrderRow",
    "RoutingRow",
    "StationRow",
    "TelemetryAggregateRow",
    "TelemetryMinuteRow",
    "TelemetryPendingRow",
    "TelemetrySampleRow",
    "UserRow",
]
