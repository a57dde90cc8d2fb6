"""Grouped, stratified k-fold cross-validation on fabric_stain, with an ablation of ingredients.

Works on cached features, so the whole study reruns in about a minute once they are extracted.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from inspection.fabric_stain import Item, folds
from inspection.fitting import (
    BankOptions,
    coreset_bank,
    crossfit_good_scores,
    fit_head,
    image_anomaly,
)
from inspection.metrics import image_metrics

log = logging.getLogger(__name__)

# What each variant uses: memory bank, supervised head, dihedral augmentation of head data, and
# how many views the head averages at test time (the model's `tta_views`: upright, quarter
# turn, half turn, ...).
VARIANTS: dict[str, tuple[bool, bool, bool, int]] = {
    "memory bank only": (True, False, False, 1),
    "supervised head only": (False, True, False, 1),
    "supervised head + augmentation": (False, True, True, 1),
    "memory bank + supervised head": (True, True, False, 1),
    "memory bank + supervised head + augmentation": (True, True, True, 1),
    "memory bank + supervised head + augmentation + 2-view test-time averaging": (
        True,
        True,
        True,
        2,
    ),
    "memory bank + supervised head + augmentation + 4-view test-time averaging (default)": (
        True,
        True,
        True,
        4,
    ),
    "memory bank + supervised head + augmentation + 8-view test-time averaging": (
        True,
        True,
        True,
        8,
    ),
}


@dataclass
class FoldResult:
    variant: str
    fold: int
    metrics: dict[str, float]


def bank_scores(
    patches: np.ndarray, items: list[Item], train: np.ndarray, test: np.ndarray, opts: BankOptions
) -> tuple[np.ndarray, np.ndarray]:
    """Memory-bank z-scores of the training images (goods scored without their own group) and
    of the test images, for one fold."""
    labels = np.array([it.label for it in items])
    groups = np.array([it.group for it in items])
    good_tr = train[labels[train] == 0]
    bank = coreset_bank(patches[good_tr], opts)
    good_scores = crossfit_good_scores(patches[good_tr], groups[good_tr], opts)
    mu, sd = float(good_scores.mean()), float(good_scores.std() + 1e-6)
    z_test = (image_anomaly(patches[test], bank) - mu) / sd
    defect_tr = train[labels[train] == 1]
    train_raw = np.zeros(len(train), dtype=np.float32)
    train_raw[labels[train] == 1] = image_anomaly(patches[defect_tr], bank)
    train_raw[labels[train] == 0] = good_scores
    return (train_raw - mu) / sd, z_test


def score_fold(
    pooled: np.ndarray,
    labels: np.ndarray,
    train: np.ndarray,
    test: np.ndarray,
    z_train: np.ndarray,
    z_test: np.ndarray,
    variant: tuple[bool, bool, bool, int],
    head_c: float = 0.1,
) -> np.ndarray:
    """Scores of the test images for one fold under one variant (higher = more defective)."""
    use_bank, use_head, use_aug, tta_views = variant
    if not use_head:
        return z_test
    views = pooled.shape[1] if use_aug else 1
    x = pooled[train][:, :views].reshape(len(train) * views, -1)
    y = np.repeat(labels[train], views)
    z = np.repeat(z_train if use_bank else np.zeros(len(train)), views)
    head = fit_head(x, z, y, c=head_c)
    aw = head.anomaly_weight if use_bank else 0.0
    head_test = (pooled[test][:, :tta_views] @ head.weight).mean(axis=1)
    return head_test + head.bias + aw * (z_test if use_bank else 0.0)


def run(
    patches: np.ndarray,
    pooled: np.ndarray,
    items: list[Item],
    variants: dict[str, tuple[bool, bool, bool, int]] = VARIANTS,
    n_splits: int = 5,
    seed: int = 0,
    opts: BankOptions | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> list[FoldResult]:
    opts = opts or BankOptions(seed=seed)
    labels = np.array([it.label for it in items])
    results = []
    for f, (train, test) in enumerate(folds(items, n_splits, seed)):
        z_train, z_test = bank_scores(patches, items, train, test, opts)
        for name, variant in variants.items():
            scores = score_fold(pooled, labels, train, test, z_train, z_test, variant)
            results.append(FoldResult(name, f, image_metrics(labels[test], scores)))
            if progress:
                progress(name, f)
    return results


def summarise(results: list[FoldResult]) -> dict[str, dict[str, tuple[float, float]]]:
    """Mean and standard deviation over folds, per variant and metric."""
    out: dict[str, dict[str, tuple[float, float]]] = {}
    for name in dict.fromkeys(r.variant for r in results):
        rows = [r.metrics for r in results if r.variant == name]
        out[name] = {
            k: (float(np.mean([m[k] for m in rows])), float(np.std([m[k] for m in rows])))
            for k in rows[0]
        }
    return out


def run_study(
    n_splits: int = 5, seed: int = 0, progress: Callable[[str], None] | None = None
) -> dict[str, dict[str, tuple[float, float]]]:
    """Extract (or load cached) features of all fabric_stain images, then run every variant."""
    from core.settings import atelier_home
    from inspection.backbone import load_imagenet_backbone
    from inspection.fabric_stain import load_items
    from inspection.features import cached_extract
    from inspection.model import FeatureExtractor

    items = load_items()
    extractor = FeatureExtractor(load_imagenet_backbone()).eval()
    patches, pooled = cached_extract(
        extractor,
        [it.path for it in items],
        224,
        8,
        atelier_home() / "cache" / "inspection",
        lambda d, t: progress(f"features {d}/{t}") if progress else None,
    )
    results = run(
        patches,
        pooled,
        items,
        n_splits=n_splits,
        seed=seed,
        progress=lambda v, f: progress(f"fold {f + 1}: {v}") if progress else None,
    )
    return summarise(results)
