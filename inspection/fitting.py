"""Fitting the scoring parts from extracted features: coreset memory bank, calibration, heads.

Pure numpy/torch on arrays, so training and cross-validation share it and run on cached features.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import torch

from inspection.model import nearest_distance

log = logging.getLogger(__name__)


@dataclass
class BankOptions:
    size: int = 2000  # coreset rows kept; the nearest-neighbour search cost grows with it
    presample: int = 20000  # random patches the greedy coreset chooses from
    projection: int = 64  # random projection dimension for the greedy selection
    seed: int = 0


def flatten_patches(patches: np.ndarray) -> np.ndarray:
    n, d, h, w = patches.shape
    return patches.transpose(0, 2, 3, 1).reshape(n * h * w, d)


def coreset_bank(patches: np.ndarray, opts: BankOptions) -> torch.Tensor:
    """Greedy k-centre coreset of good patches (PatchCore): few rows that still cover them all."""
    rng = np.random.default_rng(opts.seed)
    flat = flatten_patches(patches)
    if len(flat) > opts.presample:
        flat = flat[rng.choice(len(flat), opts.presample, replace=False)]
    x = torch.from_numpy(flat.astype(np.float32))
    if len(x) <= opts.size:
        return x
    gen = torch.Generator().manual_seed(opts.seed)
    proj = torch.randn(x.shape[1], opts.projection, generator=gen) / opts.projection**0.5
    z = x @ proj
    zz = (z * z).sum(dim=1)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # thousands of small steps: thread hand-offs cost more than they give
    try:
        chosen = _greedy(z, zz, opts.size, int(rng.integers(len(z))))
    finally:
        torch.set_num_threads(threads)
    return x[chosen]


def _greedy(z: torch.Tensor, zz: torch.Tensor, size: int, first: int) -> list[int]:
    chosen = [first]
    dist = zz - 2 * z @ z[first] + zz[first]
    for _ in range(size - 1):
        nxt = int(dist.argmax())
        chosen.append(nxt)
        # |z - c|^2 as a matrix-vector product: no (N, d) temporary per step
        torch.minimum(dist, zz - 2 * z @ z[nxt] + zz[nxt], out=dist)
    return chosen


def image_anomaly(patches: np.ndarray, bank: torch.Tensor, batch: int = 32) -> np.ndarray:
    """Highest patch distance per image (N,), the memory bank's raw image score."""
    out = []
    with torch.inference_mode():
        for s in range(0, len(patches), batch):
            p = torch.from_numpy(patches[s : s + batch].astype(np.float32))
            out.append(nearest_distance(p, bank).flatten(1).amax(dim=1).numpy())
    return np.concatenate(out)


def crossfit_good_scores(
    patches: np.ndarray, groups: np.ndarray, opts: BankOptions, folds: int = 2
) -> np.ndarray:
    """Scores of good images against banks built without their group, i.e. as at test time.

    A good image scored against a bank that holds its own patches would score near zero.
    """
    uniq = np.unique(groups)
    rng = np.random.default_rng(opts.seed)
    part = dict(zip(uniq, rng.permutation(len(uniq)) % folds, strict=True))
    which = np.array([part[g] for g in groups])
    scores = np.zeros(len(patches), dtype=np.float32)
    for f in range(folds):
        bank = coreset_bank(patches[which != f], opts)
        scores[which == f] = image_anomaly(patches[which == f], bank)
    return scores


@dataclass
class Head:
    weight: np.ndarray  # (P,) over the pooled descriptor
    bias: float
    anomaly_weight: float


def fit_head(pooled: np.ndarray, anomaly_z: np.ndarray, labels: np.ndarray, c: float = 0.1) -> Head:
    """Logistic regression on the standardised pooled descriptor plus the anomaly z-score;
    the standardisation is folded into the weights so the edge module is one dot product."""
    from sklearn.linear_model import LogisticRegression

    mu = pooled.mean(axis=0)
    sd = pooled.std(axis=0) + 1e-6
    x = np.concatenate([(pooled - mu) / sd, anomaly_z[:, None]], axis=1)
    clf = LogisticRegression(C=c, max_iter=2000, class_weight="balanced")
    clf.fit(x, labels)
    w = clf.coef_[0]
    feat_w = w[:-1] / sd
    bias = float(clf.intercept_[0] - (mu * feat_w).sum())
    return Head(feat_w.astype(np.float32), bias, float(w[-1]))


def fit_classes(pooled: np.ndarray, classes: np.ndarray, n_classes: int, c: float = 0.1):
    """Multinomial defect-class head on defect images; (C, P) weights and (C,) biases."""
    from sklearn.linear_model import LogisticRegression

    if n_classes < 2:
        return np.zeros((n_classes, pooled.shape[1]), np.float32), np.zeros(n_classes, np.float32)
    mu = pooled.mean(axis=0)
    sd = pooled.std(axis=0) + 1e-6
    clf = LogisticRegression(C=c, max_iter=2000)
    clf.fit((pooled - mu) / sd, classes)
    w = clf.coef_ / sd
    b = clf.intercept_ - w @ mu
    if n_classes == 2:  # sklearn gives one row for two classes
        w = np.stack([-w[0] / 2, w[0] / 2])
        b = np.array([-b[0] / 2, b[0] / 2])
    return w.astype(np.float32), b.astype(np.float32)
