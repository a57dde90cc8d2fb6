"""The store's schema (SQLAlchemy 2.0, typed). One module per area; all share `Base`.

Import every module here so `Base.metadata` is complete for Alembic and for tests.
"""

from core.schema.agents import LineAgentRow
from core.schema.audit import AuditRow
from core.schema.base import Base
from core.schema.events import EventRow
from core.schema.users import UserRow

__all__ = ["AuditRow", "Base", "EventRow", "LineAgentRow", "UserRow"]
