"""A camera link: a warning without a model, inspection once a model appears, clean stop."""

from __future__ import annotations

import asyncio
import os
import threading
from pathlib import Path

import pytest

from core.config.models import CameraConfig
from core.events import Event, EventType
from edge_agents import camera as camera_module
from edge_agents.camera import CameraLink, source_config
from tests.edge_agents.conftest import wait_until
from tests.inspection.conftest import tiny_data, tiny_model

__all__ = ["tiny_data", "tiny_model"]  # the inspection tests' tiny real model

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]


def test_source_text_maps_to_the_inspection_sources(tmp_path: Path) -> None:
    from inspection import modeldir

    assert camera_module.MANIFEST == modeldir.MANIFEST
    assert source_config("demo") == {"type": "demo"}
    assert source_config("rtsp://cam/1") == {"type": "rtsp", "url": "rtsp://cam/1"}
    assert source_config("2") == {"type": "device", "index": 2}
    assert source_config(str(tmp_path))["type"] == "folder"
    assert source_config(str(tmp_path / "line.mp4"))["type"] == "video"


def test_camera_waits_for_a_model_then_inspects(
    tiny_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ATELIER_HOME", str(tmp_path / "home"))
    events: list[Event] = []
    current = tmp_path / "home" / "models" / "current"
    camera = CameraConfig(name="cam-table", source="demo", station="CT1", fps=5)
    link = CameraLink("C1", camera, current, events.append, poll_s=0.1, wait_model_s=0.1)
    threads_before = set(threading.enumerate())

    def states() -> list[str]:
        return [e.payload["state"] for e in events if e.type == EventType.LINK_STATE]

    async def scenario() -> None:
        task = asyncio.create_task(link.run())
        await wait_until(lambda: bool(events), 10, "the no-model warning")
        assert link.status.state == "down"
        assert "no inspection model" in events[0].payload["last_error"]
        await asyncio.sleep(0.5)  # several looks for the model: still one warning
        assert len(events) == 1
        current.parent.mkdir(parents=True)
        os.symlink(tiny_model, current)
        await wait_until(
            lambda: link.status.state == "connected", 60, f"the camera running ({events})"
        )
        await wait_until(
            lambda: link.status.counters.get("inferred", 0) >= 3, 120, "three frames inferred"
        )
        assert link.status.warnings == []
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    asyncio.run(scenario())
    assert states()[-2:] == ["connected", "down"]
    assert link.pipeline is None
    assert not [t for t in set(threading.enumerate()) - threads_before if t.name.startswith("cam")]


def test_a_broken_model_folder_is_reported_and_the_link_waits(tmp_path: Path) -> None:
    broken = tmp_path / "model"
    broken.mkdir()
    (broken / camera_module.MANIFEST).write_text("{not json")
    events: list[Event] = []
    camera = CameraConfig(name="cam-final", source="demo", station="S10")
    link = CameraLink("L1", camera, broken, events.append, poll_s=0.1, wait_model_s=0.1)

    async def scenario() -> None:
        task = asyncio.create_task(link.run())
        await wait_until(lambda: bool(events), 60, "the broken model reported")
        await asyncio.sleep(0.3)  # it waits: no second report, no restart loop
        assert not task.done()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    asyncio.run(scenario())
    assert len(events) == 1
    assert events[0].payload["state"] == "down"
    assert "invalid manifest" in events[0].payload["last_error"]
    assert link.pipeline is None
