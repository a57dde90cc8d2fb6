"""The camera pipeline on real sources: a video file that ends, stalls and returns; a stream
that hangs; hostile files in a folder; a full queue; a flagged defect becoming an event."""

import shutil
import threading
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from core.events import EventType
from inspection.backends import TorchConfig, create_backend
from inspection.camera.pipeline import CameraConfig, CameraPipeline
from inspection.camera.sources import FrameSource
from inspection.images import read_image

from .conftest import GOOD, STAIN

FAST_RETRY = {"backoff_min_s": 0.05, "backoff_max_s": 0.2}


def wait_for(condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached before the deadline")
        time.sleep(0.02)


@pytest.fixture(scope="module")
def backend(tiny_model):
    return create_backend(TorchConfig(), tiny_model)


def make_pipeline(tiny_model, backend, tmp_path, source, events=None, src=None, **extra):
    config = CameraConfig(
        name="cam-test",
        line="C1",
        station="CT1",
        source=source,
        model_dir=tiny_model,
        image_dir=tmp_path / "images",
        **(FAST_RETRY | extra),
    )
    emitted = events if events is not None else []
    return CameraPipeline(config, emitted.append, backend=backend, source=src)


def write_video(path: Path, n: int) -> None:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 5, (224, 224))
    for i in range(1, n + 1):
        writer.write(cv2.cvtColor(read_image(GOOD / f"{i}.jpg"), cv2.COLOR_RGB2BGR))
    writer.release()


def test_video_source_that_ends_stalls_and_returns(tiny_model, backend, tmp_path):
    video = tmp_path / "table.avi"
    write_video(video, 4)
    pipe = make_pipeline(tiny_model, backend, tmp_path, {"type": "video", "path": video})
    pipe.start()
    try:
        wait_for(lambda: pipe.counts["inferred"] >= 4 and pipe.counts["restarts"] >= 1)
        video.rename(tmp_path / "away.avi")  # the camera is gone: open fails, restarts go on
        restarts = pipe.counts["restarts"]
        wait_for(lambda: pipe.counts["restarts"] >= restarts + 3 and pipe.state == "reconnecting")
        assert "does not exist" in (pipe.last_error or "")
        seen = pipe.counts["frames_in"]
        (tmp_path / "away.avi").rename(video)
        wait_for(lambda: pipe.counts["frames_in"] >= seen + 4)
        wait_for(lambda: pipe.state == "running" or pipe.counts["frames_in"] >= seen + 8)
    finally:
        pipe.stop()
    stats = pipe.stats()
    assert stats["restarts"] >= 4 and stats["rejected"] == 0
    assert stats["latency_ms_p50"] > 0


class HangingSource(FrameSource):
    """Gives a few frames, then blocks in read() like a dead RTSP stream until closed."""

    def __init__(self) -> None:
        self.frames = [read_image(GOOD / f"{i}.jpg") for i in range(1, 4)]
        self.opens = 0
        self._closed = threading.Event()

    def open(self) -> None:
        self.opens += 1
        self._closed.clear()
        self._given = 0

    def read(self):
        if self._given < len(self.frames):
            self._given += 1
            return self.frames[self._given - 1]
        self._closed.wait()
        return None

    def close(self) -> None:
        self._closed.set()


def test_watchdog_restarts_a_stream_that_hangs(tiny_model, backend, tmp_path):
    src = HangingSource()
    pipe = make_pipeline(tiny_model, backend, tmp_path, {"type": "demo"}, src=src, stall_s=0.3)
    pipe.start()
    try:
        wait_for(lambda: src.opens >= 3)
    finally:
        pipe.stop()
    assert pipe.counts["restarts"] >= 2 and pipe.counts["frames_in"] >= 6


def test_hostile_files_are_rejected_and_the_stream_goes_on(tiny_model, backend, tmp_path, caplog):
    folder = tmp_path / "frames"
    folder.mkdir()
    for i in (1, 2, 3):
        shutil.copy(GOOD / f"{i}.jpg", folder / f"{i}a.jpg")
    (folder / "1b.jpg").write_bytes((GOOD / "4.jpg").read_bytes()[:2500])  # truncated
    (folder / "2b.jpg").write_bytes(b"")  # zero size
    (folder / "3b.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)  # broken header
    pipe = make_pipeline(tiny_model, backend, tmp_path, {"type": "folder", "path": folder})
    pipe.start()
    try:
        wait_for(lambda: pipe.counts["rejected"] >= 3 and pipe.counts["inferred"] >= 3)
    finally:
        pipe.stop()
    assert pipe.counts["frames_in"] >= 3
    rejected = [r.getMessage() for r in caplog.records if "frame rejected" in r.getMessage()]
    assert any("1b.jpg: not a readable image" in m for m in rejected)
    assert any("2b.jpg: empty image file" in m for m in rejected)
    assert any("3b.png: not a readable image" in m for m in rejected)


def test_full_queue_drops_and_counts(tiny_model, backend, tmp_path):
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(1, 21):
        shutil.copy(GOOD / f"{i}.jpg", folder / f"{i:02d}.jpg")
    pipe = make_pipeline(
        tiny_model,
        backend,
        tmp_path,
        {"type": "folder", "path": folder, "loop": True},
        queue_size=1,
        gate={"motion_threshold": 0.0},
    )
    pipe.start()
    try:
        wait_for(lambda: pipe.counts["dropped"] >= 5 and pipe.counts["inferred"] >= 2)
    finally:
        pipe.stop()
    c = pipe.counts
    unaccounted = c["frames_in"] - c["inferred"] - c["dropped"] - c["still"] - c["empty"]
    assert 0 <= unaccounted <= 2  # at most one frame queued and one in inference at stop
    assert pipe.stats()["fps_in"] > 0


def test_flagged_defect_is_saved_and_emitted_as_an_event(tiny_model, backend, tmp_path):
    events = []
    pipe = make_pipeline(tiny_model, backend, tmp_path, {"type": "demo"}, events=events)
    good = pipe.process_frame(read_image(GOOD / "1.jpg"))
    assert not good.flagged and events == []
    top = np.concatenate([read_image(GOOD / "1.jpg"), read_image(GOOD / "2.jpg")], axis=1)
    bottom = np.concatenate([read_image(GOOD / "3.jpg"), read_image(STAIN / "2.jpg")], axis=1)
    frame = np.ascontiguousarray(np.concatenate([top, bottom], axis=0))
    result = pipe.process_frame(frame)
    assert result.flagged and len(events) == 1
    event = events[0]
    assert event.type == EventType.DEFECT_FLAGGED and event.line == "C1" and event.station == "CT1"
    p = event.payload
    assert p["score"] > p["threshold"] and p["class"] in ("stain", "hole")
    assert p["model_version"] == pipe.manifest.version
    r = p["region"]
    assert r["x"] + r["w"] <= 448 and r["y"] + r["h"] <= 448
    assert r["x"] + r["w"] / 2 > 224 and r["y"] + r["h"] / 2 > 224  # in the stained quadrant
    for path in p["files"].values():
        assert Path(path).is_file() and Path(path).stat().st_size > 0
    assert cv2.imread(p["files"]["frame"]).shape == (448, 448, 3)
