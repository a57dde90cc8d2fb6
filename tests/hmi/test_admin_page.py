"""The admin page through AppTest: add user, change role, PIN reset, deactivate, audit filters."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core import users
from core.audit import recent
from core.db import make_engine, transaction
from core.users import Role
from hmi import admin
from hmi.roles import RoleRefused
from hmi.session import USER_KEY, SignedIn
from tests.hmi.pages_store import add_people

VIEW = Path(__file__).resolve().parents[2] / "hmi" / "views" / "admin.py"
ADA = SignedIn("ada", Role.ADMIN)
OLGA = SignedIn("olga", Role.OPERATOR)


@pytest.fixture
def store(db_url, monkeypatch):
    monkeypatch.setenv("ATELIER_DATABASE_URL", db_url)
    engine = make_engine(db_url)
    add_people(engine)
    yield engine
    engine.dispose()


def page(user: SignedIn) -> AppTest:
    at = AppTest.from_file(str(VIEW), default_timeout=30)
    at.session_state[USER_KEY] = user
    return at.run()


def submit(at: AppTest, form: str, label: str) -> AppTest:
    return at.button(key=f"FormSubmitter:{form}-{label}").click().run()


def audit_table(at: AppTest):
    (found,) = [d.value for d in at.dataframe if d.value.columns[0] == "time (UTC)"]
    return found


def test_admin_changes_users_and_each_change_is_audited(store):
    at = page(ADA)
    at.text_input(key="add_name").input("sam")
    at.selectbox(key="add_role").set_value("quality")
    at.text_input(key="add_pw").input("another secret")
    submit(at, "add_user", "Add user")
    assert not at.exception and [s.value for s in at.success] == ["User sam added as quality"]
    at.selectbox(key="role_user").set_value("sam")
    at.selectbox(key="role_new").set_value("planner")
    submit(at, "change_role", "Change role")
    at.selectbox(key="pin_user").set_value("olga")
    at.text_input(key="pin_new").input("4711")
    submit(at, "reset_pin", "Reset PIN")
    at.selectbox(key="off_user").set_value("sam")
    submit(at, "deactivate", "Deactivate")
    assert not at.error
    with transaction(store) as s:
        sam = users.get_user(s, "sam")
        assert (sam.role, sam.active) == (Role.PLANNER, False)
        assert users.verify_pin(s, "olga", "4711") is not None
        entries = [(e.actor, e.action, e.target) for e in recent(s, 4)]
    assert entries == [
        ("hmi:ada", "user.deactivate", "user:sam"),
        ("hmi:ada", "user.pin", "user:olga"),
        ("hmi:ada", "user.role", "user:sam"),
        ("hmi:ada", "user.add", "user:sam"),
    ]
    log = audit_table(at)
    role_change = log[log["action"] == "user.role"].iloc[0]
    assert (
        "'role': 'quality'" in role_change["before"] and "'role': 'planner'" in role_change["after"]
    )


def test_bad_input_is_reported_and_changes_nothing(store):
    at = page(ADA)
    at.selectbox(key="pin_user").set_value("olga")
    at.text_input(key="pin_new").input("12ab")
    submit(at, "reset_pin", "Reset PIN")
    assert [e.value for e in at.error] == ["PIN: use 4 to 8 digits"]
    at.selectbox(key="off_user").set_value("ada")
    submit(at, "deactivate", "Deactivate")
    assert "cannot deactivate yourself" in at.error[0].value
    with transaction(store) as s:
        assert not [e for e in recent(s) if e.actor == "hmi:ada"]


def test_audit_log_filters(store):
    at = page(ADA)
    assert len(audit_table(at)) == 4  # the four users added by the test setup
    at.text_input(key="audit_target").input("OLGA").run()
    table = audit_table(at)
    assert list(table["target"]) == ["user:olga"]
    at.text_input(key="audit_action").input("user.pin").run()
    assert audit_table(at).empty


def test_an_operator_is_refused_the_page_and_its_actions(store):
    at = page(OLGA)
    assert [e.value for e in at.error] == ["This page is not open to your role."]
    assert not at.dataframe and not at.button
    for action in (
        lambda s: admin.add_user(s, OLGA, "mallory", "admin", "long secret"),
        lambda s: admin.change_role(s, OLGA, "olga", "admin"),
        lambda s: admin.reset_pin(s, OLGA, "ada", "1234"),
        lambda s: admin.deactivate(s, OLGA, "ada"),
    ):
        with pytest.raises(RoleRefused), transaction(store) as s:
            action(s)
    with transaction(store) as s:
        assert users.get_user(s, "olga").role is Role.OPERATOR
        assert users.get_user(s, "mallory") is None
