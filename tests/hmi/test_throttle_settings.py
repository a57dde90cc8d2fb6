"""Sign-in lockout arithmetic and HMI settings from the environment."""

from __future__ import annotations

import pytest

from core.errors import ConfigError
from core.users import Role
from hmi.roles import PAGES, ROLE_PAGES
from hmi.settings import load_settings
from hmi.throttle import LoginThrottle


def test_lockout_starts_at_the_limit_doubles_and_is_capped():
    throttle = LoginThrottle(max_failures=3, lockout_s=10, lockout_max_s=35)
    assert [throttle.failed("Ana", 0.0) for _ in range(2)] == [0.0, 0.0]
    assert throttle.wait_s("ana", 0.0) == 0.0
    assert throttle.failed("ana", 100.0) == 10
    assert throttle.wait_s("ANA", 104.0) == 6  # names are matched case-insensitively
    assert throttle.wait_s("ana", 111.0) == 0.0
    assert throttle.failed("ana", 200.0) == 20
    assert throttle.failed("ana", 300.0) == 35
    assert throttle.wait_s("bo", 300.0) == 0.0
    throttle.succeeded("ana")
    assert throttle.wait_s("ana", 300.0) == 0.0
    assert throttle.failed("ana", 300.0) == 0.0  # the count starts again


def test_settings_defaults_and_environment():
    assert load_settings({}).idle_timeout_s == 900
    custom = load_settings({"ATELIER_HMI_IDLE_TIMEOUT_S": "60", "ATELIER_HMI_MAX_FAILURES": "3"})
    assert (custom.idle_timeout_s, custom.max_failures) == (60, 3)


@pytest.mark.parametrize(
    ("variable", "value"),
    [("ATELIER_HMI_REFRESH_S", "0"), ("ATELIER_HMI_MAX_FAILURES", "many")],
)
def test_bad_settings_name_the_variable(variable, value):
    with pytest.raises(ConfigError, match=variable):
        load_settings({variable: value})


def test_every_role_page_exists_and_only_admin_has_admin():
    assert set(ROLE_PAGES) == set(Role)
    assert all(key in PAGES for keys in ROLE_PAGES.values() for key in keys)
    assert set(ROLE_PAGES[Role.ADMIN]) == set(PAGES)
    assert [r for r, keys in ROLE_PAGES.items() if "admin" in keys] == [Role.ADMIN]
