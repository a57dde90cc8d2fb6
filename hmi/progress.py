"""Progress from worker threads onto a Streamlit element.

Solvers report from their own threads, where Streamlit has no script context; such messages
wait in a queue and are written the next time the script's own thread reports, and at the end.
"""

from __future__ import annotations

import queue
import threading
from typing import Any


class ThreadSafeProgress:
    def __init__(self, box: Any) -> None:
        self._box = box
        self._owner = threading.get_ident()
        self._waiting: queue.SimpleQueue[str] = queue.SimpleQueue()

    def __call__(self, stage: str, message: str) -> None:
        self._waiting.put(f"{stage}: {message}")
        if threading.get_ident() == self._owner:
            self.flush()

    def flush(self) -> None:
        while True:
            try:
                line = self._waiting.get_nowait()
            except queue.Empty:
                return
            self._box.write(line)
