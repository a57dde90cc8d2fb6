"""A seeded store for the page tests: people of every role, defects with real image files,
inspection models, cycle-count telemetry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from PIL import Image
from sqlalchemy import Engine

from core import users
from core.db import transaction
from core.models_registry import register_model
from core.schema import DefectRow, TelemetryAggregateRow
from core.telemetry_rollup import roll_up_everything

PASSWORD = "long secret"
PEOPLE = {"olga": "operator", "pia": "planner", "quinn": "quality", "ada": "admin"}


def add_people(engine: Engine) -> None:
    with transaction(engine) as s:
        for name, role in PEOPLE.items():
            users.add_user(s, name, role, PASSWORD, actor="test")


def write_images(home: Path) -> tuple[str, str]:
    """A fabric-like grey image with a dark flaw, and its heat map (paths relative to home)."""
    rng = np.random.default_rng(7)
    fabric = (128 + rng.normal(0, 12, (96, 128))).clip(0, 255).astype(np.uint8)
    fabric[40:56, 60:80] = 30
    heat = np.zeros((48, 64), dtype=np.uint8)
    heat[20:28, 30:40] = 255
    (home / "images").mkdir(parents=True, exist_ok=True)
    Image.fromarray(fabric).save(home / "images" / "d1.png")
    Image.fromarray(heat).save(home / "images" / "d1_heat.png")
    return "images/d1.png", "images/d1_heat.png"


def add_defects(engine: Engine, home: Path, now: datetime) -> list[int]:
    image, heat = write_images(home)
    specs = [("S3", "stain", 0.91), ("S3", "hole", 0.72), ("S5", "stain", 0.66)]
    with transaction(engine) as s:
        rows = [
            DefectRow(
                line="L1",
                station=station,
                camera=f"cam-{station}",
                time=now - timedelta(minutes=10 * (i + 1)),
                image_path=image,
                heatmap_path=heat,
                box_x=60,
                box_y=40,
                box_w=20,
                box_h=16,
                score=score,
                defect_class=cls,
                model_version="v1",
            )
            for i, (station, cls, score) in enumerate(specs)
        ]
        s.add_all(rows)
        s.flush()
        return [r.id for r in rows]


def add_models(engine: Engine) -> None:
    with transaction(engine) as s:
        register_model(s, "v1", "models/v1.onnx", {"auroc": 0.91, "f1": 0.80}, "patchcore")
        register_model(s, "v2", "models/v2.onnx", {"auroc": 0.95, "f1": 0.86}, "patchcore")


def add_cycle_counts(engine: Engine, station: str, start: datetime, values: list[float]) -> None:
    """One `cycle_count` aggregate per minute from `start`."""
    with transaction(engine) as s:
        for i, v in enumerate(values):
            s.add(
                TelemetryAggregateRow(
                    station=station,
                    signal="cycle_count",
                    second=start + timedelta(minutes=i),
                    line="L1",
                    min=v,
                    max=v,
                    mean=v,
                    last=v,
                    count=1,
                )
            )
        s.flush()
        roll_up_everything(s)  # as central ingest does for every second it stores


def utc_hour(now: datetime | None = None) -> datetime:
    now = now or datetime.now(UTC)
    return now.replace(minute=0, second=0, microsecond=0)
