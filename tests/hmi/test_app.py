"""The HMI shell through Streamlit's AppTest: sign-in, lockout, role pages, sign-out, idle."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from core import users
from core.audit import recent
from core.db import make_engine, transaction
from core.schema import LineAgentRow
from hmi.roles import PAGES, may_open
from hmi.session import ACTIVITY_KEY, USER_KEY, SignedIn
from tests.hmi.store import scratch_store

APP = Path(__file__).resolve().parents[2] / "hmi" / "app.py"
PASSWORD = "long secret"
PEOPLE = {"olga": "operator", "pia": "planner", "quinn": "quality", "ada": "admin"}


@pytest.fixture
def store(tmp_path, monkeypatch):
    with scratch_store(tmp_path) as url:
        monkeypatch.setenv("ATELIER_DATABASE_URL", url)
        monkeypatch.setenv("ATELIER_HOME", str(tmp_path / "home"))
        engine = make_engine(url)
        now = datetime.now(UTC)
        with transaction(engine) as s:
            for name, role in PEOPLE.items():
                users.add_user(s, name, role, PASSWORD, actor="test")
            s.add(
                LineAgentRow(line="C1", last_heartbeat=now, events_shipped=12, model_version="v2")
            )
            s.add(
                LineAgentRow(line="L1", last_heartbeat=now - timedelta(minutes=10), outbox_depth=7)
            )
        yield engine
        engine.dispose()


def app() -> AppTest:
    return AppTest.from_file(str(APP), default_timeout=30).run()


def sign_in(at: AppTest, name: str, password: str = PASSWORD) -> AppTest:
    at.text_input(key="sign_in_user").input(name)
    at.text_input(key="sign_in_password").input(password)
    return at.button(key="FormSubmitter:sign_in-Sign in").click().run()


def titles(at: AppTest) -> list[str]:
    return [t.value for t in at.title]


def test_first_screen_is_the_sign_in_form(store):
    at = app()
    assert not at.exception
    assert titles(at) == ["Atelier"]
    password = at.text_input(key="sign_in_password")
    assert password.proto.type == password.proto.PASSWORD
    assert not at.table  # nothing from the store before signing in


def test_planner_signs_in_and_sees_both_lines(store):
    at = sign_in(app(), "pia")
    assert not at.exception and not at.error
    assert titles(at) == ["Planner"]
    (agents,) = [d.value for d in at.table]
    assert list(agents["line"]) == ["C1", "L1"]
    assert list(agents["agent"]) == ["online", "OFFLINE"]
    assert list(agents["outbox depth"]) == [0, 7]
    assert list(agents["events shipped"]) == [12, 0]
    assert list(agents["model version"]) == ["v2", "none"]  # what the line's cameras loaded
    with transaction(store) as s:
        assert (recent(s)[0].actor, recent(s)[0].action) == ("hmi:pia", "session.login")


@pytest.mark.parametrize(("name", "password"), [("pia", "wrong secret"), ("nobody", PASSWORD)])
def test_wrong_credentials_stay_signed_out(store, name, password):
    at = sign_in(app(), name, password)
    assert [e.value for e in at.error] == ["Wrong user name or password."]
    assert titles(at) == ["Atelier"] and USER_KEY not in at.session_state


def test_lockout_after_repeated_failures(store, monkeypatch):
    monkeypatch.setenv("ATELIER_HMI_MAX_FAILURES", "2")
    monkeypatch.setenv("ATELIER_HMI_LOCKOUT_S", "120")
    at = app()
    sign_in(at, "quinn", "wrong secret")
    sign_in(at, "quinn", "wrong secret")
    assert "Too many failed sign-ins for 'quinn'" in at.error[0].value
    sign_in(at, "quinn")  # even the right password is refused while locked
    assert "Try again in" in at.error[0].value and titles(at) == ["Atelier"]
    with transaction(store) as s:
        assert recent(s)[0].action == "session.lockout"
    assert titles(sign_in(app(), "pia")) == ["Planner"]  # other names are not locked


@pytest.mark.parametrize("name", list(PEOPLE))
def test_only_the_roles_pages_are_registered(store, name):
    at = sign_in(app(), name)
    role = users.Role(PEOPLE[name])
    for key, spec in PAGES.items():
        if may_open(role, key):
            at.switch_page(spec.file).run()
            assert titles(at) == [spec.title] and not at.exception
        else:
            with pytest.raises(ValueError, match="Could not find a navigation page"):
                at.switch_page(spec.file)


def test_replayed_request_for_admin_page_gets_operator_home(store):
    at = sign_in(app(), "olga")
    # What a browser sends for /admin: the page hash of its url path.
    at._page_hash = calc_hash("admin")
    at.run()
    assert titles(at) == ["Operator"] and not at.exception


def test_page_script_refuses_a_role_outside_it(store):
    at = AppTest.from_file(str(APP.parent / "views" / "admin.py"), default_timeout=30)
    at.session_state[USER_KEY] = SignedIn("olga", users.Role.OPERATOR)
    at.run()
    assert [e.value for e in at.error] == ["This page is not open to your role."]
    assert "Admin" not in titles(at) and not at.table and not at.dataframe


def test_admin_sees_users_and_audit_log(store):
    at = sign_in(app(), "ada")
    at.switch_page(PAGES["admin"].file).run()
    frames = {d.value.columns[0]: d.value for d in at.dataframe}
    assert sorted(frames["user"]["user"]) == sorted(PEOPLE)
    assert frames["user"].set_index("user").loc["olga", "role"] == "operator"
    audit = frames["time (UTC)"]
    assert audit.iloc[0]["action"] == "session.login" and audit.iloc[0]["who"] == "hmi:ada"
    assert (audit["action"] == "user.add").sum() == len(PEOPLE)


def test_sign_out(store):
    at = sign_in(app(), "pia")
    at.sidebar.button(key="sign_out").click().run()
    assert titles(at) == ["Atelier"] and USER_KEY not in at.session_state
    with transaction(store) as s:
        assert recent(s)[0].action == "session.logout"


def test_idle_session_is_signed_out(store, monkeypatch):
    monkeypatch.setenv("ATELIER_HMI_IDLE_TIMEOUT_S", "60")
    at = sign_in(app(), "pia")
    at.session_state[ACTIVITY_KEY] = time.monotonic() - 61
    at.run()
    assert titles(at) == ["Atelier"]
    assert "Signed out after 1 min without activity." in [i.value for i in at.info]
    with transaction(store) as s:
        assert recent(s)[0].action == "session.idle_logout"


def test_deactivated_user_is_signed_out_on_next_run(store):
    at = sign_in(app(), "pia")
    with transaction(store) as s:
        users.deactivate(s, "pia", actor="test")
    at.run()
    assert titles(at) == ["Atelier"] and USER_KEY not in at.session_state


def test_store_errors_are_messages_not_tracebacks(store):
    at = sign_in(app(), "pia")
    with transaction(store) as s:
        s.execute(text("DROP TABLE line_agents"))
    at.run()
    assert not at.exception
    assert titles(at) == ["Planner"]
    assert any("cannot be used" in e.value and "line_agents" in e.value for e in at.error)


def test_store_without_tables_is_reported_on_sign_in(tmp_path, monkeypatch):
    monkeypatch.setenv("ATELIER_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    at = app()
    assert not at.exception
    assert any("cannot be used" in e.value and "users" in e.value for e in at.error)


def test_bad_setting_names_the_variable(store, monkeypatch):
    monkeypatch.setenv("ATELIER_HMI_IDLE_TIMEOUT_S", "soon")
    at = app()
    assert not at.exception
    assert "ATELIER_HMI_IDLE_TIMEOUT_S" in at.error[0].value


def test_no_streamlit_pages_folder_beside_the_app():
    # Streamlit serves every script in a `pages/` folder next to the entrypoint to everyone.
    assert not (APP.parent / "pages").exists()
