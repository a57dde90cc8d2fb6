"""Synthetic defects change the fabric where their mask says, and nowhere far from it."""

import cv2
import numpy as np
import pytest

from core.errors import InputError
from inspection.fabric_stain import DATA_DIR
from inspection.images import read_image
from inspection.synthetic import KINDS, make_defect
from inspection.synthetic_set import write_synthetic_set

GOOD = DATA_DIR / "images" / "defect_free"


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("size", [224, 640])
def test_defect_changes_pixels_inside_its_mask_only(kind, size):
    base = cv2.resize(read_image(GOOD / "5.jpg"), (size, size))
    d = make_defect(base, kind, np.random.default_rng(3))
    assert d.image.shape == base.shape and d.mask.shape == base.shape[:2]
    inside = d.mask > 0
    assert 0 < inside.mean() < 0.2
    diff = np.abs(d.image.astype(int) - base.astype(int)).max(axis=2)
    assert diff[inside].mean() > 8  # visible where the mask is
    near = cv2.dilate(d.mask, np.ones((3, 3), np.uint8), iterations=max(4, size // 20)) > 0
    assert diff[~near].max() <= 2  # untouched away from it


def test_unknown_kind_is_refused(tmp_path):
    with pytest.raises(InputError, match="unknown defect kinds"):
        write_synthetic_set(GOOD, tmp_path, 1, ["scorch"])


def test_synthetic_set_writes_images_with_masks(tmp_path):
    src = tmp_path / "good"
    src.mkdir()
    for i in (1, 2):
        (src / f"{i}.jpg").write_bytes((GOOD / f"{i}.jpg").read_bytes())
    written = write_synthetic_set(src, tmp_path / "out", 5, seed=1)
    assert len(written) == 5
    for path in written:
        mask = cv2.imread(str(path.parent / "masks" / path.name), cv2.IMREAD_GRAYSCALE)
        assert mask is not None and mask.max() == 255
