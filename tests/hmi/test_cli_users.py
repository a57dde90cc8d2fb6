"""`atelier users ...` as a person runs it: a real subprocess, password on stdin or a pty."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import select
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from core import users
from core.audit import recent
from core.db import make_engine, transaction
from tests.hmi.store import scratch_store

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def env(tmp_path):
    with scratch_store(tmp_path) as url:
        yield {
            **os.environ,
            "PYTHONPATH": str(REPO),
            "ATELIER_HOME": str(tmp_path / "home"),
            "ATELIER_DATABASE_URL": url,
        }


def atelier(env, *args, stdin=""):
    return subprocess.run(
        [sys.executable, "-m", "cluster.cli.main", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


def test_add_from_stdin_then_list_and_audit(env):
    done = atelier(env, "users", "add", "ana", "--role", "planner", stdin="long secret\n")
    assert done.returncode == 0, done.stderr
    listed = atelier(env, "users", "list", "--json")
    assert json.loads(listed.stdout) == [
        {"name": "ana", "role": "planner", "active": True, "has_pin": False}
    ]
    engine = make_engine(env["ATELIER_DATABASE_URL"])
    with transaction(engine) as s:
        assert users.authenticate(s, "ana", "long secret") is not None
        (entry,) = recent(s)
    engine.dispose()
    assert entry.actor.startswith("cli:") and entry.action == "user.add"


def stored_names(env) -> list[str]:
    engine = make_engine(env["ATELIER_DATABASE_URL"])
    with transaction(engine) as s:
        names = [u.name for u in users.list_users(s)]
    engine.dispose()
    return names


def test_bad_role_and_duplicate_are_clear_errors(env):
    engine = make_engine(env["ATELIER_DATABASE_URL"])
    with transaction(engine) as s:
        users.add_user(s, "bo", "operator", "long secret", actor="test")
    engine.dispose()
    bad = atelier(env, "users", "add", "cy", "--role", "boss", stdin="long secret\n")
    assert bad.returncode == 2
    assert "error: role 'boss'" in bad.stderr and "Traceback" not in bad.stderr
    again = atelier(env, "users", "add", "bo", "--role", "admin", stdin="other secret\n")
    assert again.returncode == 2 and "already exists" in again.stderr
    empty = atelier(env, "users", "add", "cy", "--role", "admin", "--password-stdin", stdin="")
    assert empty.returncode == 2 and "standard input" in empty.stderr
    assert stored_names(env) == ["bo"]


def test_passwd_from_stdin(env):
    engine = make_engine(env["ATELIER_DATABASE_URL"])
    with transaction(engine) as s:
        users.add_user(s, "ana", "admin", "long secret", actor="test")
    engine.dispose()
    done = atelier(env, "users", "passwd", "ana", stdin="newer secret\n")
    assert done.returncode == 0, done.stderr
    ghost = atelier(env, "users", "passwd", "ghost", stdin="newer secret\n")
    assert ghost.returncode == 2 and "'ghost' does not exist" in ghost.stderr
    engine = make_engine(env["ATELIER_DATABASE_URL"])
    with transaction(engine) as s:
        assert users.authenticate(s, "ana", "newer secret") is not None
        assert [e.action for e in recent(s)] == ["user.password", "user.add"]
    engine.dispose()


def _run_on_pty(env, args, answers):
    """Run the CLI with a pty as its controlling terminal, answering each prompt in turn."""
    master, slave = pty.openpty()

    def own_terminal():
        os.setsid()
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    proc = subprocess.Popen(
        [sys.executable, "-m", "cluster.cli.main", *args],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        preexec_fn=own_terminal,
    )
    os.close(slave)
    seen, pending = b"", list(answers)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(master, 1024)
            except OSError:  # the child closed the pty
                break
            if not chunk:
                break
            seen += chunk
            if pending and seen.rstrip().endswith(b":"):
                os.write(master, pending.pop(0).encode() + b"\n")
                seen += b"<answered>"
        elif proc.poll() is not None:
            break
    proc.wait(timeout=30)
    os.close(master)
    return proc.returncode, seen.decode(errors="replace")


def test_interactive_prompt_asks_twice_and_checks_match(env):
    rc, out = _run_on_pty(
        env, ["users", "add", "ana", "--role", "quality"], ["long secret", "long secret"]
    )
    assert rc == 0, out
    assert "Repeat password" in out and "long secret" not in out  # never echoed
    rc, out = _run_on_pty(
        env, ["users", "add", "bo", "--role", "quality"], ["long secret", "other secret"]
    )
    assert rc == 2 and "differ" in out
    assert stored_names(env) == ["ana"]
