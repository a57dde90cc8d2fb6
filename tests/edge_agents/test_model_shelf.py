"""A line's models folder: checked, atomic installs; `current` and `previous` links switched."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from edge_agents.model_shelf import ModelDeliveryError, ModelShelf


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


FILES = {"model.json": b'{"version": "v1"}', "model.onnx": b"\x08\x01onnx-bytes"}
SUMS = {name: _sha(data) for name, data in FILES.items()}


def test_install_checks_every_file_and_switches_current_keeping_the_previous(
    tmp_path: Path,
) -> None:
    shelf = ModelShelf(tmp_path / "models")
    v1 = shelf.install("v1", SUMS, FILES.__getitem__)
    assert {p.name: p.read_bytes() for p in v1.iterdir()} == FILES
    assert shelf.switch(v1) is None
    assert shelf.current() == v1.resolve()
    assert (tmp_path / "models" / "current").readlink() == Path("v1")  # relative: home can move

    v2 = shelf.install("v2", SUMS, FILES.__getitem__)
    assert shelf.switch(v2) == v1.resolve()
    assert shelf.current() == v2.resolve()
    assert shelf.previous() == v1.resolve()
    assert v1.is_dir()  # kept for rollback
    assert shelf.has("v1", SUMS) and shelf.has("v2", SUMS)
    assert sorted(p.name for p in (tmp_path / "models").iterdir()) == [
        "current",
        "previous",
        "v1",
        "v2",
    ]


def test_a_wrong_checksum_leaves_nothing_behind(tmp_path: Path) -> None:
    shelf = ModelShelf(tmp_path / "models")
    bad = dict(FILES, **{"model.onnx": b"truncated"})
    with pytest.raises(ModelDeliveryError, match=r"model v1: model.onnx arrived with sha256"):
        shelf.install("v1", SUMS, bad.__getitem__)
    assert list((tmp_path / "models").iterdir()) == []
    assert not shelf.has("v1", SUMS)


def test_a_download_cut_off_midway_is_never_a_model(tmp_path: Path) -> None:
    shelf = ModelShelf(tmp_path / "models")
    v1 = shelf.install("v1", SUMS, FILES.__getitem__)
    shelf.switch(v1)

    def centre_gone(name: str) -> bytes:
        if name == "model.onnx":
            raise ConnectionError("centre gone")
        return FILES[name]

    with pytest.raises(ConnectionError):
        shelf.install("v2", SUMS, centre_gone)
    assert sorted(p.name for p in (tmp_path / "models").iterdir()) == ["current", "v1"]
    assert shelf.current() == v1.resolve()


def test_same_version_other_content_replaces_the_folder_whole(tmp_path: Path) -> None:
    shelf = ModelShelf(tmp_path / "models")
    shelf.install("v1", SUMS, FILES.__getitem__)
    other = {"model.json": b'{"version": "v1", "retrained": true}'}
    shelf.install("v1", {"model.json": _sha(other["model.json"])}, other.__getitem__)
    assert shelf.has("v1", {"model.json": _sha(other["model.json"])})
    assert not (shelf.folder("v1") / "model.onnx").exists()


@pytest.mark.parametrize("version", ["", "../etc", "current", "previous", ".hidden", "a/b"])
def test_a_version_that_is_no_folder_name_is_refused(tmp_path: Path, version: str) -> None:
    with pytest.raises(ModelDeliveryError, match="cannot be a folder name"):
        ModelShelf(tmp_path).install(version, SUMS, FILES.__getitem__)


def test_a_current_folder_is_not_replaced_silently(tmp_path: Path) -> None:
    shelf = ModelShelf(tmp_path / "models")
    (tmp_path / "models" / "current").mkdir(parents=True)
    v1 = shelf.install("v1", SUMS, FILES.__getitem__)
    with pytest.raises(ModelDeliveryError, match="is a folder, not a link"):
        shelf.switch(v1)


def test_the_delivered_offer_is_remembered(tmp_path: Path) -> None:
    shelf = ModelShelf(tmp_path / "models")
    assert shelf.delivered() is None
    (tmp_path / "models").mkdir()
    shelf.set_delivered("v1", "abc")
    assert ModelShelf(tmp_path / "models").delivered() == ("v1", "abc")
