"""Hostile images are rejected with a clear error naming the file and what is wrong."""

import struct
import zlib

import numpy as np
import pytest

from core.errors import InputError
from inspection.fabric_stain import DATA_DIR
from inspection.images import check_frame, decode_image, read_image

GOOD = DATA_DIR / "images" / "defect_free" / "1.jpg"


def _chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def png_claiming(width: int, height: int) -> bytes:
    """A small PNG whose header claims the given size (a decompression bomb's shape)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return (
        b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")
    )


def test_good_jpeg_decodes_to_rgb():
    img = read_image(GOOD)
    assert img.shape == (224, 224, 3) and img.dtype == np.uint8


def test_truncated_jpeg_is_rejected(tmp_path):
    bad = tmp_path / "cut.jpg"
    bad.write_bytes(GOOD.read_bytes()[:3000])
    with pytest.raises(InputError, match="cut.jpg: not a readable image"):
        read_image(bad)


def test_zero_size_file_is_rejected(tmp_path):
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match="empty.jpg: empty image file"):
        read_image(empty)


def test_huge_dimensions_are_rejected_before_decoding():
    with pytest.raises(InputError, match="huge.png: image .*too large|huge.png: .*limit"):
        decode_image(png_claiming(100_000, 100_000), "huge.png")
    with pytest.raises(InputError, match="mid.png: image is 9000x8000 \\(72 MP\\)"):
        decode_image(png_claiming(9000, 8000), "mid.png")


def test_missing_file_is_rejected(tmp_path):
    with pytest.raises(InputError, match="cannot read image"):
        read_image(tmp_path / "nope.jpg")


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (np.zeros((64, 64, 2), np.uint8), "2 channels"),
        (np.zeros((64, 64, 5), np.uint8), "5 channels"),
        (np.zeros((0, 0, 3), np.uint8), "0x0"),
        (np.zeros((64, 64, 3), np.float32), "dtype is float32"),
        (np.zeros((4, 64, 64, 3), np.uint8), "4 dimensions"),
        ("not a frame", "not an image array"),
    ],
)
def test_bad_frames_are_rejected(frame, message):
    with pytest.raises(InputError, match=message):
        check_frame(frame, "cam-1")


def test_grey_and_bgra_frames_become_rgb():
    assert check_frame(np.zeros((32, 48), np.uint8), "cam").shape == (32, 48, 3)
    bgra = np.zeros((32, 48, 4), np.uint8)
    bgra[..., 0] = 255  # blue in OpenCV order
    assert check_frame(bgra, "cam")[0, 0].tolist() == [0, 0, 255]
