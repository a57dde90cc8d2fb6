"""Which pages each role may open. A page outside a role is never registered for its session."""

from __future__ import annotations

from dataclasses import dataclass

from core.errors import InputError
from core.users import Role


@dataclass(frozen=True)
class PageSpec:
    key: str  # also the URL path: /operator, /planner, ...
    title: str
    icon: str
    file: str  # relative to hmi/app.py


PAGES: dict[str, PageSpec] = {
    spec.key: spec
    for spec in (
        PageSpec("operator", "Operator", ":material/precision_manufacturing:", "views/operator.py"),
        PageSpec("planner", "Planner", ":material/view_timeline:", "views/planner.py"),
        PageSpec("quality", "Quality", ":material/fact_check:", "views/quality.py"),
        PageSpec("overview", "Overview", ":material/monitor_heart:", "views/overview.py"),
        PageSpec("admin", "Admin", ":material/admin_panel_settings:", "views/admin.py"),
    )
}

# The first page of a role is where its people land after signing in.
ROLE_PAGES: dict[Role, tuple[str, ...]] = {
    Role.OPERATOR: ("operator", "overview"),
    Role.PLANNER: ("planner", "overview"),
    Role.QUALITY: ("quality", "overview"),
    Role.ADMIN: ("overview", "operator", "planner", "quality", "admin"),
}


def pages_for(role: Role) -> list[PageSpec]:
    return [PAGES[key] for key in ROLE_PAGES[role]]


def may_open(role: Role, page_key: str) -> bool:
    return page_key in ROLE_PAGES[role]


class RoleRefused(InputError):
    """A person tried an action their role does not include (checked on the server)."""


def require(role: Role, page_key: str, action: str) -> None:
    """Refuse `action` unless the role includes the page it belongs to; every action function
    calls this itself, so running a page script directly does not get around it."""
    if not may_open(role, page_key):
        raise RoleRefused(f"{action} is not open to the role {role.value}")
