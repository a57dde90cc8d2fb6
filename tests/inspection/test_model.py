"""The trained model directory: its contents, backend parity, discrimination, classes, errors."""

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest

from core.errors import InputError
from inspection import modeldir
from inspection.backends import OnnxRuntimeConfig, TensorRTConfig, TorchConfig, create_backend
from inspection.backends.tensorrt import available as tensorrt_missing
from inspection.features import to_tensor
from inspection.images import read_image

from .conftest import GOOD, STAIN

REPO = Path(__file__).resolve().parents[2]


def held_out_batch() -> tuple[np.ndarray, np.ndarray]:
    """Real images the tiny model never saw: 6 stains and 6 good originals."""
    stains = [read_image(STAIN / f"{i}.jpg") for i in range(40, 46)]
    goods = [read_image(GOOD / f"{i}.jpg") for i in range(40, 46)]
    return to_tensor(stains + goods, 224).numpy(), np.array([1] * 6 + [0] * 6)


def test_model_directory_holds_a_versioned_artefact(tiny_model):
    manifest = modeldir.read_manifest(tiny_model)
    for name in ("model.json", "weights.pt", "model.onnx", "trained_on.csv"):
        assert (tiny_model / name).is_file()
    assert manifest.input_size == 224 and manifest.classes == ["stain", "hole"]
    assert 0 < manifest.threshold.value < 1 and "out-of-fold" in manifest.threshold.method
    assert set(manifest.metrics) >= {"image_auroc", "recall_at_5pct_fpr"}
    rows = (tiny_model / "trained_on.csv").read_text().splitlines()
    assert len(rows) == 1 + 16 + 6 + 6
    assert sum(r.endswith(",hole") for r in rows) == 6


def test_onnxruntime_matches_torch_on_real_images(tiny_model):
    x, _ = held_out_batch()
    ref = create_backend(TorchConfig(), tiny_model).infer(x)
    ort = create_backend(OnnxRuntimeConfig(cuda=False), tiny_model).infer(x)
    np.testing.assert_allclose(ort.scores, ref.scores, rtol=1e-3, atol=1e-6)
    scale = float(np.abs(ref.heat).max())
    np.testing.assert_allclose(ort.heat, ref.heat, rtol=1e-3, atol=1e-3 * scale)
    np.testing.assert_allclose(ort.class_logits, ref.class_logits, rtol=1e-3, atol=1e-4)
    assert ort.heat.shape == (12, 224, 224) and ort.class_logits.shape == (12, 2)


def test_tiny_model_ranks_unseen_stains_above_unseen_good_fabric(tiny_model):
    x, y = held_out_batch()
    scores = create_backend(TorchConfig(), tiny_model).infer(x).scores
    assert scores[y == 1].mean() > scores[y == 0].mean()


def test_class_head_names_the_defect_it_was_trained_on(tiny_model, tiny_data):
    holes = [read_image(p) for p in sorted((tiny_data / "hole").iterdir())]
    stains = [read_image(p) for p in sorted((tiny_data / "stain").iterdir())]
    out = create_backend(TorchConfig(), tiny_model).infer(to_tensor(holes + stains, 224).numpy())
    predicted = out.class_logits.argmax(axis=1)
    assert (predicted[:6] == 1).mean() >= 5 / 6 and (predicted[6:] == 0).mean() >= 5 / 6


def test_broken_model_directory_is_a_clear_error(tmp_path):
    with pytest.raises(InputError, match="not a model directory"):
        modeldir.load(tmp_path)
    (tmp_path / "model.json").write_text("{not json")
    with pytest.raises(InputError, match="invalid manifest"):
        modeldir.load(tmp_path)


@pytest.mark.skipif(
    tensorrt_missing() is not None, reason=f"TensorRT cannot run: {tensorrt_missing()}"
)
@pytest.mark.gpu
def test_tensorrt_matches_torch(tiny_model):
    x, _ = held_out_batch()
    ref = create_backend(TorchConfig(), tiny_model).infer(x)
    trt = create_backend(TensorRTConfig(fp16=False), tiny_model).infer(x)
    np.testing.assert_allclose(trt.scores, ref.scores, rtol=1e-2, atol=1e-3)


def test_tensorrt_missing_is_a_config_error_not_a_crash(tiny_model):
    if tensorrt_missing() is None:
        pytest.skip("TensorRT is available here")
    from core.errors import ConfigError

    with pytest.raises(ConfigError, match="tensorrt"):
        create_backend(TensorRTConfig(), tiny_model)


def _cli(*args: str) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory(prefix="atelier-home-") as home:
        return subprocess.run(
            [sys.executable, "-m", "cluster.cli.main", *args],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=300,
            env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "ATELIER_HOME": home},
        )


def test_cli_eval_prints_the_metrics_as_json(tiny_model, tiny_data):
    run = _cli(
        "inspect",
        "eval",
        str(tiny_model),
        "--good",
        str(tiny_data / "good"),
        "--defect",
        str(tiny_data / "stain"),
        "--defect",
        str(tiny_data / "hole"),
        "--json",
        "--backend",
        "onnxruntime",
        "--bootstrap",
        "50",
    )
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    for key in ("image_auroc", "recall_at_5pct_fpr", "recall_at_1pct_fpr", "best_f1"):
        assert 0.0 <= result[key] <= 1.0
        lo, hi = result["intervals_95"][key]
        assert lo <= hi
    assert result["good_images"] == 16 and result["defect_images"] == 12


def test_cli_rejects_a_folder_that_is_not_a_model(tmp_path):
    run = _cli("inspect", "export", str(tmp_path))
    assert run.returncode == 2
    assert "error:" in run.stderr and "not a model directory" in run.stderr
    assert "Traceback" not in run.stderr


def test_cli_train_on_good_fabric_only_writes_a_memory_bank_model(tmp_path):
    good = tmp_path / "good"
    good.mkdir()
    for i in range(50, 56):
        (good / f"{i}.jpg").write_bytes((GOOD / f"{i}.jpg").read_bytes())
    out = tmp_path / "model"
    run = _cli("inspect", "train", str(good), "--out", str(out), "--bank-size", "64")
    assert run.returncode == 0, run.stderr
    manifest = modeldir.read_manifest(out)
    assert not manifest.supervised and manifest.classes == [] and manifest.bank_size == 64
    assert "memory-bank scores" in manifest.threshold.method
    assert "threshold" in run.stdout


def test_cli_train_refuses_a_folder_without_images(tmp_path):
    run = _cli("inspect", "train", str(tmp_path), "--out", str(tmp_path / "m"))
    assert run.returncode == 2 and "no image files" in run.stderr
    assert not (tmp_path / "m").exists()


def test_nearest_distance_is_the_distance_to_the_closest_bank_row():
    import torch

    from inspection.model import nearest_distance

    gen = torch.Generator().manual_seed(0)
    patches = torch.rand(2, 152, 5, 7, generator=gen)
    bank = torch.rand(300, 152, generator=gen)
    flat = patches.permute(0, 2, 3, 1).reshape(-1, 152)
    expected = torch.cdist(flat, bank).amin(dim=1).reshape(2, 5, 7)
    torch.testing.assert_close(nearest_distance(patches, bank), expected, rtol=1e-4, atol=1e-4)


def test_exported_graph_has_no_pads_or_shape_arithmetic(tiny_model):
    import onnx

    ops = {node.op_type for node in onnx.load(str(tiny_model / "model.onnx")).graph.node}
    assert "Conv" in ops and "Gemm" in ops
    assert not ops & {"Pad", "If"}, "'SAME' pads are folded into the convolutions"
