"""A line's inspection models on disk: one folder per version and the `current` link.

MODELS/
  <version>/        one delivered model (model.json, model.onnx, weights.pt when needed)
  current           link to the version the cameras run
  previous          link to the version `current` pointed at before the last switch
  delivered.json    the centre's offer (version and digest) last installed here

A version is written into a hidden temporary folder, each file checked against its sha256,
then renamed into place, so a partial download is never a model. Links are replaced by
renaming a new link over the old one, so a camera never sees a missing `current`. Older
versions stay for rollback.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path

from core.errors import AtelierError

log = logging.getLogger(__name__)

CURRENT = "current"
PREVIOUS = "previous"
DELIVERED = "delivered.json"
_VERSION = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,63}")


class ModelDeliveryError(AtelierError):
    """A model version could not be installed on the line; the message says which and why."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def check_version(version: str) -> str:
    """A version usable as a folder name, else a ModelDeliveryError naming it."""
    if not _VERSION.fullmatch(version) or version in (CURRENT, PREVIOUS):
        raise ModelDeliveryError(
            f"model version {version!r} cannot be a folder name "
            "(letters, digits, '.', '_', '+', '-'; at most 64; not current/previous)"
        )
    return version


class ModelShelf:
    """The models folder of one line's Atelier home."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def folder(self, version: str) -> Path:
        return self.root / check_version(version)

    def has(self, version: str, files: dict[str, str]) -> bool:
        """True when `version` is here with every file at its sha256."""
        folder = self.folder(version)
        return all(
            (folder / name).is_file() and sha256_file(folder / name) == sha
            for name, sha in files.items()
        )

    def install(self, version: str, files: dict[str, str], fetch: Callable[[str], bytes]) -> Path:
        """Write `files` (name -> sha256) of `version`, each from `fetch(name)`, atomically."""
        target = self.folder(version)
        self.root.mkdir(parents=True, exist_ok=True)
        incoming = self.root / f".incoming-{version}-{uuid.uuid4().hex[:8]}"
        incoming.mkdir()
        try:
            for name, sha in files.items():
                if "/" in name or name.startswith("."):
                    raise ModelDeliveryError(f"model {version}: file name {name!r} not allowed")
                data = fetch(name)
                got = hashlib.sha256(data).hexdigest()
                if got != sha:
                    raise ModelDeliveryError(
                        f"model {version}: {name} arrived with sha256 {got[:12]}…, "
                        f"expected {sha[:12]}…; not installed"
                    )
                with (incoming / name).open("wb") as f:
                    f.write(data)
                    f.flush()
                    os.fsync(f.fileno())
            if target.exists():
                # Same version name, other content: keep the old one aside, never half-replace.
                aside = self.root / f".replaced-{version}-{uuid.uuid4().hex[:8]}"
                target.rename(aside)
                log.warning("model %s: replaced its folder, old content kept in %s", version, aside)
            incoming.rename(target)
            _fsync_dir(self.root)
        finally:
            if incoming.exists():
                shutil.rmtree(incoming, ignore_errors=True)
        log.info("model %s installed in %s", version, target)
        return target

    def current(self) -> Path | None:
        """The folder `current` points at, if it points at one."""
        return _target(self.root / CURRENT)

    def previous(self) -> Path | None:
        return _target(self.root / PREVIOUS)

    def switch(self, folder: Path) -> Path | None:
        """Point `current` at `folder` (and `previous` at the old one); returns the old one."""
        link = self.root / CURRENT
        if link.exists() and not link.is_symlink():
            raise ModelDeliveryError(
                f"{link} is a folder, not a link: move it to {self.root}/<version> "
                f"and link it (ln -sfn <version> {link})"
            )
        old = self.current()
        folder = Path(folder)
        if old is not None and old != folder.resolve():
            relink(self.root / PREVIOUS, old)
        relink(link, folder)
        log.info("models: current -> %s (was %s)", folder.name, old.name if old else None)
        return old

    def delivered(self) -> tuple[str, str] | None:
        """(version, digest) of the offer last installed, if any."""
        try:
            data = json.loads((self.root / DELIVERED).read_text())
            return str(data["version"]), str(data["digest"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def set_delivered(self, version: str, digest: str) -> None:
        tmp = self.root / f".{DELIVERED}.{uuid.uuid4().hex[:8]}"
        tmp.write_text(json.dumps({"version": version, "digest": digest}))
        tmp.replace(self.root / DELIVERED)


def _target(link: Path) -> Path | None:
    return link.resolve() if link.is_dir() else None


def relink(link: Path, folder: Path) -> None:
    """Point `link` at `folder` by renaming a new link over it (never missing meanwhile)."""
    # Relative when the folder sits next to the link, so a moved home keeps working.
    folder = Path(folder).resolve()
    text = folder.name if folder.parent == link.parent.resolve() else str(folder)
    tmp = link.with_name(f".{link.name}.{uuid.uuid4().hex[:8]}")
    os.symlink(text, tmp)
    os.replace(tmp, link)
    _fsync_dir(link.parent)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
