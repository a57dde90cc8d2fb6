"""The model directory: a versioned artefact the edge loads without any training code.

MODEL_DIR/
  model.json        manifest (version, input size, normalisation, classes, threshold and how
                    it was chosen, metrics, bank size, what it was trained on)
  weights.pt        state dict of InspectionModel (backbone, memory bank, heads)
  trained_on.csv    every training image: path, sha256, label, class
  model.onnx        after `atelier inspect export`
  tensorrt/         engines, one per GPU model and TensorRT version
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import torch
from pydantic import BaseModel, Field, ValidationError

from core.errors import InputError
from inspection.backbone import MEAN, STD, EfficientNetLite0
from inspection.model import PATCH_DIM, POOLED_DIM, FeatureExtractor, InspectionModel

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
MANIFEST = "model.json"
WEIGHTS = "weights.pt"
ONNX = "model.onnx"


class Threshold(BaseModel):
    value: float = Field(description="flag an image when its score is above this")
    method: str = Field(description="how the value was chosen, in words")
    target_fpr: float = Field(description="false-alarm rate on good fabric the value aims at")


class Manifest(BaseModel):
    format_version: int = Field(
        default=FORMAT_VERSION, description="model directory layout version"
    )
    version: str = Field(description="model version: UTC time of training and a content hash")
    created: str = Field(description="UTC time the model was trained, ISO 8601")
    backbone: str = Field(default="efficientnet-lite0/imagenet", description="feature network")
    input_size: int = Field(description="square side in pixels the model expects")
    mean: float = Field(default=MEAN, description="input normalisation mean (on 0..1 pixels)")
    std: float = Field(default=STD, description="input normalisation standard deviation")
    bank_size: int = Field(description="rows in the memory bank of good-fabric patches")
    tta_views: int = Field(
        default=1, description="flips/quarter turns the head averages at inference"
    )
    classes: list[str] = Field(description="defect classes of the class head, may be empty")
    supervised: bool = Field(description="whether a supervised head was trained on defects")
    threshold: Threshold = Field(description="decision threshold on the image score")
    metrics: dict[str, float] = Field(default_factory=dict, description="out-of-fold metrics")
    trained_on: dict[str, int] = Field(description="image counts per source folder")


def save(model: InspectionModel, manifest: Manifest, out: Path) -> None:
    """Write weights then manifest; the manifest last so a half-written folder never loads."""
    out.mkdir(parents=True, exist_ok=True)
    tmp = out / (WEIGHTS + ".tmp")
    torch.save(model.state_dict(), tmp)
    tmp.replace(out / WEIGHTS)
    tmp = out / (MANIFEST + ".tmp")
    tmp.write_text(manifest.model_dump_json(indent=2))
    tmp.replace(out / MANIFEST)


def read_manifest(model_dir: Path) -> Manifest:
    path = Path(model_dir) / MANIFEST
    if not path.exists():
        raise InputError(f"{model_dir}: not a model directory (no {MANIFEST})")
    try:
        return Manifest.model_validate(json.loads(path.read_text()))
    except (json.JSONDecodeError, ValidationError) as exc:
        raise InputError(f"{path}: invalid manifest ({exc})") from exc


def load(model_dir: Path) -> tuple[InspectionModel, Manifest]:
    """The torch module (eval mode) and its manifest."""
    manifest = read_manifest(model_dir)
    if manifest.format_version != FORMAT_VERSION:
        raise InputError(
            f"{model_dir}: model format {manifest.format_version}; this reads {FORMAT_VERSION}"
        )
    n_classes = len(manifest.classes)
    model = InspectionModel(
        FeatureExtractor(EfficientNetLite0()),
        bank=torch.zeros(manifest.bank_size, PATCH_DIM),
        anomaly_mean=0.0,
        anomaly_std=1.0,
        head_weight=torch.zeros(POOLED_DIM),
        head_bias=0.0,
        anomaly_weight=1.0,
        class_weight=torch.zeros(n_classes, POOLED_DIM),
        class_bias=torch.zeros(n_classes),
        tta_views=manifest.tta_views,
    )
    try:
        state = torch.load(Path(model_dir) / WEIGHTS, map_location="cpu", weights_only=True)
        model.load_state_dict(state, strict=True)
    except (OSError, RuntimeError) as exc:
        raise InputError(f"{model_dir}/{WEIGHTS}: cannot load weights ({exc})") from exc
    return model.eval(), manifest
