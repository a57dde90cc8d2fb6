"""Ray token authentication: one random token per plant, kept in Atelier's home (mode 0600).

Ray (>= 2.52) enforces a bearer token on every RPC and HTTP entry point when `RAY_AUTH_MODE` is
`token` in the environment of every Ray process; the token comes from `RAY_AUTH_TOKEN` or the
file named by `RAY_AUTH_TOKEN_PATH`. We use the file, so the token never shows in a process list.
"""

from __future__ import annotations

import logging
import os
import secrets
import sys
from pathlib import Path

from core.errors import ConfigError
from core.settings import atelier_home

log = logging.getLogger(__name__)

TOKEN_FILE = "ray_auth_token"


def token_path(home: Path | None = None) -> Path:
    return (home or atelier_home()) / TOKEN_FILE


def ensure_token(home: Path | None = None) -> Path:
    """The plant's token file, created with a fresh random token (0600) when missing."""
    path = token_path(home)
    if path.exists():
        mode = path.stat().st_mode & 0o777
        if mode & 0o077:
            raise ConfigError(
                f"{path}: Ray token file is readable by others (mode {mode:o}); chmod 600 it"
            )
        if not path.read_text(encoding="utf-8").strip():
            raise ConfigError(f"{path}: Ray token file is empty; delete it to make a new token")
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(secrets.token_hex(32))
    log.info("generated a new Ray authentication token in %s", path)
    return path


def enable_token_auth(path: Path) -> None:
    """Turn token auth on for this process and every Ray process it starts or joins."""
    os.environ["RAY_AUTH_MODE"] = "token"
    os.environ["RAY_AUTH_TOKEN_PATH"] = str(path)
    os.environ.pop("RAY_AUTH_TOKEN", None)
    if "ray._raylet" in sys.modules:
        # Ray caches the mode and the token at import; refresh both, as ray.init itself does.
        from ray._raylet import AuthenticationTokenLoader, Config

        Config.initialize("")
        AuthenticationTokenLoader.instance().reset_cache()
