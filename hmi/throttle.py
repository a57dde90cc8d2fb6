"""Sign-in throttling: after repeated failures for one name, refuse it for a growing while.

Kept per server process and per user name, not per browser session, so opening a new tab does
not reset it.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass
class _Record:
    failures: int = 0
    locked_until: float = 0.0


class LoginThrottle:
    def __init__(self, max_failures: int, lockout_s: float, lockout_max_s: float) -> None:
        self.max_failures = max_failures
        self.lockout_s = lockout_s
        self.lockout_max_s = lockout_max_s
        self._records: dict[str, _Record] = {}
        self._lock = threading.Lock()

    def wait_s(self, name: str, now: float) -> float:
        """Seconds until `name` may try again (0 when it may try now)."""
        with self._lock:
            record = self._records.get(name.lower())
            return max(0.0, record.locked_until - now) if record else 0.0

    def failed(self, name: str, now: float) -> float:
        """Count a failure; return the lockout it starts in seconds (0 if none)."""
        with self._lock:
            record = self._records.setdefault(name.lower(), _Record())
            record.failures += 1
            over = record.failures - self.max_failures
            if over < 0:
                return 0.0
            lockout = min(self.lockout_s * 2**over, self.lockout_max_s)
            record.locked_until = now + lockout
        log.warning(
            "sign-in for %r locked for %.0f s after %d failures", name, lockout, record.failures
        )
        return lockout

    def succeeded(self, name: str) -> None:
        with self._lock:
            self._records.pop(name.lower(), None)
