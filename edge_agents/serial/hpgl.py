"""HPGL jobs in chunks: each chunk ends with a `CO"<n>";` marker the plotter acknowledges when done.

A chunk is the unit of resume: after a paper-out or a lost port, the job goes on from the first
chunk not acknowledged, preceded by a pen-up move to where that chunk starts (and pen-down if
it starts mid-line), so nothing is cut twice out of place and nothing is skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.errors import InputError

_COORDS = re.compile(r"-?\d+(?:\.\d+)?")
_INSTRUCTION = re.compile(r"^[A-Z]{2}")


@dataclass(frozen=True)
class Chunk:
    seq: int
    body: str  # the instructions, without the marker
    start_x: float
    start_y: float
    pen_down: bool

    def wire(self, resume: bool = False) -> bytes:
        prefix = ""
        if resume:
            prefix = f"PU{self.start_x:g},{self.start_y:g};" + ("PD;" if self.pen_down else "")
        return f'{prefix}{self.body}CO"{self.seq}";'.encode("ascii")


def instructions(job: str) -> list[str]:
    """Split an HPGL text into instructions; relative moves and non-ASCII are refused."""
    try:
        job.encode("ascii")
    except UnicodeEncodeError as exc:
        raise InputError(f"HPGL job has a non-ASCII character at position {exc.start}") from None
    parts = [p.strip() for p in job.replace("\n", "").split(";")]
    out = []
    for index, part in enumerate(parts):
        if not part:
            continue
        if not _INSTRUCTION.match(part):
            raise InputError(f"HPGL instruction {index + 1} ({part[:20]!r}) is not an instruction")
        if part.startswith(("PR", "CO")):
            raise InputError(
                f"HPGL instruction {index + 1} ({part[:20]!r}): relative moves and comments "
                "cannot be resumed; use absolute PA/PU/PD"
            )
        out.append(part + ";")
    if not out:
        raise InputError("HPGL job is empty")
    return out


def chunk_job(job: str, max_bytes: int = 256) -> list[Chunk]:
    """Cut `job` into chunks of at most `max_bytes` (one longer instruction makes its own chunk)."""
    chunks: list[Chunk] = []
    x = y = 0.0
    pen_down = False
    body: list[str] = []
    size = 0
    start = (x, y, pen_down)

    def close() -> None:
        chunks.append(Chunk(len(chunks), "".join(body), start[0], start[1], start[2]))

    for instr in instructions(job):
        if body and size + len(instr) > max_bytes:
            close()
            body, size = [], 0
            start = (x, y, pen_down)
        body.append(instr)
        size += len(instr)
        op = instr[:2]
        if op in ("PU", "PD"):
            pen_down = op == "PD"
        if op in ("PU", "PD", "PA"):
            numbers = _COORDS.findall(instr[2:])
            if len(numbers) >= 2:
                x, y = float(numbers[-2]), float(numbers[-1])
    if body:
        close()
    return chunks
