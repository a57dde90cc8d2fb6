"""Image- and pixel-level metrics a quality team reads, with bootstrap intervals."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from sklearn.metrics import precision_recall_curve, roc_auc_score


def threshold_at_fpr(good_scores: np.ndarray, fpr: float) -> float:
    """The lowest threshold that flags at most `fpr` of good images (flag when score > t)."""
    ordered = np.sort(good_scores)[::-1]
    allowed = int(np.floor(fpr * len(ordered)))
    return float(ordered[allowed]) if allowed < len(ordered) else float(ordered[-1])


def recall_at_fpr(labels: np.ndarray, scores: np.ndarray, fpr: float) -> float:
    t = threshold_at_fpr(scores[labels == 0], fpr)
    return float((scores[labels == 1] > t).mean())


def best_f1(labels: np.ndarray, scores: np.ndarray) -> tuple[float, float]:
    """Best F1 over thresholds and the threshold that reaches it."""
    precision, recall, thresholds = precision_recall_curve(labels, scores)
    f1 = 2 * precision * recall / np.maximum(precision + recall, 1e-12)
    i = int(np.argmax(f1[:-1])) if len(thresholds) else 0
    return float(f1[i]), float(thresholds[i]) if len(thresholds) else 0.5


def image_metrics(labels: np.ndarray, scores: np.ndarray) -> dict[str, float]:
    f1, _ = best_f1(labels, scores)
    return {
        "image_auroc": float(roc_auc_score(labels, scores)),
        "recall_at_5pct_fpr": recall_at_fpr(labels, scores, 0.05),
        "recall_at_1pct_fpr": recall_at_fpr(labels, scores, 0.01),
        "best_f1": f1,
    }


def pixel_auroc(masks: list[np.ndarray], heats: list[np.ndarray]) -> float:
    """AUROC over all pixels of images that carry a mask (defect pixels vs the rest)."""
    y = np.concatenate([m.reshape(-1) > 0 for m in masks])
    s = np.concatenate([h.reshape(-1) for h in heats])
    return float(roc_auc_score(y, s))


def bootstrap(
    labels: np.ndarray,
    scores: np.ndarray,
    metric: Callable[[np.ndarray, np.ndarray], dict[str, float]] = image_metrics,
    rounds: int = 500,
    seed: int = 0,
) -> dict[str, tuple[float, float]]:
    """95% percentile intervals, resampling goods and defects separately (stratified)."""
    rng = np.random.default_rng(seed)
    good = np.flatnonzero(labels == 0)
    bad = np.flatnonzero(labels == 1)
    samples: dict[str, list[float]] = {}
    for _ in range(rounds):
        idx = np.concatenate([rng.choice(good, len(good)), rng.choice(bad, len(bad))])
        for k, v in metric(labels[idx], scores[idx]).items():
            samples.setdefault(k, []).append(v)
    return {
        k: (float(np.percentile(v, 2.5)), float(np.percentile(v, 97.5))) for k, v in samples.items()
    }
