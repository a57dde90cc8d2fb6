"""Users, roles, password and PIN hashes, and the audit rows their changes leave."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core import users
from core.audit import recent, record
from core.db import make_engine, transaction
from core.errors import InputError
from core.schema import AuditRow, UserRow
from tests.hmi.store import scratch_store


@pytest.fixture
def engine(tmp_path):
    with scratch_store(tmp_path) as url:
        eng = make_engine(url)
        yield eng
        eng.dispose()


def _add(engine, name="ana", role="planner", password="correct horse"):
    with transaction(engine) as s:
        return users.add_user(s, name, role, password, actor="test")


def test_add_and_authenticate(engine):
    user = _add(engine)
    assert user.role is users.Role.PLANNER and user.active and not user.has_pin
    with transaction(engine) as s:
        assert users.authenticate(s, "ana", "correct horse").name == "ana"
        assert users.authenticate(s, "ana", "wrong horse!") is None
        assert users.authenticate(s, "nobody", "correct horse") is None
        stored = s.scalar(select(UserRow.password_hash).where(UserRow.name == "ana"))
    assert stored.startswith("$argon2id$") and "correct horse" not in stored


def test_add_records_audit_in_same_transaction(engine):
    _add(engine)
    with transaction(engine) as s:
        (entry,) = recent(s)
    assert (entry.actor, entry.action, entry.target) == ("test", "user.add", "user:ana")
    assert entry.before is None and entry.after == {
        "name": "ana",
        "role": "planner",
        "active": True,
    }


def test_failed_change_leaves_neither_user_nor_audit(engine):
    with pytest.raises(RuntimeError), transaction(engine) as s:
        users.add_user(s, "bo", "operator", "long enough", actor="test")
        raise RuntimeError("crash after the change")
    with transaction(engine) as s:
        assert s.scalar(select(func.count()).select_from(UserRow)) == 0
        assert s.scalar(select(func.count()).select_from(AuditRow)) == 0


@pytest.mark.parametrize(
    ("name", "role", "password", "expected"),
    [
        ("", "operator", "long enough", "user name"),
        ("bad name", "operator", "long enough", "user name"),
        ("x" * 65, "operator", "long enough", "user name"),
        ("cy", "boss", "long enough", "role 'boss'"),
        ("cy", "operator", "short", "at least 8"),
    ],
)
def test_bad_input_is_refused(engine, name, role, password, expected):
    with pytest.raises(InputError, match=expected), transaction(engine) as s:
        users.add_user(s, name, role, password, actor="test")


def test_duplicate_name_is_refused(engine):
    _add(engine)
    with pytest.raises(InputError, match="already exists"), transaction(engine) as s:
        users.add_user(s, "ana", "admin", "another one", actor="test")


def test_set_password_replaces_old_one(engine):
    _add(engine)
    with transaction(engine) as s:
        users.set_password(s, "ana", "new password", actor="admin1")
    with transaction(engine) as s:
        assert users.authenticate(s, "ana", "correct horse") is None
        assert users.authenticate(s, "ana", "new password") is not None
        assert recent(s)[0].action == "user.password"
        assert "new password" not in str(recent(s)[0].after)


def test_pin(engine):
    _add(engine, "op1", "operator")
    with transaction(engine) as s:
        assert users.verify_pin(s, "op1", "1234") is None
        users.set_pin(s, "op1", "1234", actor="admin1")
    with transaction(engine) as s:
        assert users.verify_pin(s, "op1", "1234").name == "op1"
        assert users.verify_pin(s, "op1", "4321") is None
        assert users.get_user(s, "op1").has_pin
    with pytest.raises(InputError, match="4 to 8 digits"), transaction(engine) as s:
        users.set_pin(s, "op1", "12a4", actor="admin1")


def test_deactivated_user_cannot_sign_in(engine):
    _add(engine)
    with transaction(engine) as s:
        users.deactivate(s, "ana", actor="admin1")
    with transaction(engine) as s:
        assert users.authenticate(s, "ana", "correct horse") is None
        assert [u.active for u in users.list_users(s)] == [False]
        entry = recent(s)[0]
    assert entry.before["active"] is True and entry.after["active"] is False
    with pytest.raises(InputError, match="already inactive"), transaction(engine) as s:
        users.deactivate(s, "ana", actor="admin1")


def test_changes_to_unknown_user_are_refused(engine):
    with pytest.raises(InputError, match="does not exist"), transaction(engine) as s:
        users.set_password(s, "ghost", "long enough", actor="admin1")


def test_list_users_sorted_by_name(engine):
    _add(engine, "zoe", "quality")
    _add(engine, "al", "admin")
    with transaction(engine) as s:
        assert [(u.name, u.role.value) for u in users.list_users(s)] == [
            ("al", "admin"),
            ("zoe", "quality"),
        ]


def test_audit_refuses_empty_actor(engine):
    with pytest.raises(InputError, match="actor"), transaction(engine) as s:
        record(s, " ", "x.y", "t")
