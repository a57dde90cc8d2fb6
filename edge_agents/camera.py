"""A line camera as an agent link: the inspection pipeline, its state and counters as a link.

The pipeline runs in its own threads; its events are handed to the agent's event loop, which
alone writes the outbox. Without a model directory the link stays `down` with a warning that
says where a model is expected, and starts as soon as one appears there.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from core.config.models import CameraConfig
from core.errors import AtelierError
from core.events import Event
from edge_agents.link import CONNECTED, DOWN, RECONNECTING, LinkReporter, LinkStatus

log = logging.getLogger(__name__)

# inspection.modeldir.MANIFEST, not imported: that module loads torch, which an agent without a
# model never needs.
MANIFEST = "model.json"


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

    async def run(self) -> None:
        try:
            while not (self.model_dir / MANIFEST).exists():
                self._no_model()
                await asyncio.sleep(self.wait_model_s)
            self.status.warnings = []
            await self._run_pipeline()
        finally:
            if self.pipeline is not None:
                await asyncio.to_thread(self.pipeline.stop)
                self.pipeline = None
            self.reporter.set_state(DOWN)

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

    async def _run_pipeline(self) -> None:
        loop = asyncio.get_running_loop()

        def emit_threadsafe(event: Event) -> None:
            loop.call_soon_threadsafe(self._emit, event)

        try:
            # Off the event loop: loading torch and the model takes seconds.
            self.pipeline = await asyncio.to_thread(self._make_pipeline, emit_threadsafe)
        except (AtelierError, OSError, ValueError) as exc:
            # A broken model folder: say so and wait; a restart of the agent picks up a new one.
            log.error("camera %s not inspecting: %s", self.camera.name, exc)
            self.status.warnings = [f"camera not inspecting: {exc}"]
            self.status.last_error = str(exc)
            self.reporter.announce()
            await asyncio.Event().wait()
        self.pipeline.start()
        while True:
            stats = self.pipeline.stats()
            self.status.counters = {k: v for k, v in stats.items() if isinstance(v, int)}
            state = CONNECTED if stats["state"] == "running" else RECONNECTING
            self.reporter.set_state(state, error=stats.get("last_error"))
            await asyncio.sleep(self.poll_s)

    def _make_pipeline(self, emit: Callable[[Event], None]) -> Any:
        from inspection.camera.pipeline import CameraConfig as PipelineConfig
        from inspection.camera.pipeline import CameraPipeline

        config = PipelineConfig(
            name=self.camera.name,
            line=self.line,
            station=self.camera.station,
            source=source_config(self.camera.source),
            model_dir=self.model_dir,
            fps=self.camera.fps,
        )
        return CameraPipeline(config, emit=emit)
