"""`atelier up` as a child of a test: free ports, a temporary home, the ready line, Ctrl-C, and
the process tree it started (to prove nothing is left behind)."""

from __future__ import annotations

import os
import queue
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def free_port_pair() -> int:
    """A port p with p and p+1 free: the simulated lines' OPC-UA port base (C1, L1)."""
    while True:
        base = free_port()
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", base + 1))
            except OSError:
                continue
        return base


def _proc_stat(pid: int) -> tuple[int, str, str] | None:
    """(parent pid, state, start time) of a live process, from /proc; None once it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = text[text.rindex(")") + 2 :].split()
    return int(fields[1]), fields[0], fields[19]


def descendants(root: int) -> dict[int, str]:
    """Every process below `root`, with its start time (to tell a reused pid apart)."""
    parents: dict[int, tuple[int, str]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            stat = _proc_stat(int(entry.name))
            if stat is not None:
                parents[int(entry.name)] = (stat[0], stat[2])
    found: dict[int, str] = {}
    frontier = [root]
    while frontier:
        pid = frontier.pop()
        for child, (ppid, start) in parents.items():
            if ppid == pid and child not in found:
                found[child] = start
                frontier.append(child)
    return found


def alive(pid: int, start: str) -> bool:
    stat = _proc_stat(pid)
    return stat is not None and stat[2] == start and stat[1] != "Z"


def up_env(home: Path, url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAY_AUTH")}
    env.update(ATELIER_HOME=str(home), ATELIER_DATABASE_URL=url, PYTHONPATH=str(REPO))
    return env


@dataclass
class RunningUp:
    proc: subprocess.Popen[bytes]
    port: int
    err: Path
    lines: queue.Queue[str] = field(default_factory=queue.Queue)
    children: dict[int, str] = field(default_factory=dict)

    def ready_line(self) -> str | None:
        """The ready line once printed; fails with `up`'s stderr if it exited first."""
        if self.proc.poll() is not None:
            tail = self.err.read_text(errors="replace")[-3000:] if self.err.exists() else ""
            raise AssertionError(f"atelier up exited with {self.proc.returncode}:\n{tail}")
        while not self.lines.empty():
            line = self.lines.get()
            if line.startswith("atelier is up"):
                return line
        return None

    def remember_children(self) -> dict[int, str]:
        self.children = descendants(self.proc.pid)
        return self.children

    def leftovers(self) -> list[int]:
        return [pid for pid, start in self.children.items() if alive(pid, start)]


@contextmanager
def atelier_up(env: dict[str, str], err: Path, *extra: str) -> Iterator[RunningUp]:
    """Start `atelier up` on a free HMI port and a free OPC-UA port base in its own session;
    whatever is still running at the end is killed."""
    port = free_port()
    command = [
        *(sys.executable, "-m", "cluster.cli.main", "up", "--port", str(port)),
        *("--opcua-port-base", str(free_port_pair()), *extra),
    ]
    with open(err, "wb") as err_file:
        proc = subprocess.Popen(
            command,
            env=env,
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=err_file,
            start_new_session=True,
        )
    running = RunningUp(proc, port, err)
    threading.Thread(
        target=lambda: [running.lines.put(b.decode()) for b in iter(proc.stdout.readline, b"")],  # type: ignore[union-attr]
        daemon=True,
    ).start()
    try:
        yield running
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        for pid in running.leftovers():
            os.kill(pid, signal.SIGKILL)
