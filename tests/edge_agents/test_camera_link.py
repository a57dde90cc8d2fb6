"""A camera link: a warning without a model, inspection once a model appears, clean stop;
a new model takes over without a restart, a corrupt one is rolled back."""

from __future__ import annotations

import asyncio
import json
import os
import threading
from pathlib import Path

import pytest

from core.config.models import CameraConfig
from core.events import Event, EventType
from edge_agents import camera as camera_module
from edge_agents.camera import CameraLink, source_config
from edge_agents.model_shelf import ModelShelf
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


def _model_copy(tiny_model: Path, models: Path, version: str, onnx: bytes | None = None) -> Path:
    """A line's copy of the tiny model as `version` (what the uplink installs); `onnx` replaces
    the exported graph, e.g. with garbage for a corrupt model."""
    folder = models / version
    folder.mkdir(parents=True)
    manifest = json.loads((tiny_model / "model.json").read_text())
    (folder / "model.json").write_text(json.dumps(manifest | {"version": version}))
    (folder / "model.onnx").write_bytes(onnx or (tiny_model / "model.onnx").read_bytes())
    return folder


def _of_type(events: list[Event], kind: str) -> list[dict]:
    return [e.payload for e in events if e.type == kind]


def test_a_new_model_takes_over_and_a_corrupt_one_rolls_back(
    tiny_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ATELIER_HOME", str(tmp_path / "home"))
    shelf = ModelShelf(tmp_path / "home" / "models")
    v1 = _model_copy(tiny_model, shelf.root, "v1")
    v2 = _model_copy(tiny_model, shelf.root, "v2")
    v3 = _model_copy(tiny_model, shelf.root, "v3", onnx=b"not an onnx graph")
    shelf.switch(v1)
    events: list[Event] = []
    camera = CameraConfig(name="cam-table", source="demo", station="CT1", fps=5)
    link = CameraLink("C1", camera, shelf.root / "current", events.append, 0.1, 0.1)

    def inferred() -> int:
        return link.status.counters.get("inferred", 0)

    async def scenario() -> None:
        task = asyncio.create_task(link.run())
        await wait_until(lambda: inferred() >= 2, 120, "v1 inspecting")
        assert _of_type(events, EventType.MODEL_LOADED) == [
            {"camera": "cam-table", "version": "v1", "model_version": "v1", "previous": None}
        ]
        first_pipeline = link.pipeline

        shelf.switch(v2)  # what the uplink does after installing a promoted version
        await wait_until(
            lambda: len(_of_type(events, EventType.MODEL_LOADED)) == 2, 60, "v2 loaded"
        )
        assert _of_type(events, EventType.MODEL_LOADED)[-1]["previous"] == "v1"
        assert link.pipeline is not first_pipeline
        assert link.pipeline.manifest.version == "v2"
        await wait_until(lambda: inferred() >= 2, 60, "v2 inspecting")

        shelf.switch(v3)
        await wait_until(
            lambda: _of_type(events, EventType.MODEL_ROLLBACK), 60, "the corrupt model refused"
        )
        rollback = _of_type(events, EventType.MODEL_ROLLBACK)[0]
        assert (rollback["version"], rollback["to"]) == ("v3", "v2")
        assert "v3/model.onnx" in rollback["reason"]  # names what failed
        assert shelf.current() == v2.resolve()  # the line points back at what it runs
        before = inferred()
        await wait_until(lambda: inferred() >= before + 3, 60, "v2 still inspecting")
        assert link.pipeline.manifest.version == "v2"
        assert len(_of_type(events, EventType.MODEL_ROLLBACK)) == 1  # refused once, no loop
        assert len(_of_type(events, EventType.MODEL_LOADED)) == 2
        assert link.status.state == "connected"

        shelf.switch(v3)  # promoted again: tried again, refused again
        await wait_until(
            lambda: len(_of_type(events, EventType.MODEL_ROLLBACK)) == 2, 60, "second refusal"
        )
        assert shelf.current() == v2.resolve() and link.pipeline.manifest.version == "v2"
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    asyncio.run(scenario())


def test_a_corrupt_model_at_start_falls_back_to_the_previous_one(
    tiny_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ATELIER_HOME", str(tmp_path / "home"))
    shelf = ModelShelf(tmp_path / "home" / "models")
    v1 = _model_copy(tiny_model, shelf.root, "v1")
    v2 = _model_copy(tiny_model, shelf.root, "v2", onnx=b"\x00" * 64)
    shelf.switch(v1)
    shelf.switch(v2)  # the agent (re)starts right after a bad version was delivered
    events: list[Event] = []
    camera = CameraConfig(name="cam-final", source="demo", station="S10", fps=5)
    link = CameraLink("L1", camera, shelf.root / "current", events.append, 0.1, 0.1)

    async def scenario() -> None:
        task = asyncio.create_task(link.run())
        await wait_until(lambda: link.status.counters.get("inferred", 0) >= 2, 120, "v1 inspecting")
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    asyncio.run(scenario())
    kinds = [e.type for e in events if e.type.startswith("model.")]
    assert kinds == [EventType.MODEL_ROLLBACK, EventType.MODEL_LOADED]
    assert _of_type(events, EventType.MODEL_ROLLBACK)[0]["to"] == "v1"
    assert _of_type(events, EventType.MODEL_LOADED)[0]["version"] == "v1"
    assert shelf.current() == v1.resolve()
