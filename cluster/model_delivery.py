"""The promoted inspection model, from the centre's home to each line's models folder.

Centre: `ModelOffers` tells every `ship` reply which version is promoted (version, a digest of
its files, each file's sha256) and hands out a file on request. Line: `follow_offer` (called by
the uplink after each ship) installs a version it does not have yet into the line's
`ModelShelf` and switches `current`; the camera links load it from there. When the centre is
away nothing is offered and the line keeps what it runs.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.events import Event, EventType
from core.models_registry import promoted_model
from core.schema import InspectionModelRow, LineAgentRow
from edge_agents.model_shelf import ModelDeliveryError, ModelShelf, sha256_file

log = logging.getLogger(__name__)

MANIFEST = "model.json"
ONNX = "model.onnx"
WEIGHTS = "weights.pt"
SHIPPED_FILES = (MANIFEST, ONNX, WEIGHTS)  # never training records or TensorRT engines


class ModelOffers:
    """The centre's side: what is promoted, with checksums cached per file size and mtime."""

    def __init__(self, home: Path) -> None:
        self.home = Path(home)
        self._sums: dict[Path, tuple[int, int, str]] = {}
        self._refused: set[tuple[str, str]] = set()  # logged once, not every ship

    def folder(self, row: InspectionModelRow) -> Path:
        return self.home / row.path

    def offer(self, session: Session) -> dict[str, Any] | None:
        """The promoted version for a `ship` reply, or None (none promoted, or not readable)."""
        row = promoted_model(session)
        if row is None:
            return None
        folder = self.folder(row)
        try:
            files = {n: self._sha256(folder / n) for n in SHIPPED_FILES if (folder / n).is_file()}
        except OSError as exc:
            return self._not_offered(row.version, f"cannot read {folder} ({exc})")
        if MANIFEST not in files:
            return self._not_offered(row.version, f"no {MANIFEST} in {folder}")
        listing = "".join(f"{name} {sha}\n" for name, sha in sorted(files.items()))
        return {
            "version": row.version,
            "digest": hashlib.sha256(listing.encode()).hexdigest(),
            "files": files,
        }

    def _not_offered(self, version: str, reason: str) -> dict[str, Any] | None:
        if (version, reason) not in self._refused:
            self._refused.add((version, reason))
            log.error("promoted model %s not offered to the lines: %s", version, reason)
        return None

    def file(self, session: Session, version: str, name: str) -> dict[str, Any]:
        """`{"data": bytes}` of one shippable file of a registered version, or `{"error": ...}`."""
        row = session.scalar(
            select(InspectionModelRow).where(InspectionModelRow.version == version)
        )
        if row is None:
            return {"error": f"no inspection model version {version!r}"}
        if name not in SHIPPED_FILES:
            return {"error": f"{name!r} is not a file lines receive"}
        path = self.folder(row) / name
        try:
            return {"data": path.read_bytes()}
        except OSError as exc:
            return {"error": f"{path}: {exc.strerror or exc}"}

    def _sha256(self, path: Path) -> str:
        stat = path.stat()
        cached = self._sums.get(path)
        if cached and cached[:2] == (stat.st_size, stat.st_mtime_ns):
            return cached[2]
        sha = sha256_file(path)
        self._sums[path] = (stat.st_size, stat.st_mtime_ns, sha)
        return sha


def apply_model_events(row: LineAgentRow, batch: list[Event]) -> None:
    """The model a line's cameras run, from its `model.loaded` / `model.rollback` events."""
    for e in sorted(batch, key=lambda ev: ev.time):
        if e.type == EventType.MODEL_LOADED:
            version = e.payload.get("version")
        elif e.type == EventType.MODEL_ROLLBACK:
            version = e.payload.get("to")
        else:
            continue
        if version:
            row.model_version = str(version)[:64]


class ModelFollower:
    """The line's side, owned by the uplink: install and switch to what the centre offers."""

    def __init__(self, shelf: ModelShelf, with_weights: bool = False, retry_s: float = 30.0):
        self.shelf = shelf
        self.needed = (MANIFEST, ONNX, WEIGHTS) if with_weights else (MANIFEST, ONNX)
        self.retry_s = retry_s
        self._failed: dict[tuple[str, str], float] = {}
        self.last_error: str | None = None

    def follow(self, offer: dict[str, Any] | None, fetch: Callable[[str, str], bytes]) -> bool:
        """Install and switch to `offer` unless already done; True when `current` moved.

        `fetch(version, name)` returns a file's bytes from the centre. A failure is logged and
        tried again after `retry_s`; the line keeps running its current model meanwhile.
        """
        if not offer:
            return False
        key = (str(offer["version"]), str(offer["digest"]))
        if self.shelf.delivered() == key:
            return False
        if time.monotonic() - self._failed.get(key, -1e9) < self.retry_s:
            return False
        try:
            self._install(key[0], key[1], dict(offer["files"]), fetch)
        except (ModelDeliveryError, OSError) as exc:
            self._failed[key] = time.monotonic()
            self.last_error = str(exc)
            log.error("model %s not installed on this line: %s", key[0], exc)
            return False
        self._failed.pop(key, None)
        self.last_error = None
        return True

    def _install(
        self, version: str, digest: str, files: dict[str, str], fetch: Callable[[str, str], bytes]
    ) -> None:
        missing = [n for n in self.needed if n not in files]
        if missing:
            hint = " (export it: `atelier inspect export`)" if ONNX in missing else ""
            raise ModelDeliveryError(
                f"the centre's model {version} has no {', '.join(missing)}{hint}; not installed"
            )
        wanted = {n: files[n] for n in self.needed}
        folder = self.shelf.folder(version)
        if not self.shelf.has(version, wanted):
            folder = self.shelf.install(version, wanted, lambda name: fetch(version, name))
        self.shelf.switch(folder)
        self.shelf.set_delivered(version, digest)
        log.info("model %s delivered and current", version)
