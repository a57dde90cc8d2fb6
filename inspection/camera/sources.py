"""Frame sources, one small class per kind, chosen by the `type` key of their config.

`read()` returns an RGB frame, None when the source has ended or lost its stream (the watchdog
then restarts it), or raises InputError for one bad frame (counted, and the stream goes on).
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Annotated, Literal

import cv2
import numpy as np
from pydantic import BaseModel, Field

from core.errors import InputError
from inspection.images import IMAGE_SUFFIXES, check_frame, read_image

log = logging.getLogger(__name__)


class FolderSourceConfig(BaseModel):
    type: Literal["folder"] = Field(
        default="folder", description="a folder of images played as a stream"
    )
    path: Path = Field(description="folder of image files, played in name order")
    loop: bool = Field(
        default=False, description="start again after the last image instead of ending"
    )


class VideoSourceConfig(BaseModel):
    type: Literal["video"] = Field(default="video", description="a video file")
    path: Path = Field(description="video file OpenCV can decode")


class DeviceSourceConfig(BaseModel):
    type: Literal["device"] = Field(default="device", description="a local camera by index")
    index: int = Field(default=0, ge=0, description="OpenCV device index")


class RtspSourceConfig(BaseModel):
    type: Literal["rtsp"] = Field(default="rtsp", description="a network camera stream")
    url: str = Field(description="rtsp:// URL; credentials come from the environment, not here")


class DemoSourceConfig(BaseModel):
    type: Literal["demo"] = Field(
        default="demo", description="real fabric with real and synthetic defects"
    )
    width: int = Field(default=896, ge=224, description="frame width in pixels")
    height: int = Field(default=448, ge=224, description="frame height in pixels")
    defect_rate: float = Field(default=0.3, ge=0, le=1, description="share of frames with a defect")
    seed: int = Field(default=0, description="random seed of the sequence")


SourceConfig = Annotated[
    FolderSourceConfig
    | VideoSourceConfig
    | DeviceSourceConfig
    | RtspSourceConfig
    | DemoSourceConfig,
    Field(discriminator="type"),
]


class FrameSource:
    """Base: open, read frames, close. Subclasses own their OpenCV or file handles."""

    name = "source"

    def open(self) -> None: ...

    def read(self) -> np.ndarray | None:
        raise NotImplementedError

    def close(self) -> None: ...


class FolderSource(FrameSource):
    def __init__(self, config: FolderSourceConfig) -> None:
        self.config = config
        self.name = str(config.path)
        self._files: list[Path] = []
        self._next = 0

    def open(self) -> None:
        if not self.config.path.is_dir():
            raise InputError(f"{self.config.path}: camera folder does not exist")
        self._files = sorted(
            p for p in self.config.path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES
        )
        self._next = 0

    def read(self) -> np.ndarray | None:
        if self._next >= len(self._files):
            if not self.config.loop or not self._files:
                return None
            self._next = 0
        path = self._files[self._next]
        self._next += 1
        return read_image(path)


class OpenCvSource(FrameSource):
    """Video file, device index or RTSP URL through cv2.VideoCapture.

    A lock keeps `close()` (called by the watchdog or on stop) from releasing the capture in the
    middle of a `read()`, which would crash OpenCV; network reads carry FFmpeg timeouts so a dead
    stream returns instead of hanging.
    """

    TIMEOUT_MS = 5000

    def __init__(self, target: str | int) -> None:
        self.target = target
        self.name = str(target)
        self._cap: cv2.VideoCapture | None = None
        self._lock = threading.Lock()

    def open(self) -> None:
        if isinstance(self.target, str) and not self.target.startswith("rtsp"):
            if not Path(self.target).exists():
                raise InputError(f"{self.target}: video file does not exist")
        if isinstance(self.target, str) and self.target.startswith("rtsp"):
            params = [
                cv2.CAP_PROP_OPEN_TIMEOUT_MSEC,
                self.TIMEOUT_MS,
                cv2.CAP_PROP_READ_TIMEOUT_MSEC,
                self.TIMEOUT_MS,
            ]
            cap = cv2.VideoCapture(self.target, cv2.CAP_FFMPEG, params)
        else:
            cap = cv2.VideoCapture(self.target)
        if not cap.isOpened():
            cap.release()
            raise InputError(f"{self.target}: OpenCV cannot open this source")
        with self._lock:
            self._cap = cap

    def read(self) -> np.ndarray | None:
        with self._lock:
            if self._cap is None:
                return None
            ok, frame = self._cap.read()
        if not ok:
            return None
        return check_frame(frame, self.name)

    def close(self) -> None:
        with self._lock:
            if self._cap is not None:
                self._cap.release()
                self._cap = None


def make_source(
    config: FolderSourceConfig
    | VideoSourceConfig
    | DeviceSourceConfig
    | RtspSourceConfig
    | DemoSourceConfig,
) -> FrameSource:
    if config.type == "folder":
        return FolderSource(config)
    if config.type == "video":
        return OpenCvSource(str(config.path))
    if config.type == "device":
        return OpenCvSource(config.index)
    if config.type == "rtsp":
        return OpenCvSource(config.url)
    from inspection.camera.demo import DemoSource

    return DemoSource(config)
