"""Pattern plotter/cutter link: HPGL jobs in chunks, XON/XOFF flow control, resume after trouble.

What the plotter says (see edge_agents/README.md): XOFF (0x13) stop sending, XON (0x11) go on,
`ACK <n>` chunk n is done, `PAPER_OUT` (its buffer is discarded), `READY` paper loaded again.
A paper-out or a lost port makes the job go on from the first chunk not acknowledged.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

import serial

from core.events import Event, EventType, utcnow
from edge_agents.serial.hpgl import Chunk, chunk_job
from edge_agents.serial.port import SerialLink, read_some, write_all

log = logging.getLogger(__name__)

XON = 0x11
XOFF = 0x13


@dataclass
class PlotJob:
    job_id: str
    chunks: list[Chunk]
    acked: int = -1  # highest chunk acknowledged by the plotter
    resumes: int = 0
    done: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def progress(self) -> float:
        return (self.acked + 1) / len(self.chunks)


class PlotterLink(SerialLink):
    kind = "plotter"

    def __init__(
        self,
        name: str,
        port: str,
        baudrate: int,
        line: str,
        emit: Callable[[Event], None],
        station: str | None = None,
        chunk_bytes: int = 256,
        window_chunks: int = 6,
    ) -> None:
        super().__init__(name, port, baudrate, line, emit, station)
        self.chunk_bytes = chunk_bytes
        # Besides XON/XOFF, never more than this many chunks sent and not acknowledged: a
        # plotter whose XOFF comes late (or never) still cannot be overrun.
        self.window_chunks = window_chunks
        self.jobs: deque[PlotJob] = deque()
        self._wake = asyncio.Event()
        self._paused = False  # XOFF received
        self._paper_out = False
        self._next = 0  # next chunk of the current job to send
        self._resume = False  # the next chunk sent starts with a repositioning move
        self._rx = bytearray()
        for counter in ("chunks_sent", "xoff", "paper_outs", "resumes", "bad_lines"):
            self.status.counters[counter] = 0

    def submit(self, job_id: str, hpgl: str) -> PlotJob:
        """Queue an HPGL job (checked now: a bad job is refused before anything is sent)."""
        job = PlotJob(job_id, chunk_job(hpgl, self.chunk_bytes))
        self.jobs.append(job)
        self._wake.set()
        return job

    async def session(self, port: serial.Serial) -> None:
        self._paused = False
        self._paper_out = False
        reader = asyncio.create_task(self._read(port))
        try:
            while True:
                if reader.done():
                    reader.result()  # re-raise the port's error
                job = self.jobs[0] if self.jobs else None
                if (
                    job is None
                    or self._paused
                    or self._paper_out
                    or self._next >= len(job.chunks)
                    or self._next - (job.acked + 1) >= self.window_chunks
                ):
                    self._wake.clear()
                    waiter = asyncio.create_task(self._wake.wait())
                    await asyncio.wait({reader, waiter}, return_when=asyncio.FIRST_COMPLETED)
                    waiter.cancel()
                    continue
                chunk = job.chunks[self._next]
                await write_all(port, chunk.wire(resume=self._resume))
                self._resume = False
                self._next += 1
                self.status.count("chunks_sent")
                await asyncio.sleep(0)  # let an XOFF that is on its way be read
        finally:
            reader.cancel()

    def on_closed(self) -> None:
        self._rewind("port lost")

    def _rewind(self, why: str) -> None:
        """Go on from the first chunk not acknowledged, repositioning the head first."""
        job = self.jobs[0] if self.jobs else None
        if job is None or self._next == job.acked + 1:
            return
        log.warning(
            "plotter %s: %s; job %s resumes at chunk %d", self.name, why, job.job_id, job.acked + 1
        )
        self._next = job.acked + 1
        self._resume = True
        job.resumes += 1
        self.status.count("resumes")
        self.emit(
            EventType.PLOT_PROGRESS,
            {
                "job": job.job_id,
                "progress": job.progress,
                "resumed_from": self._next,
                "reason": why,
            },
        )

    async def _read(self, port: serial.Serial) -> None:
        while True:
            data = await read_some(port)
            self.status.last_value_at = utcnow()
            for byte in data:
                if byte == XOFF:
                    self._paused = True
                    self.status.count("xoff")
                elif byte == XON:
                    self._paused = False
                    self._wake.set()
                elif byte == 0x0A:
                    self._line(bytes(self._rx).strip().decode("ascii", "replace"))
                    self._rx.clear()
                else:
                    self._rx.append(byte)
                    if len(self._rx) > 128:  # noise without line ends: drop it, count it
                        self.status.count("bad_lines")
                        self._rx.clear()

    def _line(self, text: str) -> None:
        job = self.jobs[0] if self.jobs else None
        if text == "PAPER_OUT":
            self._paper_out = True
            self.status.count("paper_outs")
            self._rewind("paper out")
        elif text == "READY":
            self._paper_out = False
            self._wake.set()
        elif text.startswith("ACK ") and text[4:].isdigit() and job is not None:
            self._ack(job, int(text[4:]))
        elif text:
            self.status.count("bad_lines")
            log.warning("plotter %s: unexpected line %r", self.name, text[:40])

    def _ack(self, job: PlotJob, seq: int) -> None:
        if seq != job.acked + 1:
            return  # an acknowledgement of a chunk sent again after a resume
        before = int(job.progress * 10)
        job.acked = seq
        self._wake.set()
        if int(job.progress * 10) > before and job.acked + 1 < len(job.chunks):
            self.emit(EventType.PLOT_PROGRESS, {"job": job.job_id, "progress": job.progress})
        if job.acked + 1 == len(job.chunks):
            self.jobs.popleft()
            self._next = 0
            job.done.set()
            self.emit(
                EventType.PLOT_FINISHED,
                {"job": job.job_id, "chunks": len(job.chunks), "resumes": job.resumes},
            )
            self._wake.set()
