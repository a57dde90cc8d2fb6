"""A line camera as an agent link: the inspection pipeline, its state and counters as a link.

The pipeline runs in its own threads; its events are handed to the agent's event loop, which
alone writes the outbox. Without a model directory the link stays `down` with a warning that
says where a model is expected, and starts as soon as one appears there.

The link looks at its model directory (usually the `current` link the uplink switches) every
`wait_model_s`. A new model is loaded and tried on a frame while the old one keeps inspecting;
only then does it take over (`model.loaded`). One that fails to load or to run is refused: the
camera keeps (or goes back to) the last good model and points `current` back at it
(`model.rollback`, with the reason).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from core.config.models import CameraConfig
from core.events import Event, EventType
from edge_agents.link import CONNECTED, DOWN, RECONNECTING, LinkReporter, LinkStatus
from edge_agents.model_shelf import PREVIOUS, relink

log = logging.getLogger(__name__)

# inspection.modeldir.MANIFEST, not imported: that module loads torch, which an agent without a
# model never needs.
MANIFEST = "model.json"

# A model folder as the camera sees it: where the link resolves to and when its manifest changed.
ModelKey = tuple[Path, int]


def source_config(source: str) -> dict[str, Any]:
    """The inspection source for the factory file's `source` text."""
    if source == "demo":
        return {"type": "demo"}
    if source.startswith("rtsp://"):
        return {"type": "rtsp", "url": source}
    if source.isdigit():
        return {"type": "device", "index": int(source)}
    if Path(source).is_dir():
        return {"type": "folder", "path": source, "loop": True}
    return {"type": "video", "path": source}


def model_key(model_dir: Path) -> ModelKey | None:
    """The model folder `model_dir` leads to now, or None without a manifest there."""
    try:
        folder = model_dir.resolve()
        return folder, (folder / MANIFEST).stat().st_mtime_ns
    except OSError:
        return None


class CameraLink:
    """One configured camera; `run()` is its supervised task."""

    def __init__(
        self,
        line: str,
        camera: CameraConfig,
        model_dir: Path,
        emit: Callable[[Event], None],
        poll_s: float = 1.0,
        wait_model_s: float = 10.0,
    ) -> None:
        self.line = line
        self.camera = camera
        self.model_dir = model_dir
        self.poll_s = poll_s
        self.wait_model_s = wait_model_s
        self._emit = emit
        self.status = LinkStatus(name=f"camera {camera.name}", kind="camera")
        self.reporter = LinkReporter(self.status, line, emit, camera.station)
        self.pipeline: Any = None
        self.loaded: ModelKey | None = None  # the model the pipeline runs
        self._refused: ModelKey | None = None  # the last model that failed; not tried again

    async def run(self) -> None:
        try:
            next_look = 0.0
            while True:
                if time.monotonic() >= next_look:
                    await self._look_for_model()
                    next_look = time.monotonic() + self.wait_model_s
                if self.pipeline is not None:
                    self._report_stats()
                await asyncio.sleep(min(self.poll_s, self.wait_model_s))
        finally:
            if self.pipeline is not None:
                await asyncio.to_thread(self.pipeline.stop)
                self.pipeline = None
            self.reporter.set_state(DOWN)

    async def _look_for_model(self) -> None:
        # Twice at most: a refused model may point `current` back at one to load right away.
        for _ in range(2):
            key = model_key(self.model_dir)
            if key is None:
                if self.pipeline is None:
                    self._no_model()
                return  # a running model stays in memory even if its folder went away
            if key == self.loaded:
                self._refused = None  # pointed back at what runs: a refused one may be tried again
                return
            if key == self._refused:
                return
            if await self._load(key):
                return

    def _no_model(self) -> None:
        warning = (
            f"no inspection model at {self.model_dir}: camera not inspecting "
            "(train one with `atelier inspect train`, then promote it)"
        )
        if warning not in self.status.warnings:
            log.warning("camera %s: %s", self.camera.name, warning)
            self.status.warnings = [warning]
            self.status.last_error = warning
            self.reporter.announce()  # news for the HMI, though the state stays `down`

    async def _load(self, key: ModelKey) -> bool:
        """Try the model at `key`; True when it runs now, False when it was refused."""
        loop = asyncio.get_running_loop()

        def emit_threadsafe(event: Event) -> None:
            loop.call_soon_threadsafe(self._emit, event)

        folder = key[0]
        try:
            # Off the event loop: loading torch and the model takes seconds.
            pipeline = await asyncio.to_thread(self._make_pipeline, folder, emit_threadsafe)
            frame = self.pipeline.last_frame if self.pipeline is not None else None
            await asyncio.to_thread(pipeline.probe, frame)
        except Exception as exc:  # noqa: BLE001 - any failure of a foreign model means "not this one"
            self._refuse(key, f"{type(exc).__name__}: {str(exc)[:300]}")
            return False
        previous = self.loaded
        if self.pipeline is not None:
            await asyncio.to_thread(self.pipeline.stop)
        self.pipeline, self.loaded, self._refused = pipeline, key, None
        pipeline.start()
        self.status.warnings = []
        log.info("camera %s runs model %s", self.camera.name, folder)
        self._emit(
            Event(
                line=self.line,
                station=self.camera.station,
                type=EventType.MODEL_LOADED,
                payload={
                    "camera": self.camera.name,
                    "version": folder.name,
                    "model_version": pipeline.manifest.version,
                    "previous": previous[0].name if previous else None,
                },
            )
        )
        return True

    def _refuse(self, key: ModelKey, reason: str) -> None:
        self._refused = key
        failed = key[0]
        back = self.loaded[0] if self.loaded else _previous(self.model_dir, failed)
        log.error("camera %s: model %s refused: %s", self.camera.name, failed, reason)
        if back is None:
            # Nothing to go back to: say so and wait for another model.
            self.status.warnings = [f"camera not inspecting: {reason}"]
            self.status.last_error = reason
            self.reporter.announce()
            return
        if self.model_dir.is_symlink() and self.model_dir.resolve() == failed:
            relink(self.model_dir, back)  # the line runs `back` until the centre sends another
        self._emit(
            Event(
                line=self.line,
                station=self.camera.station,
                type=EventType.MODEL_ROLLBACK,
                payload={
                    "camera": self.camera.name,
                    "version": failed.name,
                    "to": back.name,
                    "reason": reason,
                },
            )
        )

    def _report_stats(self) -> None:
        stats = self.pipeline.stats()
        self.status.counters = {k: v for k, v in stats.items() if isinstance(v, int)}
        state = CONNECTED if stats["state"] == "running" else RECONNECTING
        self.reporter.set_state(state, error=stats.get("last_error"))

    def _make_pipeline(self, folder: Path, emit: Callable[[Event], None]) -> Any:
        from inspection.camera.pipeline import CameraConfig as PipelineConfig
        from inspection.camera.pipeline import CameraPipeline

        config = PipelineConfig(
            name=self.camera.name,
            line=self.line,
            station=self.camera.station,
            source=source_config(self.camera.source),
            model_dir=folder,
            backend={"type": self.camera.backend},
            fps=self.camera.fps,
        )
        return CameraPipeline(config, emit=emit)


def _previous(model_dir: Path, failed: Path) -> Path | None:
    """The folder the `previous` link next to `model_dir` names, if it is another model."""
    key = model_key(model_dir.with_name(PREVIOUS))
    return key[0] if key is not None and key[0] != failed else None
