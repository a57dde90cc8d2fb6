"""Which pages each role may open. A page outside a role is never registered for its session."""

from __future__ import annotations

from dataclasses import dataclass

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
