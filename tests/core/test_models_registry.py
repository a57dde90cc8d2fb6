"""Exactly one inspection model is promoted at a time."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select

from core.db import transaction
from core.errors import InputError
from core.models_registry import previous_model, promote_model, promoted_model, register_model
from core.schema import InspectionModelRow


def test_promoting_moves_the_flag(engine: Engine) -> None:
    with transaction(engine) as s:
        assert promoted_model(s) is None
        register_model(s, "m-1", "models/m-1.onnx", {"auroc": 0.95}, "patchcore")
        register_model(s, "m-2", "models/m-2.onnx", {"auroc": 0.97})
    with transaction(engine) as s:
        promote_model(s, "m-1", by="qa1")
    with transaction(engine) as s:
        promote_model(s, "m-2", by="qa2")
    with transaction(engine) as s:
        rows = {r.version: r for r in s.scalars(select(InspectionModelRow))}
        assert [v for v, r in rows.items() if r.promoted] == ["m-2"]
        assert rows["m-2"].promoted_by == "qa2" and rows["m-2"].promoted_at is not None
        assert rows["m-1"].metrics == {"auroc": 0.95}
        assert promoted_model(s).version == "m-2"  # type: ignore[union-attr]


def test_unknown_or_repeated_versions(engine: Engine) -> None:
    with (
        pytest.raises(InputError, match="no inspection model version 'x'"),
        transaction(engine) as s,
    ):
        promote_model(s, "x", by="qa")
    with transaction(engine) as s:
        register_model(s, "m-1", "models/m-1.onnx")
    with pytest.raises(InputError, match="already registered"), transaction(engine) as s:
        register_model(s, "m-1", "models/other.onnx")


def test_previous_is_the_one_promoted_before_the_current(engine: Engine) -> None:
    with transaction(engine) as s:
        for version in ("m-1", "m-2", "m-3"):
            register_model(s, version, f"models/{version}")
    with transaction(engine) as s:
        assert previous_model(s) is None
        promote_model(s, "m-1", by="qa")
        assert previous_model(s) is None  # nothing before the first promotion
        promote_model(s, "m-3", by="qa")
        assert previous_model(s).version == "m-1"  # type: ignore[union-attr]
        promote_model(s, "m-2", by="qa")
        assert previous_model(s).version == "m-3"  # type: ignore[union-attr]
        promote_model(s, "m-3", by="qa")  # a roll back
        assert previous_model(s).version == "m-2"  # type: ignore[union-attr]
