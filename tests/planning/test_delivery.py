"""Publishing with a running cluster: each line's part reaches the centre, and the sewing line's
uplink brings its assignments into the line's inbox (real local Ray, real uplink and outbox)."""

from __future__ import annotations

import json
import shutil

import pytest

from cluster.plan_publish import publish_version
from cluster.planning import PlanningSettings, plan_orders
from cluster.roles import CENTRAL, NAMESPACE, ROLE_UNITS, line_resource
from core.config import load_factory
from core.db import make_engine
from core.importer import import_batch
from edge_agents.outbox import Outbox
from tests.cluster.conftest import wait_for
from tests.planning.helpers import FACTORY, ORIGIN, TSHIRTS, subset


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_publish_delivers_each_lines_part(_sqlite_template, tmp_path, monkeypatch):
    import ray

    from cluster.services import start_central, start_uplink

    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("ATELIER_HOME", str(home))
    store = tmp_path / "atelier.db"
    shutil.copyfile(_sqlite_template, store)
    url = f"sqlite:///{store}"
    engine = make_engine(url)
    ray.init(
        address="local",  # a new instance, even where another Ray runs
        num_cpus=1,
        resources={CENTRAL: ROLE_UNITS, line_resource("L1"): ROLE_UNITS},
        object_store_memory=200 * 2**20,
        include_dashboard=False,
        namespace=NAMESPACE,
        log_to_driver=False,
    )
    try:
        import_batch(engine, subset(tmp_path, TSHIRTS))
        run = plan_orders(
            engine, load_factory(FACTORY), settings=PlanningSettings(time_limit_s=2), origin=ORIGIN
        )
        address = ray.get_runtime_context().gcs_address
        (home / "cluster.json").write_text(json.dumps({"address": address}))
        ingest = start_central(url)
        outbox = tmp_path / "outbox" / "L1.sqlite"
        box = Outbox(outbox)
        uplink = start_uplink("L1", str(outbox), poll_s=0.1, max_backoff_s=1.0)  # held: it lives

        result = publish_version(engine, run.version)
        assert sorted(result.delivered) == ["C1", "L1"] and result.pending == {}
        wait_for(lambda: "sewing:L1:v1" in box.plan_ids(), 60, "the plan in L1's inbox")
        [(plan_id, payload)] = box.take_plans()
        assert plan_id == "sewing:L1:v1" and payload["version"] == 1
        assert len(payload["assignments"]) == len(run.sewing.operations)
        assert {a["order_id"] for a in payload["assignments"]} == set(TSHIRTS)
        # no cutting-room agent runs here: its markers wait at the centre
        assert ray.get(ingest.pending_plans.remote("C1")) == ["cut:C1:v1"]
        assert ray.get(uplink.status.remote())["line"] == "L1"
    finally:
        ray.shutdown()
        engine.dispose()
