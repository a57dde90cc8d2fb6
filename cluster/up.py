"""`atelier up`: the whole plant on one machine, or this machine joined to a plant's cluster.

Start order: store, certificates and OPC-UA password for simulated lines, Ray (token auth on),
central ingest, one uplink per line, the simulators of `simulate: true` lines, one edge-agent
process per line, the HMI. Stop order is the reverse, agents first so their `agent.stopped`
events still reach the store. Child processes run in their own process groups and are stopped
as groups; the local Ray instance is one this process started, so `ray.shutdown()` ends it
without touching any other Ray on the machine.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from cluster.simulation import prepare_simulation
from core.config import default_factory_path, load_factory
from core.config.models import LineConfig
from core.errors import InputError
from core.settings import atelier_home, database_url
from edge_agents.opcua.ports import PORT_BASE_ENV, port_base_from_env

log = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[1]
CLUSTER_FILE = "cluster.json"


@dataclass
class UpOptions:
    """What `atelier up` was asked for."""

    port: int = 8501
    address: str | None = None
    factory: Path | None = None
    heartbeat_s: float = 2.0
    num_cpus: int = 2
    object_store_mb: int = 200
    hmi_wait_s: float = 120.0
    agents: bool = True
    opcua_port_base: int | None = None


@dataclass
class Child:
    """A process `atelier up` started and keeps running."""

    name: str
    argv: list[str]
    log_file: Path
    proc: subprocess.Popen[bytes] | None = None
    restarts: int = 0
    next_start: float = 0.0
    _log: IO[bytes] | None = field(default=None, repr=False)

    def start(self, env: dict[str, str]) -> None:
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        if self._log is not None:
            self._log.close()
        self._log = open(self.log_file, "ab")  # noqa: SIM115 - lives as long as the child
        # Own session and process group: a terminal Ctrl-C reaches us only, and we stop the group.
        self.proc = subprocess.Popen(
            self.argv,
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
        log.info("started %s (pid %d), log %s", self.name, self.proc.pid, self.log_file)

    def stop(self, grace_s: float = 15.0) -> None:
        if self.proc is not None and self.proc.poll() is None:
            _signal_group(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=grace_s)
            except subprocess.TimeoutExpired:
                log.warning("%s did not stop within %.0f s; killing it", self.name, grace_s)
                _signal_group(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        # Children of the child that outlived it still belong to its group.
        if self.proc is not None:
            _signal_group(self.proc.pid, signal.SIGKILL)
        if self._log is not None:
            self._log.close()
            self._log = None


def _die_with_parent() -> None:
    # Linux: the child gets SIGTERM if `atelier up` itself is killed, so nothing is orphaned.
    import ctypes

    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        pass


def _port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


class Plant:
    """Everything `atelier up` started; `start`, then `supervise` until asked to stop, `stop`."""

    def __init__(self, options: UpOptions, on_progress: Callable[[str], None] | None = None):
        self.options = options
        self.progress = on_progress or (lambda msg: log.info("%s", msg))
        self.factory_path = Path(options.factory or default_factory_path()).resolve()
        self.plant = load_factory(self.factory_path)
        self.lines = [line.id for line in self.plant.lines]
        self.home = atelier_home()
        self.database_url = database_url()
        self.children: list[Child] = []
        self.address: str | None = None
        self.actors: dict[str, Any] = {}  # handles keep the non-detached actors alive
        self._ray_started = False
        self._env = self._child_env()

    def _child_env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["ATELIER_HOME"] = str(self.home)
        env["ATELIER_DATABASE_URL"] = self.database_url
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in [str(REPO_ROOT), env.get("PYTHONPATH", "")] if p
        )
        if self.options.opcua_port_base is not None:
            env[PORT_BASE_ENV] = str(self.options.opcua_port_base)
        return env

    def start(self) -> str:
        """Start everything; returns the HMI's URL once it answers (or was not found)."""
        from cluster.store import ensure_first_admin, prepare_store, sync_layout
        from cluster.token import enable_token_auth, ensure_token

        if self.options.heartbeat_s <= 0:
            raise InputError(
                f"--heartbeat must be more than 0 seconds, got {self.options.heartbeat_s}"
            )
        base = self.options.opcua_port_base
        if base is not None and not 1024 <= base <= 65000:
            raise InputError(f"--opcua-port-base must be between 1024 and 65000, got {base}")
        port_base_from_env()  # a bad ATELIER_OPCUA_PORT_BASE fails here, not in every child
        if _port_open(self.options.port):
            raise InputError(
                f"port {self.options.port} on 127.0.0.1 is already in use; "
                "choose another with --port"
            )
        self.progress(f"store: {self._safe_url()}")
        prepare_store(self.database_url)
        sync_layout(self.database_url, self.plant)
        first_admin = ensure_first_admin(self.database_url, self.home)
        if first_admin is not None:
            self.progress(
                f"no users yet: sign in as 'admin' with the password in {first_admin}, "
                "then add users (Admin page or `atelier users add`)"
            )
        enable_token_auth(ensure_token(self.home))
        self._env = self._child_env()
        simulated = [ln for ln in self.plant.lines if ln.simulate] if self.options.agents else []
        if simulated:
            self._env |= prepare_simulation(self.plant, self.home, self._env, self.progress)
        try:
            self._start_ray()
            self._start_services()
            for line in simulated:
                self._start_simulators(line)
            for line in self.lines if self.options.agents else []:
                self._start_child(
                    f"agent {line}",
                    [
                        sys.executable,
                        "-m",
                        "cluster.cli.main",
                        "edge",
                        "run",
                        "--line",
                        line,
                        "--factory",
                        str(self.factory_path),
                        "--heartbeat",
                        str(self.options.heartbeat_s),
                    ],
                    self.home / "logs" / f"agent_{line}.log",
                )
            self._start_hmi()
        except BaseException:
            self.stop()
            raise
        return f"http://127.0.0.1:{self.options.port}"

    def _safe_url(self) -> str:
        from sqlalchemy.engine import make_url

        return make_url(self.database_url).render_as_string(hide_password=True)

    def _start_ray(self) -> None:
        import ray

        from cluster.roles import CENTRAL, NAMESPACE, ROLE_UNITS, line_resource

        if self.options.address:
            self.progress(f"joining the Ray cluster at {self.options.address}")
            ctx = ray.init(address=self.options.address, namespace=NAMESPACE, log_to_driver=False)
        else:
            resources = {CENTRAL: ROLE_UNITS} | {line_resource(ln): ROLE_UNITS for ln in self.lines}
            self.progress(f"starting a local Ray instance with {sorted(resources)}")
            # The uplinks resolve the outbox in their node's home: the same one as the agents'.
            os.environ["ATELIER_HOME"] = str(self.home)
            ctx = ray.init(
                address="local",  # a new instance, even where another Ray runs
                num_cpus=self.options.num_cpus,
                resources=resources,
                labels={"role": CENTRAL},
                object_store_memory=self.options.object_store_mb * 2**20,
                include_dashboard=False,
                namespace=NAMESPACE,
                log_to_driver=False,
            )
            self._ray_started = True
        self.address = ctx.address_info["gcs_address"]
        (self.home / CLUSTER_FILE).write_text(
            json.dumps({"address": self.address, "pid": os.getpid()}), encoding="utf-8"
        )

    def _start_services(self) -> None:
        import ray

        from cluster.services import start_central, start_uplink

        ingest = start_central(self.database_url)
        ray.get(ingest.ping.remote(), timeout=120)
        self.actors["ingest"] = ingest
        self.progress("central ingest is running")
        for line in self.plant.lines:
            # No path given: the uplink opens the outbox in its own node's Atelier home.
            torch = any(camera.backend == "torch" for camera in line.cameras)
            self.actors[f"uplink {line.id}"] = start_uplink(line.id, model_weights=torch)
        self.progress(f"uplinks placed for lines {', '.join(self.lines)}")

    def _outbox(self, line: str) -> Path:
        from edge_agents.outbox import outbox_path

        return outbox_path(line, self.home)

    def _start_child(self, name: str, argv: list[str], log_file: Path) -> None:
        child = Child(name, argv, log_file)
        child.start(self._env)
        self.children.append(child)

    def _start_simulators(self, line: LineConfig) -> None:
        base = [sys.executable, "-m", "cluster.cli.main", "simulate"]
        factory = ["--line", line.id, "--factory", str(self.factory_path)]
        if any(s.opcua is not None for s in line.stations):
            self._start_child(
                f"simulator opcua {line.id}",
                [*base, "opcua", *factory],
                self.home / "logs" / f"sim_opcua_{line.id}.log",
            )
        if any(d.port == "sim" for d in line.serial_devices):
            self._start_child(
                f"simulator serial {line.id}",
                [*base, "serial", *factory],
                self.home / "logs" / f"sim_serial_{line.id}.log",
            )
        self.progress(f"simulators of line {line.id} started")

    def _start_hmi(self) -> None:
        app = REPO_ROOT / "hmi" / "app.py"
        if not app.exists():
            log.error("HMI not started: %s does not exist", app)
            return
        port = str(self.options.port)
        self._start_child(
            "hmi",
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                str(app),
                "--server.port",
                port,
                "--server.headless",
                "true",
                "--server.address",
                "127.0.0.1",
            ],
            self.home / "logs" / "hmi.log",
        )
        hmi = self.children[-1]
        deadline = time.monotonic() + self.options.hmi_wait_s
        while not _port_open(self.options.port):
            if hmi.proc is not None and hmi.proc.poll() is not None:
                log.error("HMI exited with code %s; see %s", hmi.proc.returncode, hmi.log_file)
                return
            if time.monotonic() > deadline:
                log.error(
                    "HMI did not answer on port %s within %.0f s", port, self.options.hmi_wait_s
                )
                return
            time.sleep(0.2)

    def supervise(self, stop: threading.Event, poll_s: float = 0.5) -> None:
        """Keep the children running (restart with growing spacing) until `stop` is set."""
        while not stop.wait(poll_s):
            now = time.monotonic()
            for child in self.children:
                if child.proc is None or child.proc.poll() is None:
                    continue
                if child.next_start == 0.0:
                    delay = min(2.0**child.restarts, 60.0)
                    child.next_start = now + delay
                    log.warning(
                        "%s exited with code %s; restarting in %.0f s (see %s)",
                        child.name,
                        child.proc.returncode,
                        delay,
                        child.log_file,
                    )
                elif now >= child.next_start:
                    child.restarts += 1
                    child.next_start = 0.0
                    child.start(self._env)

    def stop(self) -> None:
        """Stop everything this process started, in reverse order; safe to call twice."""
        agents = [c for c in self.children if c.name.startswith("agent ")]
        for child in agents:
            child.stop()
        self._drain_outboxes(timeout_s=10.0)
        for child in reversed(self.children):
            child.stop()
        self.children.clear()
        self.actors.clear()
        import ray

        if ray.is_initialized():
            ray.shutdown()
        cluster_file = self.home / CLUSTER_FILE
        if self._ray_started and cluster_file.exists():
            cluster_file.unlink()
        self._ray_started = False
        self.progress("stopped")

    def _drain_outboxes(self, timeout_s: float) -> None:
        # Give the uplinks a moment to ship the agents' last events (agent.stopped) to the centre.
        import ray

        if not ray.is_initialized():
            return
        from edge_agents.outbox import Outbox

        deadline = time.monotonic() + timeout_s
        for line in self.lines:
            path = self._outbox(line)
            if not path.exists():
                continue
            with Outbox(path) as box:
                while box.depth() and time.monotonic() < deadline:
                    time.sleep(0.1)
