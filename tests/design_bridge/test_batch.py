"""draft_batch: complete output or none, with progress and a summary."""

from __future__ import annotations

import csv
import json

import ezdxf
import pytest

from core.errors import InputError
from design_bridge import draft_batch

from .conftest import make_order


def _orders():
    return [
        make_order("shirt", "B-1", size="M", options={"collar": "cutaway"}),
        make_order(
            "trousers",
            "B-2",
            measurements={"height": 172.0, "waist": 84.0, "hip": 98.0},
            quantity=2,
        ),
        make_order("skirt", "B/3", size="S", options={"body": "women", "length": "midi"}),
        make_order("tshirt", "B-4", size="XL", fabric="JERSEY-BLK"),
    ]


def test_batch_writes_exports_and_summary_and_reports_progress(tmp_path):
    seen = []
    out = tmp_path / "drafts"
    drafted = draft_batch(
        _orders(), out, progress=lambda done, total, oid: seen.append((done, total, oid))
    )
    ids = ["B-1", "B-2", "B/3", "B-4"]
    assert seen == [(i + 1, 8, oid) for i, oid in enumerate(ids + ids)]  # drafted, then written
    assert [d.order_id for d in drafted] == ["B-1", "B-2", "B/3", "B-4"]
    for folder in ("B-1", "B-2", "B_3", "B-4"):
        for name in ("drafted.json", "pattern.svg", "pattern.dxf", "pattern.plt"):
            assert (out / folder / name).stat().st_size > 0
    ezdxf.readfile(out / "B_3" / "pattern.dxf")
    loaded = json.loads((out / "B-2" / "drafted.json").read_text())
    assert loaded["quantity"] == 2 and loaded["routing"] and loaded["pieces"][0]["cut_line"]
    with (out / "summary.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    assert [r["order_id"] for r in rows] == ["B-1", "B-2", "B/3", "B-4"]
    assert float(rows[1]["fabric_length_m"]) == pytest.approx(drafted[1].bom.fabric_length_m)
    assert json.loads((out / "summary.json").read_text())["orders"][3]["style"] == "tshirt"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_one_bad_order_writes_nothing_and_names_every_failure(tmp_path):
    orders = _orders()
    orders.insert(1, make_order("shirt", "BAD-1", measurements={"height": 178.0, "chest": 400.0}))
    orders.append(make_order("skirt", "BAD-2", size="XXXXL"))
    out = tmp_path / "drafts"
    with pytest.raises(InputError) as err:
        draft_batch(orders, out)
    message = str(err.value)
    assert "2 of 6 orders" in message and "BAD-1" in message and "BAD-2" in message
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_repeated_order_ids_are_refused(tmp_path):
    with pytest.raises(InputError, match="order id repeats"):
        draft_batch([make_order("shirt", "X"), make_order("skirt", "X")], tmp_path / "o")


def test_a_non_empty_output_folder_is_left_alone(tmp_path):
    (tmp_path / "keep.txt").write_text("mine")
    with pytest.raises(InputError, match="is not empty"):
        draft_batch(_orders(), tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


def test_an_empty_existing_folder_is_filled(tmp_path):
    draft_batch(_orders()[:1], tmp_path)
    assert (tmp_path / "summary.csv").exists()
