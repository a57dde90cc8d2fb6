"""Scanner frames, debounce and HPGL chunking: pure logic."""

from __future__ import annotations

import pytest

from core.errors import InputError
from edge_agents.serial.frames import Debouncer, FrameParser, Rejected, Scan, encode_frame
from edge_agents.serial.hpgl import chunk_job, instructions


def test_frame_split_at_every_byte_still_parses():
    parser = FrameParser()
    out = []
    for byte in encode_frame("BND-000123"):
        out += parser.feed(bytes([byte]))
    assert out == [Scan("BND-000123")]


def test_garbage_between_frames_is_counted_not_fatal():
    parser = FrameParser()
    data = b"\xff\x00junk" + encode_frame("BND-1") + b"\x80\x81" + encode_frame("BND-2")
    out = parser.feed(data)
    assert out == [Scan("BND-1"), Scan("BND-2")]
    assert parser.noise_bytes == len(b"\xff\x00junk") + 2


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"\x02BND-1*00\r\n", "checksum"),
        (b"\x02BND-1\r\n", "separator"),
        (b"\x02BND-1*Z1\r\n", "hex"),
        (b"\x02bnd-1*" + b"%02X" % (0x62 ^ 0x6E ^ 0x64 ^ 0x2D ^ 0x31) + b"\r\n", "bundle ticket"),
        (b"\x02\xe9\xe9\xe9*E9\r\n", "ASCII"),
    ],
)
def test_bad_frames_are_rejected_with_a_reason(raw, reason):
    out = FrameParser().feed(raw)
    assert len(out) == 1 and isinstance(out[0], Rejected)
    assert reason in out[0].reason


def test_partial_frame_cut_by_new_frame_and_overlong_frames():
    parser = FrameParser()
    out = parser.feed(b"\x02BND-9" + encode_frame("BND-10"))
    assert isinstance(out[0], Rejected) and "new STX" in out[0].reason
    assert out[1] == Scan("BND-10")
    out = parser.feed(b"\x02" + b"A" * 100 + encode_frame("BND-11"))
    assert isinstance(out[0], Rejected) and "longer" in out[0].reason
    assert out[-1] == Scan("BND-11")
    parser.feed(b"\x02BND-")
    assert isinstance(parser.reset(), Rejected)
    assert parser.reset() is None


def test_debounce_drops_repeats_inside_the_window_only():
    d = Debouncer(1.5)
    assert d.accept("BND-1", 10.0)
    assert not d.accept("BND-1", 11.0)
    assert d.accept("BND-2", 11.1)
    assert d.accept("BND-1", 12.6)


def test_hpgl_chunks_respect_size_and_carry_resume_position():
    job = "IN;SP1;" + "".join(f"PU{i * 10},0;PD{i * 10},500;" for i in range(60)) + "PU0,0;"
    chunks = chunk_job(job, max_bytes=64)
    assert all(len(c.body) <= 64 for c in chunks)
    assert "".join(c.body for c in chunks) == "".join(instructions(job))
    assert [c.seq for c in chunks] == list(range(len(chunks)))
    later = chunks[5]
    wire = later.wire(resume=True).decode()
    assert wire.startswith(f"PU{later.start_x:g},{later.start_y:g};")
    assert wire.endswith('CO"5";')
    assert chunks[0].wire().decode() == chunks[0].body + 'CO"0";'


@pytest.mark.parametrize(
    ("job", "message"),
    [
        ("", "empty"),
        ("IN;PR10,10;", "relative"),
        ("IN;12,3;", "not an instruction"),
        ("IN;LBé;", "ASCII"),
    ],
)
def test_bad_hpgl_jobs_are_refused_before_sending(job, message):
    with pytest.raises(InputError, match=message):
        chunk_job(job)
