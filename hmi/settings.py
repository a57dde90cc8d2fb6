"""HMI session and refresh settings, from `ATELIER_HMI_*` environment variables."""

from __future__ import annotations

import os

from pydantic import BaseModel, Field, ValidationError

from core.errors import ConfigError

ENV_PREFIX = "ATELIER_HMI_"


class HmiSettings(BaseModel):
    model_config = {"extra": "forbid", "frozen": True}

    idle_timeout_s: float = Field(
        900.0, gt=0, description="Sign a person out after this many seconds without interaction."
    )
    refresh_s: float = Field(
        2.0, gt=0, le=60, description="How often the live parts of a page reload from the store."
    )
    heartbeat_stale_s: float = Field(
        15.0, gt=0, description="A line agent whose last heartbeat is older counts as offline."
    )
    max_failures: int = Field(
        5, ge=1, description="Failed sign-ins in a row for one name before it is locked."
    )
    lockout_s: float = Field(
        30.0,
        gt=0,
        description="First lockout after too many failures; doubles on each further one.",
    )
    lockout_max_s: float = Field(900.0, gt=0, description="Longest lockout.")
    plan_time_limit_s: float = Field(
        20.0, gt=0, le=600, description="Sewing-schedule time limit when a planner plans."
    )
    replan_time_limit_s: float = Field(
        5.0, gt=0, le=600, description="Re-solve budget when a planner replans a plan version."
    )
    audit_rows: int = Field(
        200, ge=1, le=5000, description="Audit entries shown on the admin page."
    )


def load_settings(environ: dict[str, str] | None = None) -> HmiSettings:
    """Settings from `ATELIER_HMI_<FIELD>` variables (e.g. ATELIER_HMI_IDLE_TIMEOUT_S=600)."""
    env = os.environ if environ is None else environ
    given = {
        name: env[ENV_PREFIX + name.upper()]
        for name in HmiSettings.model_fields
        if ENV_PREFIX + name.upper() in env
    }
    try:
        return HmiSettings(**given)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        var = ENV_PREFIX + str(first["loc"][0]).upper()
        raise ConfigError(f"environment variable {var}: {first['msg']}") from None
