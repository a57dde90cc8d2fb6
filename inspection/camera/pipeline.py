"""One camera's pipeline: capture thread -> bounded queue -> inference thread -> events.

The capture thread owns the source: it paces reads, gates still or empty frames, and restarts
a source that ended or failed with growing spacing (the watchdog thread also restarts one that
stalls). A full queue drops the new frame and counts it. The inference thread tiles each frame,
runs the backend, stitches the heat map and turns a flagged frame into a saved defect and an event.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pydantic import BaseModel, Field

from core.errors import InputError
from core.events import Event
from inspection.backends import BackendConfig, InferenceBackend, OnnxRuntimeConfig, create_backend
from inspection.camera.flagging import defect_region, save_and_build_event
from inspection.camera.gating import Gate, GateConfig
from inspection.camera.sources import FrameSource, SourceConfig, make_source
from inspection.camera.tiling import cut_tiles, stitch, tile_boxes
from inspection.modeldir import read_manifest

log = logging.getLogger(__name__)


class CameraConfig(BaseModel):
    name: str = Field(description="camera name, unique on the line")
    line: str = Field(description="line id the camera belongs to")
    station: str | None = Field(default=None, description="station the camera watches")
    source: SourceConfig = Field(description="where frames come from")
    model_dir: Path = Field(description="model directory to run")
    backend: BackendConfig = Field(
        default_factory=lambda: OnnxRuntimeConfig(), description="inference backend"
    )
    fps: float | None = Field(
        default=None, gt=0, description="read pace; None reads as fast as frames come"
    )
    tile: int | None = Field(
        default=None, ge=32, description="tile side in frame pixels (default: model input)"
    )
    overlap: int = Field(
        default=32, ge=0, description="minimum overlap of neighbouring tiles in pixels"
    )
    batch: int = Field(default=8, ge=1, description="tiles per backend call")
    heat_scale: int = Field(
        default=4, ge=1, description="stitched heat map is 1/heat_scale of the frame"
    )
    queue_size: int = Field(
        default=4, ge=1, description="frames waiting for inference before new ones drop"
    )
    gate: GateConfig = Field(
        default_factory=lambda: GateConfig(), description="motion and fabric gating"
    )
    stall_s: float = Field(
        default=10.0, gt=0, description="no frame for this long counts as a stall"
    )
    backoff_min_s: float = Field(
        default=0.5, gt=0, description="first wait before restarting a source"
    )
    backoff_max_s: float = Field(default=30.0, gt=0, description="longest wait between restarts")
    image_dir: Path | None = Field(
        default=None, description="where flagged images go (default home/images)"
    )


@dataclass
class FrameResult:
    score: float
    flagged: bool
    event: Event | None
    model_s: float  # time in the backend
    total_s: float  # time for the whole frame: tiling, model, stitching, saving


class Rate:
    """Events per second over a sliding window of recent timestamps."""

    def __init__(self, window: int = 50) -> None:
        self.times: deque[float] = deque(maxlen=window)

    def tick(self, now: float) -> None:
        self.times.append(now)

    def value(self) -> float:
        if len(self.times) < 2 or self.times[-1] == self.times[0]:
            return 0.0
        return (len(self.times) - 1) / (self.times[-1] - self.times[0])


class CameraPipeline:
    def __init__(
        self,
        config: CameraConfig,
        emit: Callable[[Event], None],
        backend: InferenceBackend | None = None,
        source: FrameSource | None = None,
    ) -> None:
        from core.settings import atelier_home

        self.config = config
        self.emit = emit
        self.manifest = read_manifest(config.model_dir)
        self.backend = backend or create_backend(config.backend, config.model_dir)
        self.source = source or make_source(config.source)
        self.image_dir = config.image_dir or atelier_home() / "images"
        self.size = self.manifest.input_size
        self.tile = config.tile or self.size
        self.gate = Gate(config.gate)
        self.queue: queue.Queue[tuple[float, np.ndarray]] = queue.Queue(config.queue_size)
        self._stop = threading.Event()
        self._restart = threading.Event()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._latency: deque[float] = deque(maxlen=500)
        self._rate_in, self._rate_inferred = Rate(), Rate()
        self.counts = dict.fromkeys(
            (
                "frames_in",
                "inferred",
                "still",
                "empty",
                "dropped",
                "rejected",
                "restarts",
                "flagged",
            ),
            0,
        )
        self.state = "stopped"
        self.last_error: str | None = None
        self.last_frame: np.ndarray | None = None  # for probing a replacement model
        self._last_frame_at = time.monotonic()

    # -- lifecycle

    def start(self) -> None:
        self._stop.clear()
        for target, name in (
            (self._capture_loop, "capture"),
            (self._infer_loop, "infer"),
            (self._watchdog_loop, "watchdog"),
        ):
            t = threading.Thread(target=target, name=f"{self.config.name}-{name}", daemon=True)
            t.start()
            self._threads.append(t)

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self.source.close()
        for t in self._threads:
            t.join(timeout)
        self._threads.clear()
        self.state = "stopped"

    def _count(self, key: str, n: int = 1) -> None:
        with self._lock:
            self.counts[key] += n

    # -- capture and watchdog

    def _capture_loop(self) -> None:
        failures = 0
        opened = False
        next_read = time.monotonic()
        while not self._stop.is_set():
            if not opened:
                try:
                    self.source.open()
                    opened, self.state = True, "running"
                    self._last_frame_at = time.monotonic()
                    self._restart.clear()
                except InputError as exc:
                    failures += 1
                    self._wait_backoff(failures, str(exc))
                    continue
            if self.config.fps:
                self._stop.wait(max(0.0, next_read - time.monotonic()))
                next_read = max(next_read + 1.0 / self.config.fps, time.monotonic())
            try:
                frame = None if self._restart.is_set() else self.source.read()
            except InputError as exc:
                self._count("rejected")
                self.last_error = str(exc)
                log.warning("camera %s: frame rejected: %s", self.config.name, exc)
                continue
            if frame is None:
                self.source.close()
                opened = False
                failures += 1
                self._wait_backoff(failures, "source ended or stalled")
                continue
            failures = 0
            self._on_frame(frame)

    def _wait_backoff(self, failures: int, reason: str) -> None:
        delay = min(self.config.backoff_max_s, self.config.backoff_min_s * 2 ** (failures - 1))
        self.state = "reconnecting"
        self.last_error = reason
        self._count("restarts")
        log.warning("camera %s: %s; restart %d in %.1fs", self.config.name, reason, failures, delay)
        self._stop.wait(delay)

    def _watchdog_loop(self) -> None:
        while not self._stop.wait(min(1.0, self.config.stall_s / 4)):
            idle = time.monotonic() - self._last_frame_at
            if (
                self.state == "running"
                and idle > self.config.stall_s
                and not self._restart.is_set()
            ):
                log.warning("camera %s: no frame for %.1fs, restarting", self.config.name, idle)
                self._restart.set()
                self.source.close()  # unblocks a read stuck on a dead stream

    def _on_frame(self, frame: np.ndarray) -> None:
        now = time.monotonic()
        self._last_frame_at = now
        self.last_frame = frame
        self._count("frames_in")
        self._rate_in.tick(now)
        reason = self.gate.check(frame)
        if reason:
            self._count(reason)
            return
        try:
            self.queue.put_nowait((now, frame))
        except queue.Full:
            self._count("dropped")

    # -- inference

    def _infer_loop(self) -> None:
        while not self._stop.is_set():
            try:
                captured, frame = self.queue.get(timeout=0.2)
            except queue.Empty:
                continue
            try:
                self.process_frame(frame)
            except InputError as exc:
                self._count("rejected")
                self.last_error = str(exc)
                continue
            now = time.monotonic()
            self._rate_inferred.tick(now)
            with self._lock:
                self._latency.append(now - captured)

    def process_frame(self, frame: np.ndarray) -> FrameResult:
        """Tile, infer, stitch and flag one RGB frame; emits the event when flagged."""
        start = time.perf_counter()
        height, width = frame.shape[:2]
        boxes = tile_boxes(height, width, self.tile, self.config.overlap)
        tiles = cut_tiles(frame, boxes, self.size)
        scores, heats, logits = [], [], []
        model_s = 0.0
        for s in range(0, len(tiles), self.config.batch):
            t0 = time.perf_counter()
            out = self.backend.infer(tiles[s : s + self.config.batch])
            model_s += time.perf_counter() - t0
            scores.append(out.scores)
            heats.append(out.heat)
            logits.append(out.class_logits)
        score = np.concatenate(scores)
        self._count("inferred")
        top = int(np.argmax(score))
        threshold = self.manifest.threshold.value
        event = None
        if score[top] > threshold:
            scale = self.config.heat_scale
            heat = stitch(np.concatenate(heats), boxes, height, width, scale)
            classes = self.manifest.classes
            cls = classes[int(np.argmax(np.concatenate(logits)[top]))] if classes else None
            event = save_and_build_event(
                frame=frame,
                heat=heat,
                region=defect_region(heat, boxes[top], scale),
                score=float(score[top]),
                defect_class=cls,
                camera=self.config.name,
                line=self.config.line,
                station=self.config.station,
                model_version=self.manifest.version,
                threshold=threshold,
                image_dir=self.image_dir,
            )
            self._count("flagged")
            self.emit(event)
        return FrameResult(
            float(score[top]), event is not None, event, model_s, time.perf_counter() - start
        )

    def probe(self, frame: np.ndarray | None = None) -> float:
        """Run the model once on the first tile of `frame` (mid-grey when None), flagging
        nothing; raises InputError unless it gives one finite score. For trying a new model
        before it replaces a running one."""
        if frame is None:
            frame = np.full((self.size, self.size, 3), 128, np.uint8)
        boxes = tile_boxes(frame.shape[0], frame.shape[1], self.tile, self.config.overlap)
        scores = np.asarray(self.backend.infer(cut_tiles(frame, boxes[:1], self.size)).scores)
        if scores.shape != (1,) or not np.isfinite(scores).all():
            raise InputError(
                f"{self.config.model_dir}: the model gave {scores.tolist()!r} for one tile, "
                "not one finite score"
            )
        return float(scores[0])

    # -- statistics

    def stats(self) -> dict[str, object]:
        with self._lock:
            lat = np.array(self._latency) * 1000 if self._latency else np.zeros(1)
            counts = dict(self.counts)
        return counts | {
            "camera": self.config.name,
            "state": self.state,
            "fps_in": round(self._rate_in.value(), 2),
            "fps_inferred": round(self._rate_inferred.value(), 2),
            "latency_ms_p50": round(float(np.percentile(lat, 50)), 1),
            "latency_ms_p99": round(float(np.percentile(lat, 99)), 1),
            "queue": self.queue.qsize(),
            "last_error": self.last_error,
        }
