"""Training glue: image folders in, a model directory out. Runs centrally, never at the edge."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import torch
from pydantic import BaseModel, Field

from core.errors import InputError
from core.settings import atelier_home
from inspection import modeldir
from inspection.backbone import load_imagenet_backbone
from inspection.features import cached_extract
from inspection.fitting import (
    BankOptions,
    coreset_bank,
    crossfit_good_scores,
    fit_classes,
    fit_head,
    image_anomaly,
)
from inspection.images import list_images
from inspection.metrics import image_metrics, threshold_at_fpr
from inspection.model import POOLED_DIM, FeatureExtractor, InspectionModel

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]


class TrainOptions(BaseModel):
    input_size: int = Field(default=224, ge=64, le=1024, description="model input side in pixels")
    bank_size: int = Field(
        default=2000, ge=16, description="memory bank rows (coreset of good patches)"
    )
    views: int = Field(default=8, ge=1, le=8, description="dihedral views per image for the head")
    head_c: float = Field(
        default=0.1, gt=0, description="inverse L2 strength of the supervised head"
    )
    target_fpr: float = Field(
        default=0.05, gt=0, lt=1, description="false-alarm rate the threshold aims at"
    )
    inner_folds: int = Field(default=5, ge=2, description="folds for out-of-fold threshold choice")
    seed: int = Field(default=0, description="seed for coreset, folds and projections")
    tta_views: int = Field(
        default=4,
        ge=1,
        le=8,
        description="views the head averages at inference, the four quarter turns by "
        "default (each view costs one backbone pass)",
    )


def _group_of(path: Path) -> str:
    """Augmented copies are named ORIGINAL_k; they share their original's group."""
    return f"{path.parent}/{path.stem.split('_')[0]}"


def train(
    good_dir: Path,
    defect_dirs: list[Path],
    out: Path,
    options: TrainOptions | None = None,
    progress: Progress | None = None,
    cache_dir: Path | None = None,
) -> modeldir.Manifest:
    """Fit memory bank, supervised head (when defects are given) and threshold; save to `out`."""
    opts = options or TrainOptions()
    torch.manual_seed(opts.seed)
    good = list_images(good_dir)
    defects = [(d.name, list_images(d)) for d in defect_dirs]
    if len(good) < 4:
        raise InputError(f"{good_dir}: {len(good)} good images; at least 4 are needed")
    paths = good + [p for _, ps in defects for p in ps]
    labels = np.array([0] * len(good) + [1] * (len(paths) - len(good)))
    classes = [name for name, _ in defects] if len(defects) > 1 else []
    cls = np.array([i for i, (_, ps) in enumerate(defects) for _ in ps], dtype=int)
    groups = np.array([_group_of(p) for p in paths])

    extractor = FeatureExtractor(load_imagenet_backbone()).eval()
    views = max(opts.views, opts.tta_views) if defects else 1

    def on_extract(done: int, total: int) -> None:
        if progress:
            progress("features", done, total)

    patches, pooled = cached_extract(
        extractor,
        paths,
        opts.input_size,
        views,
        cache_dir or atelier_home() / "cache" / "inspection",
        on_extract,
    )
    bank_opts = BankOptions(size=opts.bank_size, seed=opts.seed)
    if progress:
        progress("memory bank", 0, 1)
    is_good = labels == 0
    bank = coreset_bank(patches[is_good], bank_opts)
    good_scores = crossfit_good_scores(patches[is_good], groups[is_good], bank_opts)
    mu, sd = float(good_scores.mean()), float(good_scores.std() + 1e-6)
    if progress:
        progress("memory bank", 1, 1)
    raw = image_anomaly(patches, bank)
    raw[is_good] = good_scores
    z = (raw - mu) / sd

    if defects:
        oof = _out_of_fold_scores(pooled, z, labels, groups, opts, progress)
        head = fit_head(
            _views(pooled, opts.views),
            np.repeat(z, opts.views),
            np.repeat(labels, opts.views),
            opts.head_c,
        )
        head_w, head_b, aw = torch.from_numpy(head.weight), head.bias, head.anomaly_weight
        method = (
            f"out-of-fold scores ({opts.inner_folds} folds grouped by original image): highest "
            f"threshold flagging at most {opts.target_fpr:.0%} of good images"
        )
        metrics = image_metrics(labels, oof)
        threshold = threshold_at_fpr(oof[is_good], opts.target_fpr)
        cw, cb = fit_classes(pooled[labels == 1, 0], cls, len(classes), opts.head_c)
    else:
        head_w, head_b, aw = torch.zeros(POOLED_DIM), 0.0, 1.0
        method = (
            f"memory-bank scores of good images against banks built without them: highest "
            f"threshold flagging at most {opts.target_fpr:.0%} of them"
        )
        oof = z
        metrics = {}
        threshold = threshold_at_fpr(z[is_good], opts.target_fpr)
        cw, cb = np.zeros((0, POOLED_DIM), np.float32), np.zeros(0, np.float32)

    tta = opts.tta_views if defects else 1  # without a head, extra views would change nothing
    model = InspectionModel(
        extractor, bank, mu, sd, head_w, head_b, aw, torch.from_numpy(cw), torch.from_numpy(cb), tta
    ).eval()
    score_threshold = float(1.0 / (1.0 + np.exp(-threshold)))
    now = datetime.now(UTC)
    digest = hashlib.sha256(bank.numpy().tobytes() + head_w.numpy().tobytes()).hexdigest()[:8]
    counts = {str(good_dir): len(good)} | {
        str(d): len(ps) for d, (_, ps) in zip(defect_dirs, defects, strict=True)
    }
    manifest = modeldir.Manifest(
        version=f"{now:%Y%m%dT%H%M%SZ}-{digest}",
        created=now.isoformat(),
        input_size=opts.input_size,
        bank_size=len(bank),
        tta_views=tta,
        classes=classes,
        supervised=bool(defects),
        threshold=modeldir.Threshold(
            value=score_threshold, method=method, target_fpr=opts.target_fpr
        ),
        metrics=metrics,
        trained_on=counts,
    )
    out.mkdir(parents=True, exist_ok=True)
    _write_trained_on(out, paths, labels, cls, classes)
    modeldir.save(model, manifest, out)
    log.info("model %s saved to %s (threshold %.4f)", manifest.version, out, score_threshold)
    return manifest


def _views(pooled: np.ndarray, views: int) -> np.ndarray:
    return pooled[:, :views].reshape(len(pooled) * views, -1)


def _out_of_fold_scores(
    pooled: np.ndarray,
    z: np.ndarray,
    labels: np.ndarray,
    groups: np.ndarray,
    opts: TrainOptions,
    progress: Progress | None,
) -> np.ndarray:
    """Head logits of each training image from a head that did not see its group."""
    from sklearn.model_selection import StratifiedGroupKFold

    n_splits = min(opts.inner_folds, int(labels.sum()), int((labels == 0).sum()))
    if n_splits < 2:
        raise InputError("at least 2 good and 2 defect images are needed to choose a threshold")
    views = opts.views
    oof = np.zeros(len(labels))
    splitter = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=opts.seed)
    for i, (tr, te) in enumerate(splitter.split(pooled, labels, groups)):
        head = fit_head(
            _views(pooled[tr], views),
            np.repeat(z[tr], views),
            np.repeat(labels[tr], views),
            opts.head_c,
        )
        head_te = (pooled[te, : opts.tta_views] @ head.weight).mean(axis=1)
        oof[te] = head_te + head.bias + head.anomaly_weight * z[te]
        if progress:
            progress("threshold", i + 1, n_splits)
    return oof


def _write_trained_on(out: Path, paths, labels, cls, classes) -> None:
    lines = ["path,sha256,label,class"]
    n_good = int((labels == 0).sum())
    for i, p in enumerate(paths):
        name = "" if labels[i] == 0 or not classes else classes[cls[i - n_good]]
        sha = hashlib.sha256(Path(p).read_bytes()).hexdigest()
        lines.append(f"{p},{sha},{'defect' if labels[i] else 'good'},{name}")
    (out / "trained_on.csv").write_text("\n".join(lines) + "\n")
