"""A promoted inspection model reaches a line on a real local Ray: store -> ingest -> uplink ->
the line's models folder -> the camera link, whose `model.loaded` / `model.rollback` events come
back to the store. A corrupt model is rolled back on the line; with the centre away the line keeps
its model and picks up the promotion on return.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete, select

from core.config.models import CameraConfig
from core.db import make_engine, transaction
from core.events import EventType
from core.models_registry import promote_model, register_model
from core.schema import EventRow, InspectionModelRow
from edge_agents.camera import CameraLink
from edge_agents.model_shelf import ModelShelf
from edge_agents.outbox import Outbox
from tests.cluster.conftest import agent_row, local_ray_for, wait_for
from tests.inspection.conftest import tiny_data, tiny_model

__all__ = ["tiny_data", "tiny_model"]  # the inspection tests' tiny real model

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


@pytest.fixture(scope="module")
def local_ray(ray_token: Path) -> Iterator[None]:
    with local_ray_for("L1"):
        yield


class CameraThread:
    """A line camera link in its own event loop, writing to the line's outbox as the agent does."""

    def __init__(self, link: CameraLink) -> None:
        self.link = link
        self._loop = asyncio.new_event_loop()
        self._task: asyncio.Task[None] | None = None
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="test-camera", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._task = self._loop.create_task(self.link.run())
        [result] = self._loop.run_until_complete(asyncio.gather(self._task, return_exceptions=True))
        if not isinstance(result, asyncio.CancelledError):
            self.error = result

    def inferred(self) -> int:
        return self.link.status.counters.get("inferred", 0)

    def stop(self) -> None:
        if self._task is not None:
            self._loop.call_soon_threadsafe(self._task.cancel)
        self._thread.join(timeout=60)
        assert self.error is None, f"the camera link failed: {self.error!r}"


def _centre_model(tiny_model: Path, centre: Path, version: str, onnx: bytes | None = None) -> str:
    """A trained model folder in the centre's home, as `atelier inspect train` leaves it."""
    folder = centre / "models" / f"trained-{version}"
    shutil.copytree(tiny_model, folder)
    manifest = json.loads((folder / "model.json").read_text())
    (folder / "model.json").write_text(json.dumps(manifest | {"version": version}))
    if onnx is not None:
        (folder / "model.onnx").write_bytes(onnx)
    return f"models/trained-{version}"


def _promote(url: str, version: str) -> None:
    engine = make_engine(url)
    try:
        with transaction(engine) as session:
            promote_model(session, version, by="quality-test")
    finally:
        engine.dispose()


def _stored_payloads(url: str, kind: str) -> list[dict]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.scalars(
                select(EventRow.payload).where(EventRow.line == "L1", EventRow.type == kind)
            )
            return [dict(p) for p in rows]
    finally:
        engine.dispose()


def _model_version(url: str) -> str | None:
    row = agent_row(url, "L1")
    return row.model_version if row is not None else None


def test_a_promoted_model_reaches_the_line_and_a_corrupt_one_is_rolled_back(
    local_ray: None,
    store_url: str,
    tiny_model: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import ray

    from cluster.services import start_central, start_uplink

    centre, line_home = tmp_path / "centre", tmp_path / "line"
    monkeypatch.setenv("ATELIER_HOME", str(line_home))  # the camera's flagged images
    engine = make_engine(store_url)
    with transaction(engine) as session:
        session.execute(delete(InspectionModelRow))
        for version, onnx in (("v1", None), ("v2", None), ("v3", b"corrupt, not a graph")):
            register_model(session, version, _centre_model(tiny_model, centre, version, onnx))
    engine.dispose()

    shelf = ModelShelf(line_home / "models")
    outbox_file = line_home / "outbox" / "L1.sqlite"
    box = Outbox(outbox_file)
    ingest = start_central(store_url, home=str(centre))
    uplink = start_uplink(
        "L1", str(outbox_file), poll_s=0.1, max_backoff_s=1.0, models_dir=str(shelf.root)
    )
    camera = CameraConfig(name="cam-final", source="demo", station="S10", fps=5)
    link = CameraLink("L1", camera, shelf.root / "current", lambda e: box.append([e]), 0.2, 0.2)
    cam = CameraThread(link)
    try:
        _promote(store_url, "v1")
        wait_for(lambda: shelf.current() == shelf.folder("v1"), 60, "v1 current on the line")
        # Only what the cameras need travels: no training records, no TensorRT engines.
        assert sorted(p.name for p in shelf.folder("v1").iterdir()) == ["model.json", "model.onnx"]
        wait_for(lambda: _model_version(store_url) == "v1", 120, "the centre seeing v1 loaded")

        _promote(store_url, "v2")
        wait_for(lambda: _model_version(store_url) == "v2", 120, "the centre seeing v2 loaded")
        assert shelf.current() == shelf.folder("v2") and shelf.previous() == shelf.folder("v1")
        wait_for(lambda: cam.inferred() >= 2, 60, "v2 inspecting")

        _promote(store_url, "v3")  # arrives intact (checksums match) but cannot run
        wait_for(
            lambda: _stored_payloads(store_url, EventType.MODEL_ROLLBACK), 120, "rollback stored"
        )
        [rollback] = _stored_payloads(store_url, EventType.MODEL_ROLLBACK)
        assert (rollback["version"], rollback["to"]) == ("v3", "v2")
        assert "model.onnx" in rollback["reason"]
        assert _model_version(store_url) == "v2"
        assert shelf.current() == shelf.folder("v2")
        assert link.pipeline.manifest.version == "v2"

        # The centre goes away; a promotion meanwhile waits, the line keeps inspecting with v2.
        ray.kill(ingest, no_restart=True)
        wait_for(lambda: box.links()["uplink"][0] == "reconnecting", 30, "uplink reconnecting")
        _promote(store_url, "v1")  # the quality team's "roll back to previous"
        before = cam.inferred()
        wait_for(lambda: cam.inferred() >= before + 5, 60, "v2 inspecting with the centre away")
        assert shelf.current() == shelf.folder("v2")
        assert link.pipeline.manifest.version == "v2"

        ingest = start_central(store_url, home=str(centre))
        wait_for(
            lambda: _model_version(store_url) == "v1", 120, "v1 again after the centre's return"
        )
        assert shelf.current() == shelf.folder("v1")
        loaded = [p["version"] for p in _stored_payloads(store_url, EventType.MODEL_LOADED)]
        assert sorted(loaded) == ["v1", "v1", "v2"]  # each stored once, v3 never loaded
        status = ray.get(uplink.status.remote())
        assert status["model"][0] == "v1" and status["model_error"] is None
    finally:
        cam.stop()
        ray.get(uplink.stop.remote())
        ray.kill(uplink, no_restart=True)
        ray.kill(ingest, no_restart=True)
        box.close()
        engine = make_engine(store_url)
        with transaction(engine) as session:
            session.execute(delete(InspectionModelRow))  # the store may be shared (PostgreSQL)
        engine.dispose()
