"""The promoted model in ship's reply, its files for the uplink, and the line following it
(central ingest and the follower without Ray, on real files and a real store)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete

from cluster.ingest import CentralIngest
from cluster.model_delivery import ModelFollower
from core.db import make_engine, transaction
from core.events import Event, EventType
from core.models_registry import promote_model, register_model
from core.schema import InspectionModelRow
from edge_agents.model_shelf import ModelShelf
from tests.cluster.conftest import agent_row


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def centre(store_url: str, tmp_path: Path) -> Iterator[Path]:
    """The centre's home with models v1 and v2 registered (v1 promoted)."""
    home = tmp_path / "centre"
    engine = make_engine(store_url)
    with transaction(engine) as session:
        session.execute(delete(InspectionModelRow))
        for version in ("v1", "v2"):
            folder = home / "models" / f"trained-{version}"
            folder.mkdir(parents=True)
            (folder / "model.json").write_text(f'{{"version": "{version}"}}')
            (folder / "model.onnx").write_bytes(f"graph {version}".encode())
            (folder / "weights.pt").write_bytes(b"weights")
            (folder / "trained_on.csv").write_text("path,sha256,label,class\n")
            register_model(session, version, f"models/trained-{version}")
        promote_model(session, "v1", by="quality")
    yield home
    with transaction(engine) as session:
        session.execute(delete(InspectionModelRow))
    engine.dispose()


def test_no_promoted_model_no_offer(store_url: str, tmp_path: Path) -> None:
    engine = make_engine(store_url)
    with transaction(engine) as session:
        session.execute(delete(InspectionModelRow))
    engine.dispose()
    assert CentralIngest(store_url, home=str(tmp_path)).ship("L1", "n", [], 0)["model"] is None


def test_ship_offers_the_promoted_version_with_checksums(store_url: str, centre: Path) -> None:
    ingest = CentralIngest(store_url, home=str(centre))
    offer = ingest.ship("L1", "n", [], 0)["model"]
    folder = centre / "models" / "trained-v1"
    assert offer["version"] == "v1"
    assert offer["files"] == {  # never the training records
        name: _sha((folder / name).read_bytes())
        for name in ("model.json", "model.onnx", "weights.pt")
    }
    assert ingest.ship("L1", "n", [], 0)["model"] == offer  # stable digest
    assert ingest.model_file("v1", "model.onnx") == {"data": b"graph v1"}
    assert "not a file lines receive" in ingest.model_file("v1", "trained_on.csv")["error"]
    assert "no inspection model version 'v9'" in ingest.model_file("v9", "model.json")["error"]

    (folder / "model.onnx").write_bytes(b"re-exported graph")
    changed = ingest.ship("L1", "n", [], 0)["model"]
    assert changed["digest"] != offer["digest"]
    assert changed["files"]["model.onnx"] == _sha(b"re-exported graph")


def test_the_line_installs_once_switches_and_keeps_the_previous(
    store_url: str, centre: Path, tmp_path: Path
) -> None:
    ingest = CentralIngest(store_url, home=str(centre))
    shelf = ModelShelf(tmp_path / "line" / "models")
    follower = ModelFollower(shelf)
    fetched: list[tuple[str, str]] = []

    def fetch(version: str, name: str) -> bytes:
        fetched.append((version, name))
        return bytes(ingest.model_file(version, name)["data"])

    assert follower.follow(ingest.ship("L1", "n", [], 0)["model"], fetch)
    assert fetched == [("v1", "model.json"), ("v1", "model.onnx")]  # onnxruntime needs no weights
    assert shelf.current() == shelf.folder("v1")
    assert not follower.follow(ingest.ship("L1", "n", [], 0)["model"], fetch)
    assert len(fetched) == 2  # already delivered: nothing fetched again

    engine = make_engine(store_url)
    with transaction(engine) as session:
        promote_model(session, "v2", by="quality")
    engine.dispose()
    assert ModelFollower(shelf, with_weights=True).follow(
        ingest.ship("L1", "n", [], 0)["model"], fetch
    )
    assert fetched[2:] == [("v2", "model.json"), ("v2", "model.onnx"), ("v2", "weights.pt")]
    assert shelf.current() == shelf.folder("v2") and shelf.previous() == shelf.folder("v1")


def test_a_bad_transfer_is_not_installed_and_tried_again_later(
    store_url: str, centre: Path, tmp_path: Path
) -> None:
    ingest = CentralIngest(store_url, home=str(centre))
    shelf = ModelShelf(tmp_path / "line" / "models")
    offer = ingest.ship("L1", "n", [], 0)["model"]
    calls: list[str] = []

    def flipped_bit(version: str, name: str) -> bytes:
        calls.append(name)
        return b"X" + bytes(ingest.model_file(version, name)["data"])[1:]

    patient = ModelFollower(shelf, retry_s=3600)
    assert not patient.follow(offer, flipped_bit)
    assert "model.json arrived with sha256" in (patient.last_error or "")
    assert not patient.follow(offer, flipped_bit)  # not again before retry_s
    assert calls == ["model.json"]
    assert shelf.current() is None and not shelf.root.joinpath("v1").exists()

    eager = ModelFollower(shelf, retry_s=0)
    assert eager.follow(offer, lambda v, n: bytes(ingest.model_file(v, n)["data"]))
    assert shelf.current() == shelf.folder("v1") and eager.last_error is None


def test_the_line_row_shows_the_model_its_cameras_run(store_url: str, tmp_path: Path) -> None:
    ingest = CentralIngest(store_url, home=str(tmp_path))
    loaded = Event(line="L1", type=EventType.MODEL_LOADED, payload={"version": "v3"})
    ingest.ship("L1", "n", [loaded.to_dict()], 0)
    assert agent_row(store_url, "L1").model_version == "v3"  # type: ignore[union-attr]
    back = Event(
        line="L1",
        type=EventType.MODEL_ROLLBACK,
        payload={"version": "v3", "to": "v2", "reason": "x"},
    )
    ingest.ship("L1", "n", [back.to_dict()], 0)
    assert agent_row(store_url, "L1").model_version == "v2"  # type: ignore[union-attr]


def test_a_promoted_folder_without_manifest_is_not_offered(
    store_url: str, centre: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (centre / "models" / "trained-v1" / "model.json").unlink()
    ingest = CentralIngest(store_url, home=str(centre))
    assert ingest.ship("L1", "n", [], 0)["model"] is None
    assert ingest.ship("L1", "n", [], 0)["model"] is None
    said = [r.getMessage() for r in caplog.records if "not offered" in r.getMessage()]
    assert len(said) == 1 and "no model.json in" in said[0]  # once, not every half second
