"""Scanner and plotter links against their simulators on real pty pairs."""

from __future__ import annotations

import asyncio

from core.events import EventType
from edge_agents.link import CONNECTED, RECONNECTING
from edge_agents.serial.hpgl import instructions
from edge_agents.serial.plotter import PlotterLink
from edge_agents.serial.scanner import ScannerLink
from edge_agents.simulators.serial_devices import PlotterSim, ScannerSim
from tests.edge_agents.conftest import wait_until


async def _stop(task: asyncio.Task) -> None:
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        pass


def test_scanner_survives_garbage_noise_and_unplugging(tmp_path):
    async def scenario():
        sim = ScannerSim(tmp_path / "scanner-S1")
        sim.plug()
        events = []
        now = [100.0]
        link = ScannerLink(
            "scanner-S1", str(sim.port.path), 9600, "L1", events.append, "S1", clock=lambda: now[0]
        )
        task = asyncio.create_task(link.run())

        def scanned():
            return [e.payload["bundle"] for e in events if e.type == EventType.BUNDLE_SCANNED]

        try:
            await wait_until(lambda: link.status.state == CONNECTED, 10, "port open")
            sim.scan("BND-0001")
            sim.scan("BND-0001")  # double scan
            await wait_until(lambda: link.status.counters["double_scans"] == 1, 10, "double scan")
            sim.raw(b"\x02BND-0002*00\r\n")  # bad checksum
            sim.noise_burst(300)
            sim.raw(b"\x02BND-00")  # partial frame, then a good one
            sim.scan("BND-0003")
            await wait_until(lambda: "BND-0003" in scanned(), 10, "scan after noise")
            assert link.status.counters["bad_frames"] == 2
            assert link.status.counters["noise_bytes"] >= 300

            sim.raw(b"\x02BND-00")  # unplugged in the middle of a frame
            await asyncio.sleep(0)
            sim.unplug()
            await wait_until(lambda: link.status.state == RECONNECTING, 10, "link reconnecting")
            sim.plug()
            await wait_until(lambda: link.status.state == CONNECTED, 10, "port back")
            now[0] += 10
            sim.scan("BND-0001")
            await wait_until(lambda: scanned().count("BND-0001") == 2, 10, "scan after replug")
        finally:
            await _stop(task)
            sim.unplug()
        assert scanned() == ["BND-0001", "BND-0003", "BND-0001"]
        assert link.status.counters["disconnects"] == 1
        assert all(e.station == "S1" and e.line == "L1" for e in events)
        states = [e.payload["state"] for e in events if e.type == EventType.LINK_STATE]
        assert states == ["connected", "reconnecting", "connected", "down"]

    asyncio.run(scenario())


JOB = (
    "IN;SP1;"
    + "".join(f"PU{i * 7},{i * 3};PD{i * 7 + 500},{i * 3};" for i in range(300))
    + "PU0,0;SP0;"
)


def test_plotter_flow_control_paper_out_and_unplug_finish_the_whole_job(tmp_path):
    async def scenario():
        sim = PlotterSim(tmp_path / "plotter1", bytes_per_s=30_000)
        await sim.start()
        events = []
        link = PlotterLink("plotter1", str(sim.port.path), 9600, "C1", events.append, "CT2")
        task = asyncio.create_task(link.run())
        try:
            await wait_until(lambda: link.status.state == CONNECTED, 10, "port open")
            job = link.submit("marker-42", JOB)
            n = len(job.chunks)
            await wait_until(lambda: job.acked >= n // 4, 30, "a quarter plotted")
            sim.paper_out()
            await wait_until(lambda: link.status.counters["paper_outs"] == 1, 10, "paper out seen")
            sim.load_paper()
            await wait_until(lambda: job.acked >= n // 2, 30, "half plotted")
            sim.unplug()
            await wait_until(lambda: link.status.state == RECONNECTING, 10, "link reconnecting")
            sim.plug()
            await asyncio.wait_for(job.done.wait(), 60)
        finally:
            await _stop(task)
            await sim.stop()
        assert sim.acks[-1] == n - 1
        assert sorted(set(sim.acks)) == list(range(n))
        assert sim.overflowed == 0
        assert sim.xoff_sent > 0 and link.status.counters["xoff"] > 0
        assert job.resumes >= 1
        # Every instruction of the job was plotted, in order (resends only repeat a suffix).
        wanted = instructions(JOB)
        it = iter(sim.plotted)
        assert all(any(p == w for p in it) for w in wanted)
        finished = [e for e in events if e.type == EventType.PLOT_FINISHED]
        assert len(finished) == 1 and finished[0].payload["job"] == "marker-42"

    asyncio.run(scenario())


def test_line_serial_simulators_reachable_through_resolved_ports(home):
    from core.config.loader import load_factory
    from edge_agents.simulators.serial_line import resolve_port, run_serial_sims

    async def scenario():
        line = load_factory().line("C1")
        sims = asyncio.create_task(run_serial_sims(line, scan_every_s=0.05))
        events = []
        devices = {d.kind: d for d in line.serial_devices}
        scanner_port = resolve_port("C1", devices["bundle_scanner"])
        plotter_port = resolve_port("C1", devices["plotter"])
        assert scanner_port.startswith(str(home))
        scanner = ScannerLink("scanner-cut", scanner_port, 9600, "C1", events.append, "CT2")
        plotter = PlotterLink("plotter1", plotter_port, 9600, "C1", events.append, "CT2")
        tasks = [asyncio.create_task(scanner.run()), asyncio.create_task(plotter.run())]
        try:
            await wait_until(lambda: scanner.status.counters["scans"] >= 3, 20, "demo scans")
            job = plotter.submit("marker-1", "IN;SP1;PU0,0;PD100,0;PD100,100;PU0,0;")
            await asyncio.wait_for(job.done.wait(), 20)
        finally:
            for task in tasks:
                await _stop(task)
            await _stop(sims)
        tickets = [e.payload["bundle"] for e in events if e.type == EventType.BUNDLE_SCANNED]
        assert tickets[:3] == ["BND-C1-000001", "BND-C1-000002", "BND-C1-000003"]

    asyncio.run(scenario())
