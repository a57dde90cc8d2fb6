"""The plant's Ray token: random, private to the owner, reused, refused when unsafe."""

from __future__ import annotations

import os

import pytest

from cluster.token import enable_token_auth, ensure_token
from core.errors import ConfigError


def test_token_is_created_private_and_reused(tmp_path):
    path = ensure_token(tmp_path)
    assert path.parent == tmp_path
    assert path.stat().st_mode & 0o777 == 0o600
    token = path.read_text()
    assert len(token) == 64 and int(token, 16) >= 0
    assert ensure_token(tmp_path) == path and path.read_text() == token
    assert ensure_token(tmp_path / "other").read_text() != token


def test_token_readable_by_others_is_refused(tmp_path):
    path = ensure_token(tmp_path)
    os.chmod(path, 0o644)
    with pytest.raises(ConfigError, match="readable by others"):
        ensure_token(tmp_path)


def test_empty_token_is_refused(tmp_path):
    path = ensure_token(tmp_path)
    path.write_text("")
    with pytest.raises(ConfigError, match="empty"):
        ensure_token(tmp_path)


def test_enable_sets_mode_and_file_not_the_token_itself(tmp_path, monkeypatch):
    monkeypatch.setenv("RAY_AUTH_TOKEN", "leaky")
    monkeypatch.delenv("RAY_AUTH_MODE", raising=False)
    monkeypatch.delenv("RAY_AUTH_TOKEN_PATH", raising=False)
    path = ensure_token(tmp_path)
    enable_token_auth(path)
    assert os.environ["RAY_AUTH_MODE"] == "token"
    assert os.environ["RAY_AUTH_TOKEN_PATH"] == str(path)
    assert "RAY_AUTH_TOKEN" not in os.environ
