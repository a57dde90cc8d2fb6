"""Tiles cover the whole frame with the asked overlap; stitching puts heat where it belongs."""

import numpy as np
import pytest

from inspection.camera.gating import Gate, GateConfig
from inspection.camera.tiling import cut_tiles, stitch, tile_boxes
from inspection.fabric_stain import DATA_DIR
from inspection.images import read_image


@pytest.mark.parametrize(("h", "w"), [(1080, 1920), (224, 224), (500, 300), (100, 90)])
def test_tiles_cover_frame_with_overlap(h, w):
    boxes = tile_boxes(h, w, 224, 32)
    covered = np.zeros((h, w), bool)
    for x, y, bw, bh in boxes:
        assert x >= 0 and y >= 0 and x + bw <= w and y + bh <= h
        covered[y : y + bh, x : x + bw] = True
    assert covered.all()
    xs = sorted({b[0] for b in boxes})
    assert all(b - a <= 224 - 32 for a, b in zip(xs, xs[1:], strict=False))


def test_cut_tiles_resizes_small_frames_and_scales_to_unit_range():
    frame = np.full((100, 90, 3), 255, np.uint8)
    tiles = cut_tiles(frame, tile_boxes(100, 90, 224, 32), 224)
    assert tiles.shape == (1, 3, 224, 224) and tiles.max() == pytest.approx(1.0)


def test_stitch_places_a_hot_tile_in_its_corner():
    boxes = tile_boxes(448, 448, 224, 0)
    heats = np.zeros((len(boxes), 224, 224), np.float32)
    hot = boxes.index((224, 224, 224, 224))
    heats[hot] = 5.0
    out = stitch(heats, boxes, 448, 448, 4)
    assert out.shape == (112, 112)
    assert out[60:, 60:].min() == 5.0 and out[:50, :].max() == 0.0


def test_gate_skips_still_and_empty_frames_and_passes_new_fabric():
    gate = Gate(GateConfig())
    a = read_image(DATA_DIR / "images" / "defect_free" / "1.jpg")
    b = read_image(DATA_DIR / "images" / "stain" / "5.jpg")
    assert gate.check(a) is None
    assert gate.check(a.copy()) == "still"
    assert gate.check(np.full_like(a, 128)) == "empty"
    assert gate.check(np.zeros_like(a)) == "empty"
    assert gate.check(b) is None


@pytest.mark.parametrize("k", range(8))
def test_model_views_match_the_training_views(k):
    import torch

    from inspection.features import dihedral as train_view
    from inspection.model import dihedral as model_view

    img = np.random.default_rng(k).random((6, 6, 3)).astype(np.float32)
    x = torch.from_numpy(img).permute(2, 0, 1)[None]
    got = model_view(x, k)[0].permute(1, 2, 0).numpy()
    assert np.array_equal(got, train_view(img, k))
    assert k == 0 or not np.array_equal(got, img)
